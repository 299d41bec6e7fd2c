import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { compose, type ComposedApp } from '../../src-main/compose.js';
import { startBrowserShell, type BrowserShell } from '../../src-main/web/browser-shell.js';
import { makeTempDir } from '../support/temp.js';

function status(port: number, path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Malformed payloads and near-miss credentials the browser-shell suite does not already send. */
describe('browser shell: more hostile requests', () => {
  let app: ComposedApp;
  let shell: BrowserShell;
  let tmp: { dir: string; cleanup: () => Promise<void> };
  let origin: string;
  let cookie: string;
  beforeAll(async () => {
    tmp = await makeTempDir();
    await mkdir(join(tmp.dir, 'renderer'));
    await writeFile(join(tmp.dir, 'renderer', 'index.html'), '<!doctype html><div id="root"></div>');
    app = compose({ dataDir: join(tmp.dir, 'store'), shell: 'browser', log: () => undefined });
    shell = await startBrowserShell({ app, rendererDir: join(tmp.dir, 'renderer') });
    origin = `http://127.0.0.1:${shell.port}`;
    cookie = `configsync_token=${shell.token}`;
  });
  afterAll(async () => {
    await shell?.close();
    await app?.dispose();
    await tmp?.cleanup();
  });

  it('refuses near-miss tokens and origins', async () => {
    const t = shell.token;
    for (const bad of [
      t.slice(0, -1),
      `${t}x`,
      t.toUpperCase() === t ? t.toLowerCase() : t.toUpperCase(),
      '',
      ' ',
    ])
      expect(
        await status(shell.port, '/', { cookie: `configsync_token=${encodeURIComponent(bad)}` }),
        JSON.stringify(bad),
      ).toBe(401);
    for (const o of [
      'null',
      `http://127.0.0.1:${shell.port}.evil.example`,
      `https://127.0.0.1:${shell.port}`,
      `http://127.0.0.2:${shell.port}`,
    ])
      expect(await status(shell.port, '/', { cookie, origin: o }), o).toBe(403);
    expect(await status(shell.port, '/', { cookie, 'sec-fetch-site': 'cross-site' })).toBe(403);
  });

  it('answers malformed RPC payloads with a clear error and keeps the socket usable', async () => {
    const ws = await new Promise<WebSocket>((resolve, reject) => {
      const s = new WebSocket(`ws://127.0.0.1:${shell.port}/rpc`, { headers: { cookie, origin } });
      s.once('open', () => resolve(s));
      s.once('error', reject);
    });
    // The answer to this request: events the shell pushes meanwhile (status.changed…) are not answers.
    const ask = (m: unknown) =>
      new Promise<Record<string, unknown>>((resolve) => {
        const onMessage = (d: Buffer) => {
          const msg = JSON.parse(d.toString()) as Record<string, unknown>;
          if ('event' in msg) return;
          ws.off('message', onMessage);
          resolve(msg);
        };
        ws.on('message', onMessage);
        ws.send(typeof m === 'string' ? m : JSON.stringify(m));
      });
    const cases: Array<[unknown, string]> = [
      [{ id: 1, method: '__proto__', params: {} }, 'UNKNOWN_METHOD'],
      [{ id: 2, method: 'constructor', params: {} }, 'UNKNOWN_METHOD'],
      [{ id: 3, method: 'toString', params: {} }, 'UNKNOWN_METHOD'],
      [{ id: 4, method: 42, params: {} }, 'BAD_REQUEST'],
      [{ id: 5, params: {} }, 'BAD_REQUEST'],
      [{ id: 6, method: 'app.echo', params: [] }, 'BAD_PARAMS'],
      [{ id: 7, method: 'app.echo', params: { text: 'x', extra: true } }, 'BAD_PARAMS'],
      [
        {
          id: 8,
          method: 'app.echo',
          params: JSON.parse('{"text":"x","__proto__":{"polluted":1}}') as unknown,
        },
        'BAD_PARAMS',
      ],
      ['null', 'BAD_REQUEST'],
      ['[1,2,3]', 'BAD_REQUEST'],
      ['"just a string"', 'BAD_REQUEST'],
    ];
    for (const [m, code] of cases) {
      const res = await ask(m);
      expect(res, JSON.stringify(m)).toMatchObject({ ok: false, error: { code } });
      expect(typeof (res.error as { message?: unknown }).message).toBe('string');
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(await ask({ id: 9, method: 'app.echo', params: { text: 'still here' } })).toMatchObject({
      ok: true,
      result: { text: 'still here' },
    });
    // Over the size limit: the socket is closed by the server (1009), the shell keeps serving others.
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.send('x'.repeat(2 * 1024 * 1024));
    expect(await closed).toBe(1009);
    expect(await status(shell.port, '/', { cookie })).toBe(200);
  });
});
