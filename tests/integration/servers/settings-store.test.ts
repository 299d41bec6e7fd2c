import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openSettingsStore } from '../../../src-main/store/settings-store.js';
import { ServerService } from '../../../src-main/services/servers/server-service.js';
import { AppError } from '../../../src-main/errors/app-error.js';
import { CURRENT_SCHEMA_VERSION } from '../../../src-main/store/store-document.js';
import { sshServerFields } from '../../../src-shared/model/server.js';
import { compose } from '../../../src-main/compose.js';
import { makeTempDir } from '../../support/temp.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await makeTempDir('configsync-store-')));
afterEach(async () => cleanup());

const fixedNow = () => new Date('2026-03-04T05:06:07.089Z');

function storeError(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  }
  throw new Error('expected the store to refuse');
}

describe('settings store (conf, config.json)', () => {
  it('keeps the server list across reopenings, versioned, and only readable by the user', () => {
    const svc = new ServerService(openSettingsStore(dir));
    svc.add(
      sshServerFields.parse({
        name: 'Primary',
        host: 'db1',
        user: 'root',
        role: 'primary',
        vars: { CONFIG_ROOT: '/etc/app' },
      }),
    );
    svc.commit();
    const path = join(dir, 'config.json');
    const onDisk = JSON.parse(readFileSync(path, 'utf8'));
    expect(onDisk.schemaVersion).toBe(CURRENT_SCHEMA_VERSION);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const again = new ServerService(openSettingsStore(dir)).state();
    expect(again.committed.map((s) => s.name)).toEqual(['This computer', 'Primary']);
    expect(again.committed[1]).toMatchObject({ vars: { CONFIG_ROOT: '/etc/app' }, port: 22 });
  });

  it('writes atomically: a new file is renamed into place, no temp file is left', () => {
    const store = openSettingsStore(dir);
    store.set('ui', { theme: 'dark' });
    const path = join(dir, 'config.json');
    const before = statSync(path).ino;
    store.set('ui', { theme: 'light' });
    // An in-place rewrite would keep the inode; write-then-rename gives the name a new one.
    expect(statSync(path).ino).not.toBe(before);
    expect(readdirSync(dir)).toEqual(['config.json']);
    expect(openSettingsStore(dir).get('ui')).toEqual({ theme: 'light' });
  });

  it('refuses a file that is not JSON with STORE_CORRUPT, keeps a copy, and never overwrites it', () => {
    const path = join(dir, 'config.json');
    const broken = '{"schemaVersion": 1, "servers": [';
    writeFileSync(path, broken);
    const store = openSettingsStore(dir, { now: fixedNow });
    expect(store.path).toBe(path);
    const err = storeError(() => store.read());
    expect(err.code).toBe('STORE_CORRUPT');
    expect(err.message).toContain(path);
    expect(err.message).toContain('not valid JSON');
    const copy = `${path}.corrupt-2026-03-04T05-06-07-089Z`;
    expect(err.message).toContain(copy);
    expect(readFileSync(copy, 'utf8')).toBe(broken);
    // Every later call fails the same way, and nothing is written over the bad file.
    expect(storeError(() => store.set('x', 1)).code).toBe('STORE_CORRUPT');
    expect(storeError(() => new ServerService(store).commit()).code).toBe('STORE_CORRUPT');
    expect(readFileSync(path, 'utf8')).toBe(broken);
  });

  it('refuses a hand-edited file that breaks the schema, naming the server and field', () => {
    const path = join(dir, 'config.json');
    const edited = JSON.stringify({
      schemaVersion: 1,
      servers: [
        {
          kind: 'local',
          id: 'local',
          name: 'This computer',
          role: 'not-selected',
          vars: {},
          lastContact: null,
        },
        { kind: 'ssh', id: 'a', name: 'web-2', host: 'web2', port: 0, user: 'root', role: 'primary' },
      ],
    });
    writeFileSync(path, edited);
    const err = storeError(() => openSettingsStore(dir, { now: fixedNow }).read());
    expect(err.code).toBe('STORE_CORRUPT');
    expect(err.message).toContain('servers[1] ("web-2").port: The port is a number between 1 and 65535');
    expect(readFileSync(path, 'utf8')).toBe(edited);
    expect(readdirSync(dir).filter((f) => f.startsWith('config.json.corrupt-'))).toHaveLength(1);
  });

  it('migrates a version-0 file, keeping its other keys and a copy of the original', () => {
    const path = join(dir, 'config.json');
    writeFileSync(path, JSON.stringify({ windowBounds: { width: 900 } }));
    const store = openSettingsStore(dir, { now: fixedNow });
    expect(store.read().servers.map((s) => s.id)).toEqual(['local']);
    expect(store.get('windowBounds')).toEqual({ width: 900 });
    const onDisk = JSON.parse(readFileSync(path, 'utf8'));
    expect(onDisk.schemaVersion).toBe(CURRENT_SCHEMA_VERSION);
    expect(onDisk.windowBounds).toEqual({ width: 900 });
    expect(JSON.parse(readFileSync(`${path}.v0-2026-03-04T05-06-07-089Z`, 'utf8'))).toEqual({
      windowBounds: { width: 900 },
    });
  });

  it('leaves a file from a newer version alone', () => {
    const path = join(dir, 'config.json');
    const newer = JSON.stringify({ schemaVersion: CURRENT_SCHEMA_VERSION + 1, servers: 'whatever' });
    writeFileSync(path, newer);
    const err = storeError(() => openSettingsStore(dir).read());
    expect(err.code).toBe('STORE_TOO_NEW');
    expect(readFileSync(path, 'utf8')).toBe(newer);
  });

  it('does not let set() bypass the validated keys', () => {
    expect(() => openSettingsStore(dir).set('servers', [])).toThrow(/read\(\)\/write\(\)/);
  });

  it('lets the app start with a corrupt file and answers every server call with the clear error', async () => {
    writeFileSync(join(dir, 'config.json'), 'not json');
    const app = compose({ dataDir: dir, shell: 'cli', log: () => undefined });
    const ctx = { transport: 'test' } as const;
    const info = await app.router.handle({ id: 1, method: 'app.info', params: {} }, ctx);
    expect(info).toMatchObject({ ok: true, result: { storePath: join(dir, 'config.json') } });
    const list = await app.router.handle({ id: 2, method: 'servers.list', params: {} }, ctx);
    expect(list).toMatchObject({ ok: false, error: { code: 'STORE_CORRUPT' } });
    expect(readFileSync(join(dir, 'config.json'), 'utf8')).toBe('not json');
    await app.dispose();
  });
});
