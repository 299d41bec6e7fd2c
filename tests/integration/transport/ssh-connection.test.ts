import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:net';
import { openSsh, SshError, type SshTarget } from '../../../src-main/transport/ssh-connection.js';
import { startSshd, PASSWORD, PASSWORD_USER, type SshdServer } from '../../support/sshd.js';
import { freePort } from '../../support/net.js';

function target(s: SshdServer, extra: Partial<SshTarget> = {}): SshTarget {
  return {
    host: s.host,
    port: s.port,
    username: s.user,
    auth: { kind: 'key', privateKey: s.clientKey.privateKey },
    pinnedHostKey: { algorithm: 'ssh-ed25519', fingerprint: s.hostKeyFingerprint },
    contactTimeoutMs: 5000,
    ...extra,
  };
}

async function failure(p: Promise<unknown>): Promise<SshError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(SshError);
    return err as SshError;
  }
  throw new Error('expected the connection to fail');
}

describe('openSsh against real sshd', () => {
  let s: SshdServer;
  let blackhole: Server;
  let blackholePort: number;
  beforeAll(async () => {
    s = await startSshd({ passwordAuth: true, maxSessions: 2 });
    // Accepts TCP and never speaks: what a firewalled or hung host looks like to a client.
    blackhole = createServer(() => undefined);
    await new Promise<void>((r) => blackhole.listen(0, '127.0.0.1', () => r()));
    blackholePort = (blackhole.address() as { port: number }).port;
  });
  afterAll(async () => {
    await s?.stop();
    blackhole?.close();
  });

  it('connects when the pinned key matches, and runs commands', async () => {
    const conn = await openSsh(target(s));
    const r = await conn.exec('printf "%s" "$((2+3))"; echo oops >&2; exit 3');
    expect(r.stdout.toString()).toBe('5');
    expect(r.stderr.trim()).toBe('oops');
    expect(r.code).toBe(3);
    expect(conn.hostKey).toEqual({ algorithm: 'ssh-ed25519', fingerprint: s.hostKeyFingerprint });
    conn.close();
  });

  it('refuses an unpinned key and reports the presented fingerprint', async () => {
    const err = await failure(openSsh(target(s, { pinnedHostKey: null })));
    expect(err.code).toBe('HOST_KEY_UNKNOWN');
    expect(err.presentedKey?.fingerprint).toBe(s.hostKeyFingerprint);
  });

  it('refuses a changed key, naming both fingerprints', async () => {
    const wrong = 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
    const err = await failure(
      openSsh(target(s, { pinnedHostKey: { algorithm: 'ssh-ed25519', fingerprint: wrong } })),
    );
    expect(err.code).toBe('HOST_KEY_CHANGED');
    expect(err.message).toContain(wrong);
    expect(err.message).toContain(s.hostKeyFingerprint);
  });

  it('reports a refused port, a bad key and a host that never answers', async () => {
    const closed = await freePort();
    expect((await failure(openSsh(target(s, { port: closed })))).code).toBe('REFUSED');
    const other = await startSshd();
    try {
      const err = await failure(
        openSsh(target(s, { auth: { kind: 'key', privateKey: other.clientKey.privateKey } })),
      );
      expect(err.code).toBe('AUTH_FAILED');
    } finally {
      await other.stop();
    }
    const t0 = Date.now();
    const err = await failure(openSsh(target(s, { port: blackholePort, contactTimeoutMs: 800 })));
    expect(err.code).toBe('TIMEOUT');
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('reports a wrong password as a refused login, never as a timeout, within the contact timeout', async () => {
    // sshd (PAM) waits about 2 s after each failed password before it answers; a contact timeout that
    // runs out while the client tries again must still say the login was refused.
    for (const contactTimeoutMs of [1500, 5000]) {
      const t0 = Date.now();
      const err = await failure(
        openSsh(
          target(s, {
            username: PASSWORD_USER,
            auth: { kind: 'password', password: 'wrong' },
            contactTimeoutMs,
          }),
        ),
      );
      expect(err.code, `contact timeout ${contactTimeoutMs} ms: ${err.message}`).toBe('AUTH_FAILED');
      expect(err.message).toContain('refused the login');
      expect(err.message).not.toMatch(/did not answer|firewalled/);
      expect(Date.now() - t0).toBeLessThan(contactTimeoutMs + 1000);
    }
  });

  it('logs in with a password', async () => {
    const conn = await openSsh(
      target(s, { username: PASSWORD_USER, auth: { kind: 'password', password: PASSWORD } }),
    );
    expect((await conn.exec('id -un')).stdout.toString().trim()).toBe(PASSWORD_USER);
    conn.close();
  });

  it('queues channels beyond MaxSessions instead of failing', async () => {
    const conn = await openSsh(target(s, { maxChannels: 2 }));
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => conn.exec(`sleep 0.05; echo ${i}`)),
    );
    expect(results.map((r) => r.stdout.toString().trim())).toEqual(['0', '1', '2', '3', '4', '5', '6', '7']);
    conn.close();
  });

  it('an SFTP session that closes while the connection is still up is a lost link at once, until a new one opens', async () => {
    const conn = await openSsh(target(s));
    const sftp = await conn.sftp();
    expect(conn.lostReason).toBeNull();
    // What a dropped link looks like in the moment ssh2 has closed the channels but not yet said the
    // connection closed: a file request just failed on the session, the connection seems up.
    await new Promise<void>((resolve) => {
      sftp.once('close', () => resolve());
      sftp.end();
    });
    expect(conn.closedReason).toBeNull();
    expect(conn.lostReason).toBeInstanceOf(SshError);
    expect(conn.lostReason?.message).toMatch(/connection .* was lost \(its SFTP session closed\)/);
    // The connection was up after all: a new session works and the link is no longer called lost.
    const again = await conn.sftp();
    expect(again).not.toBe(sftp);
    expect(conn.lostReason).toBeNull();
    conn.close();
    expect(conn.lostReason).toBe(conn.closedReason);
  });
});
