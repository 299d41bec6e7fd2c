import { describe, expect, it } from 'vitest';
import { createRouter, type Handlers } from '../../../src-main/rpc/router.js';
import { AppError } from '../../../src-main/errors/app-error.js';
import { appHandlers } from '../../../src-main/services/app/app-handlers.js';
import { serverHandlers } from '../../../src-main/services/servers/server-handlers.js';
import { ServerService } from '../../../src-main/services/servers/server-service.js';
import { openSettingsStore } from '../../../src-main/store/settings-store.js';
import { AppKeyStore } from '../../../src-main/secrets/app-key-store.js';
import { sshServerFields } from '../../../src-shared/model/server.js';
import { makeTempDir } from '../../support/temp.js';

function makeRouter(overrides: Partial<Handlers> = {}) {
  const logged: string[] = [];
  // Only the app.* handlers exist here; other methods are not called (the table grows with each service).
  const handlers = {
    ...appHandlers({ version: '9.9.9', shell: 'cli', dataDir: '/data', storePath: '/data/config.json' }),
    ...overrides,
  } as Handlers;
  return { router: createRouter(handlers, (m) => logged.push(m)), logged };
}

const ctx = { transport: 'test' } as const;

describe('router', () => {
  it('answers a declared method with its result', async () => {
    const { router } = makeRouter();
    const res = await router.handle({ id: 1, method: 'app.info', params: {} }, ctx);
    expect(res).toMatchObject({
      id: 1,
      ok: true,
      result: { version: '9.9.9', storePath: '/data/config.json' },
    });
  });

  it('refuses an unknown method by name', async () => {
    const { router } = makeRouter();
    const res = await router.handle({ id: 2, method: 'servers.dropAll', params: {} }, ctx);
    expect(res).toEqual({
      id: 2,
      ok: false,
      error: { code: 'UNKNOWN_METHOD', message: 'Unknown method "servers.dropAll".' },
    });
  });

  it('does not treat inherited object keys as methods', async () => {
    const { router } = makeRouter();
    const res = await router.handle({ id: 3, method: 'constructor', params: {} }, ctx);
    expect(res.ok).toBe(false);
    expect(!res.ok && res.error.code).toBe('UNKNOWN_METHOD');
  });

  it('refuses bad params with the field and the reason', async () => {
    const { router } = makeRouter();
    const res = await router.handle({ id: 4, method: 'app.echo', params: { text: 42 } }, ctx);
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(res.error.code).toBe('BAD_PARAMS');
    expect(res.error.message).toMatch(/app\.echo.*text/);
    expect(res.error.issues?.[0]?.path).toBe('text');
  });

  it('refuses unexpected extra params (strict schemas)', async () => {
    const { router } = makeRouter();
    const res = await router.handle({ id: 5, method: 'app.info', params: { admin: true } }, ctx);
    expect(!res.ok && res.error.code).toBe('BAD_PARAMS');
  });

  it('refuses a malformed envelope, keeping the id when there is one', async () => {
    const { router } = makeRouter();
    expect(await router.handle('hello', ctx)).toMatchObject({
      id: null,
      ok: false,
      error: { code: 'BAD_REQUEST' },
    });
    expect(await router.handle({ id: 7, params: {} }, ctx)).toMatchObject({
      id: 7,
      ok: false,
      error: { code: 'BAD_REQUEST' },
    });
    expect(await router.handle(null, ctx)).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
  });

  it('passes a service AppError through and wraps anything else as INTERNAL, logging it', async () => {
    const { router, logged } = makeRouter({
      'app.echo': ({ text }) => {
        if (text === 'app') throw new AppError('HOST_KEY_CHANGED', 'The host key changed.');
        throw new TypeError('boom');
      },
    });
    expect(await router.handle({ id: 8, method: 'app.echo', params: { text: 'app' } }, ctx)).toEqual({
      id: 8,
      ok: false,
      error: { code: 'HOST_KEY_CHANGED', message: 'The host key changed.' },
    });
    const res = await router.handle({ id: 9, method: 'app.echo', params: { text: 'x' } }, ctx);
    expect(res).toMatchObject({
      id: 9,
      ok: false,
      error: { code: 'INTERNAL', message: 'app.echo failed: boom' },
    });
    expect(logged).toEqual(['handler app.echo failed']);
  });
});

describe('router: every answer is checked against its output schema', () => {
  it('withholds an answer carrying a field the schema does not name (a secret spread into a result)', async () => {
    const { dir, cleanup } = await makeTempDir();
    try {
      const store = openSettingsStore(dir);
      const service = new ServerService(store);
      service.add(
        sshServerFields.parse({
          name: 'plant-b',
          host: '10.0.0.12',
          port: 22,
          user: 'cfg',
          role: 'secondary',
        }),
      );
      const real = serverHandlers({ service, keys: new AppKeyStore(dir) });
      const honest = createRouter({ ...real } as unknown as Handlers, () => undefined);
      const ok = await honest.handle({ id: 1, method: 'servers.list', params: {} }, ctx);
      expect(ok).toMatchObject({
        ok: true,
        result: { draft: expect.arrayContaining([expect.objectContaining({ name: 'plant-b' })]) },
      });

      const logged: string[] = [];
      const leaky = createRouter(
        {
          ...real,
          // A handler that spreads an object holding a password into each server of its answer.
          'servers.list': async (input: Record<string, never>, c: typeof ctx) => {
            const state = await real['servers.list'](input, c);
            return { ...state, draft: state.draft.map((s) => ({ ...s, password: 'hunter2-secret' })) };
          },
        } as unknown as Handlers,
        (m) => logged.push(m),
      );
      const res = await leaky.handle({ id: 2, method: 'servers.list', params: {} }, ctx);
      expect(res).toEqual({
        id: 2,
        ok: false,
        error: {
          code: 'BAD_RESULT',
          message: 'servers.list answered outside its contract; the answer was withheld.',
        },
      });
      expect(JSON.stringify(res)).not.toContain('hunter2');
      expect(logged).toEqual([
        'handler servers.list answered outside its contract: field "draft.0.password" is not in the output schema',
      ]);
      expect(logged.join('\n')).not.toContain('hunter2');
    } finally {
      await cleanup();
    }
  });

  it('withholds an answer of the wrong shape and an extra top-level field', async () => {
    const wrong = makeRouter({ 'app.echo': () => ({ text: 42, receivedAt: 'now' }) as never });
    const res = await wrong.router.handle({ id: 3, method: 'app.echo', params: { text: 'x' } }, ctx);
    expect(!res.ok && res.error.code).toBe('BAD_RESULT');
    expect(wrong.logged[0]).toMatch(/^handler app\.echo answered outside its contract: text: /);

    const extra = makeRouter({
      'app.echo': ({ text }) => ({ text, receivedAt: new Date().toISOString(), token: 'abc' }) as never,
    });
    const res2 = await extra.router.handle({ id: 4, method: 'app.echo', params: { text: 'x' } }, ctx);
    expect(!res2.ok && res2.error.code).toBe('BAD_RESULT');
    expect(extra.logged).toEqual([
      'handler app.echo answered outside its contract: field "token" is not in the output schema',
    ]);
  });
});
