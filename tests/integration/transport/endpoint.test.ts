import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as fs from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { HASH_COMMAND, hashLines } from '../../../src-main/transport/process-util.js';
import { LocalEndpoint } from '../../../src-main/transport/local-endpoint.js';
import { SshEndpoint } from '../../../src-main/transport/ssh-endpoint.js';
import type { Endpoint, RawEntry } from '../../../src-main/transport/endpoint.js';
import type { SshConnection } from '../../../src-main/transport/ssh-connection.js';
import { startSshd, type SshdServer } from '../../support/sshd.js';
import { connect, makeTree, snapshot } from '../engine/tree.js';

const WEIRD = {
  'plain.txt': 'hello',
  'it\'s a "quote".conf': 'q',
  'tab\there': 't',
  '-leading-dash': 'd',
  '$(echo pwned)': 'p',
  'caf\u00e9/\u65e5\u672c.ini': 'u',
  'sub/deeper/x.bin': Buffer.alloc(70_000, 7),
  'sub/private': { content: 'secret', mode: 0o600, mtimeMs: 1_600_000_000_000 },
  locked: { dir: 0o700 },
  'link-to-plain': { link: 'plain.txt' },
  'sub/link-up': { link: '../plain.txt' },
};

function norm(list: RawEntry[] | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of list ?? [])
    out[e.path] =
      `${e.type} ${e.mode.toString(8)} ${e.type === 'file' ? e.size : ''} ${e.linkTarget ?? ''} ${Math.floor(e.mtimeMs / 1000)}`;
  return out;
}

