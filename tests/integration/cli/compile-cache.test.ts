import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { chmod, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { compileCacheDir } from '../../../src-main/cli/compile-cache.js';
import { makeTempDir } from '../../support/temp.js';

const run = promisify(execFile);
const entry = new URL('../../../build/cli/configsync.mjs', import.meta.url).pathname;

/** The built `configsync` with its compile cache in `cache`: exit code, output and what the cache did. */
async function configsync(
  cache: string,
  store: string,
  ...args: string[]
): Promise<{ code: number; out: string; err: string; cache: string | undefined }> {
  const env = { ...process.env, CONFIGSYNC_COMPILE_CACHE: cache, CONFIGSYNC_TRACE: '1' };
  let r: { code: number; out: string; err: string };
  try {
    const o = await run(process.execPath, [entry, '--store', store, ...args], { encoding: 'utf8', env });
    r = { code: 0, out: o.stdout, err: o.stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    r = { code: x.code ?? -1, out: x.stdout ?? '', err: x.stderr ?? '' };
  }
  return { ...r, cache: /cli: compile cache (\w+)/.exec(r.err)?.[1] };
}

async function cacheFiles(dir: string): Promise<string[]> {
  return (await readdir(dir).catch(() => [])).filter((n) => n.endsWith('.bin'));
}

describe("the CLI's compile cache (V8's compiled code of the bundle, kept between runs)", () => {
  if (!existsSync(entry)) throw new Error('run "npm run build" first: this runs the bundled CLI');

  it('is written by the first run, used by the next, and upgraded by a run that plans; output unchanged', async () => {
    const { dir, cleanup } = await makeTempDir();
    try {
      const cache = join(dir, 'cache');
      const store = join(dir, 'store');
      const off = await configsync('0', store, 'sets', 'list');
      expect(off.cache).toBe('off');
      expect(await cacheFiles(cache)).toEqual([]);

      const first = await configsync(cache, store, 'sets', 'list');
      expect(first).toMatchObject({ code: 0, cache: 'none', out: off.out });
      const [file] = await cacheFiles(cache);
      expect(file).toMatch(/^cli-[0-9a-f]+\.bin$/);
      const path = join(cache, file as string);
      expect((await stat(path)).mode & 0o777).toBe(0o600);
      expect((await stat(cache)).mode & 0o777).toBe(0o700);
      expect((await readFile(path))[0]).toBe(0); // written by a light run

      const second = await configsync(cache, store, 'sets', 'list');
      expect(second).toMatchObject({ code: 0, cache: 'used', out: off.out });

      // A run that plans (status, with no servers: nothing to reach) rewrites it with what it compiled.
      const status = await configsync(cache, store, 'status');
      expect(status.cache).toBe('used');
      expect((await readFile(path))[0]).toBe(1);
      expect(await cacheFiles(cache)).toEqual([file]);
      expect((await configsync(cache, store, 'sets', 'list')).cache).toBe('used');
    } finally {
      await cleanup();
    }
  });

  it('a damaged cache is refused by V8 and written again; the command runs as without one', async () => {
    const { dir, cleanup } = await makeTempDir();
    try {
      const cache = join(dir, 'cache');
      const store = join(dir, 'store');
      const plain = await configsync('0', store, '--help');
      await configsync(cache, store, '--help');
      const [file] = await cacheFiles(cache);
      const path = join(cache, file as string);
      const data = await readFile(path);
      // Flip bytes through its header and body (as a disk error or a foreign file would).
      for (let i = 8; i < data.length; i += 97) data[i] = (data[i] ?? 0) ^ 0xff;
      await writeFile(path, data);
      const damaged = await configsync(cache, store, '--help');
      expect(damaged).toMatchObject({ code: 0, cache: 'rejected', out: plain.out });
      expect((await configsync(cache, store, '--help')).cache).toBe('used');
      // An empty file is no cache.
      await writeFile(path, '');
      expect((await configsync(cache, store, '--help')).cache).toBe('none');
    } finally {
      await cleanup();
    }
  });

  it('a cache folder that others can write is not used (its code would run as this user)', async () => {
    const { dir, cleanup } = await makeTempDir();
    try {
      const cache = join(dir, 'shared');
      await mkdir(cache);
      await chmod(cache, 0o777);
      const store = join(dir, 'store');
      const r = await configsync(cache, store, 'sets', 'list');
      expect(r).toMatchObject({ code: 0, cache: 'off' });
      expect(await cacheFiles(cache)).toEqual([]);
    } finally {
      await cleanup();
    }
  });

  it("lives in the platform's per-user cache folder", () => {
    expect(compileCacheDir({ HOME: '/home/a', XDG_CACHE_HOME: '/x' }, 'linux')).toBe('/x/configsync');
    expect(compileCacheDir({ LOCALAPPDATA: 'C:\\L' }, 'win32')).toMatch(/ConfigSync[\\/]Cache$/);
    expect(compileCacheDir({ CONFIGSYNC_COMPILE_CACHE: '0' }, 'linux')).toBeNull();
    expect(compileCacheDir({ CONFIGSYNC_COMPILE_CACHE: '/c' }, 'darwin')).toBe('/c');
    expect(compileCacheDir({}, 'darwin')).toMatch(/Library\/Caches\/ConfigSync$/);
  });
});
