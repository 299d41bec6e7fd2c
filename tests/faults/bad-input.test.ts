import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ssh2 from 'ssh2';
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { scan } from '../../src-main/engine/scan.js';
import { LocalEndpoint } from '../../src-main/transport/local-endpoint.js';
import { openSsh, SshError, type SshConnection } from '../../src-main/transport/ssh-connection.js';
import { SshEndpoint } from '../../src-main/transport/ssh-endpoint.js';
import { makeTree } from '../integration/engine/tree.js';
import { startHostileSftp, type HostileEntry, type HostileSftp } from '../support/hostile-sftp.js';
import { startSshd, type SshdServer } from '../support/sshd.js';
import { makeTempDir } from '../support/temp.js';
import { planAndApply, rejection } from './engine-run.js';
import { snapshot } from './nothing-lost.js';

const { utils } = ssh2;
const NEW = 1_700_000_000_000;

/**
 * Names no filesystem listing can hold (a server that lies): refused. Names that are odd but real
 * (newlines, NFD, backslashes) and symlinks pointing anywhere are carried as they are (see
 * tests/integration/exact/nasty-tree.test.ts).
 */
const BAD: ReadonlyArray<{ what: string; entry: HostileEntry; code: string; says: RegExp }> = [
  {
    what: 'a name climbing out with ../',
    entry: { filename: '../x', type: 'file', size: 3 },
    code: 'PATH_ESCAPE',
    says: /climbs out/,
  },
  {
    what: 'a deeper climb',
    entry: { filename: 'sub/../../etc/passwd', type: 'file' },
    code: 'PATH_ESCAPE',
    says: /climbs out/,
  },
  {
    what: 'an absolute name',
    entry: { filename: '/etc/passwd', type: 'file' },
    code: 'PATH_ESCAPE',
    says: /absolute/,
  },
  { what: 'a NUL', entry: { filename: 'a\u0000b.conf', type: 'file' }, code: 'PATH_INVALID', says: /NUL/ },
  {
    what: 'a "." segment',
    entry: { filename: './a.conf', type: 'file' },
    code: 'PATH_INVALID',
    says: /empty or "\."/,
  },
];