describe('endpoints against real sshd', () => {
  let s: SshdServer;
  let conn: SshConnection;
  let root: string;
  beforeAll(async () => {
    s = await startSshd();
    conn = await connect(s);
    root = join(s.dataRoot, 'tree');
    await makeTree(root, WEIRD);
  });
  afterAll(async () => {
    conn?.close();
    await s?.stop();
  });

  it('lists the same tree locally, over find (one exec) and over SFTP readdir (no exec)', async () => {
    const local = norm(await new LocalEndpoint().list(root));
    const exec = vi.spyOn(conn, 'exec');
    const fast = new SshEndpoint(conn, { fastPath: true });
    expect(norm(await fast.list(root))).toEqual(local);
    expect(exec).toHaveBeenCalledTimes(1);
    exec.mockClear();
    const slow = new SshEndpoint(conn, { fastPath: false });
    expect(norm(await slow.list(root))).toEqual(local);
    expect(exec).not.toHaveBeenCalled();
    exec.mockRestore();
    expect(Object.keys(local)).toContain('tab\there');
    expect(local['sub/private']).toBe('file 600 6  1600000000');
    expect(local['link-to-plain']).toMatch(/^symlink 777 {2}plain.txt/);
  });

  it('lists and hashes locally alike through find and the hashing command and through the JS fallback', async () => {
    const paths = ['plain.txt', 'tab\there', 'caf\u00e9/\u65e5\u672c.ini', 'sub/deeper/x.bin'];
    const local = new LocalEndpoint();
    const read = async () => ({ list: await local.list(root), hash: await local.hash(root, paths) });
    const viaTools = await read();
    const saved = process.env.PATH;
    process.env.PATH = '/nonexistent'; // no find, no xargs: the walk and Node's hashing answer
    const viaNode = await read().finally(() => (process.env.PATH = saved));
    expect(norm(viaNode.list)).toEqual(norm(viaTools.list));
    expect(viaNode.hash).toEqual(viaTools.hash);
    const ms = (l: RawEntry[] | null) => new Map((l ?? []).map((e) => [e.path, e.mtimeMs]));
    const exact = ms(viaNode.list);
    for (const [path, t] of ms(viaTools.list))
      expect(Math.abs(t - (exact.get(path) ?? 0))).toBeLessThanOrEqual(1);
  });

  it('reports a missing root as null and a file root as an error, both ways', async () => {
    for (const ep of [
      new LocalEndpoint(),
      new SshEndpoint(conn, { fastPath: true }),
      new SshEndpoint(conn, { fastPath: false }),
    ] as Endpoint[]) {
      expect(await ep.list(join(root, 'nope'))).toBeNull();
      await expect(ep.list(join(root, 'plain.txt'))).rejects.toThrow(/not a folder/);
    }
  });

  it('hashes on the server, matching local hashes, odd names included', async () => {
    const paths = [
      'plain.txt',
      'it\'s a "quote".conf',
      '-leading-dash',
      'sub/deeper/x.bin',
      'caf\u00e9/\u65e5\u672c.ini',
    ];
    const local = await new LocalEndpoint().hash(root, paths);
    const remote = await new SshEndpoint(conn, { fastPath: true }).hash(root, paths);
    expect(remote).toEqual(local);
    expect(local.get('plain.txt')).toBe('2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824');
  });

  it('hashes alike through openssl and through sha256sum (the command falls back when openssl is missing)', async () => {
    const dir = join(s.dataRoot, 'hash-names');
    const files: Record<string, string> = {
      'plain.txt': 'hello',
      'it\'s a "quote".conf': 'q',
      '-leading-dash': 'd',
      'back\\slash': 'b', // sha256sum escapes this name in its output, openssl does not
      'caf\u00e9/\u65e5\u672c.ini': 'u',
    };
    await makeTree(dir, files);
    const bin = join(s.baseDir, 'bin-without-openssl');
    await fs.mkdir(bin, { recursive: true });
    for (const tool of ['xargs', 'sha256sum'])
      await fs.symlink(
        execFileSync('sh', ['-c', `command -v ${tool}`])
          .toString()
          .trim(),
        join(bin, tool),
      );
    const run = (path: string) =>
      hashLines(
        execFileSync('/bin/sh', ['-c', HASH_COMMAND], {
          cwd: dir,
          env: { PATH: path },
          input: Object.keys(files)
            .map((p) => `./${p}\0`)
            .join(''),
        }),
      );
    const withOpenssl = run(process.env.PATH ?? '');
    const withCoreutils = run(bin);
    expect(withCoreutils).toEqual(withOpenssl);
    expect([...withOpenssl.keys()].sort()).toEqual(Object.keys(files).sort());
    expect(withOpenssl.get('plain.txt')).toBe(
      '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824',
    );
  });

  it('moves a tree with one tar stream local → ssh and ssh → local, keeping modes, mtimes and links', async () => {
    const paths = Object.keys(WEIRD).filter((p) => p !== 'locked');
    const ssh = new SshEndpoint(conn, { fastPath: true });
    const local = new LocalEndpoint();
    const out1 = join(s.dataRoot, 'out1');
    await ssh.mkdirp(out1);
    const t1 = await local.tarCreate(root, paths);
    await Promise.all([ssh.tarExtract(out1, t1.stream), t1.done]);
    const out2 = join(s.dataRoot, 'out2');
    await local.mkdirp(out2);
    const t2 = await ssh.tarCreate(out1, paths);
    await Promise.all([local.tarExtract(out2, t2.stream), t2.done]);
    const want = await snapshot(root, (p) => p === 'locked');
    expect(await snapshot(out1)).toEqual(want);
    expect(await snapshot(out2)).toEqual(want);
    expect((await fs.stat(join(out2, 'sub/private'))).mtimeMs).toBe(1_600_000_000_000);
  });

  it('tar (write) over SSH whose input is stopped before its channel opens fails that call, not the process', async () => {
    const ep = new SshEndpoint(conn, { fastPath: true });
    const dir = join(s.dataRoot, 'stopped-tar');
    await fs.mkdir(dir, { recursive: true });
    const input = new PassThrough();
    const extracting = ep.tarExtract(dir, input);
    // As a cancelled run's stage does: its tracker destroyed with an error while the channel opens.
    input.destroy(new Error('run cancelled'));
    await expect(extracting).rejects.toThrow(/run cancelled/);
    expect(await fs.readdir(dir)).toEqual([]);
  });

  it('SFTP fallback writes with pipelining, renames atomically over a file, symlinks, copies within', async () => {
    const ssh = new SshEndpoint(conn, { fastPath: false });
    const dir = join(s.dataRoot, 'sftp');
    await ssh.mkdirp(join(dir, 'a/b'));
    const big = Buffer.alloc(300_000);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31) % 251;
    const n = await ssh.writeFile(
      join(dir, 'a/b/big'),
      await new LocalEndpoint().readStream(await writeLocal(big)),
      0o640,
    );
    expect(n).toBe(big.length);
    expect(await fs.readFile(join(dir, 'a/b/big'))).toEqual(big);
    expect((await fs.stat(join(dir, 'a/b/big'))).mode & 0o777).toBe(0o640);
    await fs.writeFile(join(dir, 'target'), 'old');
    await fs.writeFile(join(dir, 'staged'), 'new');
    await ssh.rename(join(dir, 'staged'), join(dir, 'target'));
    expect(await fs.readFile(join(dir, 'target'), 'utf8')).toBe('new');
    await ssh.symlink('a/b/big', join(dir, 'ln'));
    expect(await fs.readlink(join(dir, 'ln'))).toBe('a/b/big');
    await ssh.setAttrs(join(dir, 'target'), { mode: 0o600, mtimeMs: 1_500_000_000_000 });
    const errors = await ssh.copyWithin(
      [
        { from: join(dir, 'target'), to: join(dir, 'copy/target'), type: 'file' },
        { from: join(dir, 'ln'), to: join(dir, 'copy/ln'), type: 'symlink' },
      ],
      { link: false },
    );
    expect(errors).toEqual([]);
    expect(await snapshot(join(dir, 'copy'))).toEqual({
      target: (await snapshot(dir)).target,
      ln: 'link a/b/big',
    });
    expect((await fs.stat(join(dir, 'copy/target'))).mtimeMs).toBe(1_500_000_000_000);
    expect(await ssh.freeSpace(join(dir, 'does/not/exist'))).toBeGreaterThan(0);
    await ssh.removeTree(dir);
    expect(await ssh.stat(dir)).toBeNull();
  });

  async function writeLocal(data: Buffer): Promise<string> {
    const p = join(s.baseDir, 'local-src.bin');
    await fs.writeFile(p, data);
    return p;
  }
});
