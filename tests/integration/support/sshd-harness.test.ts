import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ssh2 from 'ssh2';
import { createHash } from 'node:crypto';
import { startSshd, PASSWORD, PASSWORD_USER, type SshdServer } from '../../support/sshd.js';

const { Client } = ssh2;

function exec(conn: InstanceType<typeof Client>, cmd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    conn.exec(cmd, (err, stream) => {
      if (err) return reject(err);
      let out = '';
      stream.on('data', (d: Buffer) => (out += d.toString()));
      stream.stderr.resume();
      stream.on('close', () => resolve(out));
    });
  });
}

function connect(server: SshdServer, auth: { privateKey?: string; username?: string; password?: string }) {
  return new Promise<{ conn: InstanceType<typeof Client>; seenKey: string }>((resolve, reject) => {
    const conn = new Client();
    let seenKey = '';
    conn.on('ready', () => resolve({ conn, seenKey })).on('error', reject);
    conn.connect({
      host: server.host,
      port: server.port,
      username: auth.username ?? server.user,
      ...(auth.privateKey ? { privateKey: auth.privateKey } : {}),
      ...(auth.password ? { password: auth.password } : {}),
      hostVerifier: (key: Buffer) => {
        seenKey = `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
        return true;
      },
    });
  });
}

describe('sshd test harness', () => {
  let a: SshdServer;
  let b: SshdServer;
  beforeAll(async () => {
    [a, b] = await Promise.all([startSshd({ passwordAuth: true }), startSshd()]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it('runs two servers with their own ports and host keys', () => {
    expect(a.port).not.toBe(b.port);
    expect(a.hostKeyFingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(a.hostKeyFingerprint).not.toBe(b.hostKeyFingerprint);
  });

  it('accepts the client key and presents the host key ssh-keygen reports', async () => {
    const { conn, seenKey } = await connect(a, { privateKey: a.clientKey.privateKey });
    expect(seenKey).toBe(a.hostKeyFingerprint);
    expect((await exec(conn, 'echo hello-$((6*7))')).trim()).toBe('hello-42');
    conn.end();
  });

  it('refuses a key that is not in its authorized_keys', async () => {
    await expect(connect(b, { privateKey: a.clientKey.privateKey })).rejects.toThrow(/authentication/i);
  });

  it('lets the test user in with a password', async () => {
    const { conn } = await connect(a, { username: PASSWORD_USER, password: PASSWORD });
    expect((await exec(conn, 'id -un')).trim()).toBe(PASSWORD_USER);
    conn.end();
  });
});