describe('bad input refused with a clear error, nothing changed', () => {
  let hostile: HostileSftp;
  let conn: SshConnection;
  let tmp: { dir: string; cleanup: () => Promise<void> };
  beforeAll(async () => {
    hostile = await startHostileSftp();
    tmp = await makeTempDir();
    conn = await openSsh({
      host: hostile.host,
      port: hostile.port,
      username: 'anyone',
      auth: { kind: 'key', privateKey: utils.generateKeyPairSync('ed25519').private },
      pinnedHostKey: hostile.hostKey,
      contactTimeoutMs: 5000,
    });
  });
  afterAll(async () => {
    conn?.close();
    await hostile?.stop();
    await tmp?.cleanup();
  });

  for (const b of BAD)
    it(`a hostile SFTP listing with ${b.what}: ${b.code}, and no write reaches either side`, async () => {
      hostile.setListing([{ filename: 'ok.conf', type: 'file', size: 2 }, b.entry]);
      const ssh = new SshEndpoint(conn, { fastPath: false, label: 'hostile' });
      const err = await rejection(scan(ssh, hostile.root));
      expect(err.code).toBe(b.code);
      expect(err.message).toMatch(b.says);
      // As a destination: refused before anything is sent.
      const src = join(tmp.dir, `src-${b.what.replace(/\W+/g, '-')}`);
      await makeTree(src, { 'ok.conf': { content: 'new', mtimeMs: NEW } });
      const stateDir = join(tmp.dir, 'state');
      expect(
        (await rejection(planAndApply(new LocalEndpoint(), src, ssh, hostile.root, { stateDir }))).code,
      ).toBe(b.code);
      expect(hostile.writes).toEqual([]);
      // As a source: the local destination stays as it was.
      const dst = join(tmp.dir, `dst-${b.what.replace(/\W+/g, '-')}`);
      await makeTree(dst, { 'mine.conf': 'mine' });
      const before = await snapshot(dst, () => false);
      expect(
        (await rejection(planAndApply(ssh, hostile.root, new LocalEndpoint(), dst, { stateDir }))).code,
      ).toBe(b.code);
      expect(await snapshot(dst, () => false)).toEqual(before);
    });

  it('a destination symlink pointing outside its root is replaced by the folder; nothing is written outside', async () => {
    const src = join(tmp.dir, 'link-src');
    const dst = join(tmp.dir, 'link-area', 'conf');
    const outside = join(tmp.dir, 'link-area', 'outside');
    await makeTree(src, { 'etc/app.conf': { content: 'new', mtimeMs: NEW } });
    await makeTree(outside, { 'app.conf': 'outside' });
    await fs.mkdir(dst, { recursive: true });
    await fs.symlink(outside, join(dst, 'etc'));
    const before = await snapshot(outside, () => false);
    const report = await planAndApply(new LocalEndpoint(), src, new LocalEndpoint(), dst, {
      stateDir: join(tmp.dir, 'link-state'),
    });
    expect(report.status).toBe('completed');
    expect((await fs.lstat(join(dst, 'etc'))).isDirectory()).toBe(true);
    expect(await fs.readFile(join(dst, 'etc/app.conf'), 'utf8')).toBe('new');
    expect(await snapshot(outside, () => false)).toEqual(before);
  });

  it('names that differ only by Unicode normalisation are two names, each carried byte for byte', async () => {
    const src = join(tmp.dir, 'nfc-src');
    const dst = join(tmp.dir, 'nfc-dst');
    await makeTree(src, { 'caf\u00e9.conf': 'composed', 'cafe\u0301.conf': 'decomposed', 'x.conf': 'x' });
    await makeTree(dst, { 'x.conf': 'x' });
    const report = await planAndApply(new LocalEndpoint(), src, new LocalEndpoint(), dst, {
      stateDir: join(tmp.dir, 'nfc-state'),
    });
    expect(report.status).toBe('completed');
    expect((await fs.readdir(dst)).sort()).toEqual(['caf\u00e9.conf', 'cafe\u0301.conf', 'x.conf'].sort());
    expect(await fs.readFile(join(dst, 'cafe\u0301.conf'), 'utf8')).toBe('decomposed');
  });
});

describe('host-key pins that must never match by accident', () => {
  let s: SshdServer;
  beforeAll(async () => {
    s = await startSshd();
  });
  afterAll(async () => {
    await s?.stop();
  });
  const attempt = (fingerprint: string, algorithm = s.hostKeyAlgorithm) =>
    openSsh({
      host: s.host,
      port: s.port,
      username: s.user,
      auth: { kind: 'key', privateKey: s.clientKey.privateKey },
      pinnedHostKey: { algorithm, fingerprint },
      contactTimeoutMs: 5000,
    });

  it('near misses of the right fingerprint are all refused as HOST_KEY_CHANGED, before any login', async () => {
    const right = s.hostKeyFingerprint;
    const nearMisses = [
      '',
      'SHA256:',
      right.toLowerCase(),
      right.toUpperCase(),
      `${right}=`,
      right.slice(0, -1),
      `${right} `,
      right.replace('SHA256:', ''),
      right.replace('SHA256:', 'MD5:'),
    ];
    for (const fp of nearMisses) {
      const err = await attempt(fp).then(
        (c) => {
          c.close();
          return null;
        },
        (e: unknown) => e,
      );
      expect(err, JSON.stringify(fp)).toBeInstanceOf(SshError);
      expect((err as SshError).code, JSON.stringify(fp)).toBe('HOST_KEY_CHANGED');
    }
    // The exact fingerprint connects (so the refusals above are about the pin, not the setup).
    const ok = await attempt(right);
    ok.close();
  });
});
