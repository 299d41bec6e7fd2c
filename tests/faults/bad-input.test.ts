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
  {
    what: 'a newline',
    entry: { filename: 'a\nb.conf', type: 'file' },
    code: 'PATH_INVALID',
    says: /newline/,
  },
  {
    what: 'a carriage return',
    entry: { filename: 'a\rb.conf', type: 'file' },
    code: 'PATH_INVALID',
    says: /carriage return/,
  },
  { what: 'a NUL', entry: { filename: 'a\u0000b.conf', type: 'file' }, code: 'PATH_INVALID', says: /NUL/ },
  {
    what: 'a "." segment',
    entry: { filename: './a.conf', type: 'file' },
    code: 'PATH_INVALID',
    says: /empty or "\."/,
  },
  {
    what: 'a name not in NFC (e + combining accent)',
    entry: { filename: 'cafe\u0301.conf', type: 'file' },
    code: 'PATH_INVALID',
    says: /NFC/,
  },
  {
    what: 'a symlink to an absolute path',
    entry: { filename: 'link', type: 'symlink', linkTarget: '/etc/shadow' },
    code: 'PATH_ESCAPE',
    says: /outside the root/,
  },
  {
    what: 'a symlink climbing out',
    entry: { filename: 'link', type: 'symlink', linkTarget: '../../etc/shadow' },
    code: 'PATH_ESCAPE',
    says: /escapes the root/,
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

  it('a destination symlink pointing outside its root: refused, nothing written there or outside', async () => {
    const src = join(tmp.dir, 'link-src');
    const dst = join(tmp.dir, 'link-area', 'conf');
    const outside = join(tmp.dir, 'link-area', 'outside');
    await makeTree(src, { 'etc/app.conf': { content: 'new', mtimeMs: NEW } });
    await makeTree(outside, { 'app.conf': 'outside' });
    await fs.mkdir(dst, { recursive: true });
    await fs.symlink(outside, join(dst, 'etc'));
    const before = await snapshot(join(tmp.dir, 'link-area'), () => false);
    const err = await rejection(
      planAndApply(new LocalEndpoint(), src, new LocalEndpoint(), dst, {
        stateDir: join(tmp.dir, 'link-state'),
      }),
    );
    expect(err.code).toBe('PATH_ESCAPE');
    expect(err.message).toMatch(/symlink "etc" points to the absolute path/);
    expect(await snapshot(join(tmp.dir, 'link-area'), () => false)).toEqual(before);
  });

  it('names that collide after Unicode normalisation: the second spelling is refused, nothing written', async () => {
    const src = join(tmp.dir, 'nfc-src');
    const dst = join(tmp.dir, 'nfc-dst');
    await makeTree(src, { 'caf\u00e9.conf': 'composed', 'cafe\u0301.conf': 'decomposed' });
    await makeTree(dst, { 'x.conf': 'x' });
    const before = await snapshot(dst, () => false);
    const err = await rejection(
      planAndApply(new LocalEndpoint(), src, new LocalEndpoint(), dst, {
        stateDir: join(tmp.dir, 'nfc-state'),
      }),
    );
    expect(err.code).toBe('PATH_INVALID');
    expect(err.message).toMatch(/not in Unicode NFC form; rename it/);
    expect(await snapshot(dst, () => false)).toEqual(before);
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
