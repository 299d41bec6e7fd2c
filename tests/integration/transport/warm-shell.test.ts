import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openSsh, type SshConnection } from '../../../src-main/transport/ssh-connection.js';
import { startSshd, type SshdServer } from '../../support/sshd.js';

describe('a session opened ahead (prepareExec)', () => {
  let s: SshdServer;
  let conn: SshConnection;
  beforeAll(async () => {
    s = await startSshd();
    conn = await openSsh({
      host: s.host,
      port: s.port,
      username: s.user,
      auth: { kind: 'key', privateKey: s.clientKey.privateKey },
      pinnedHostKey: { algorithm: s.hostKeyAlgorithm, fingerprint: s.hostKeyFingerprint },
      contactTimeoutMs: 5000,
    });
  });
  afterAll(async () => {
    conn?.close();
    await s?.stop();
  });

  it('runs the next command with its stdin, stdout, stderr and exit code exactly as a fresh session would', async () => {
    const exec = vi.spyOn(conn.client, 'exec');
    conn.prepareExec();
    expect(conn.openChannels).toBe(1);
    const stdin = Buffer.concat([Buffer.from('line one\n'), Buffer.alloc(300_000, 7), Buffer.from('\0end')]);
    const r = await conn.exec(
      `wc -c; printf 'a\\\\b\\n%s\\n' "two
lines"; echo err >&2; exit 7`,
      stdin,
    );
    expect(r.code).toBe(7);
    expect(r.stdout.toString()).toBe(`${stdin.length}\na\\b\ntwo\nlines\n`);
    expect(r.stderr.trim()).toBe('err');
    // One session for both: the one opened ahead ran the command.
    expect(exec).toHaveBeenCalledTimes(1);
    exec.mockRestore();
    await new Promise((r) => setImmediate(r));
    expect(conn.openChannels).toBe(0);
  });

  it('stdin a command does not read is never run by the shell', async () => {
    conn.prepareExec();
    const r = await conn.exec('exit 3', 'touch /tmp/configsync-never-run\n');
    expect(r.code).toBe(3);
    expect((await conn.exec('test -e /tmp/configsync-never-run; echo $?')).stdout.toString().trim()).toBe(
      '1',
    );
  });

  it('an unused one is closed by dropPrepared, and its slot is free again', async () => {
    conn.prepareExec();
    expect(conn.openChannels).toBe(1);
    await conn.dropPrepared();
    expect(conn.openChannels).toBe(0);
    expect((await conn.exec('echo ok')).stdout.toString()).toBe('ok\n');
  });
});
