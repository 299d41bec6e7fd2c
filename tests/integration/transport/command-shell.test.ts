import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openSsh, type SshConnection } from '../../../src-main/transport/ssh-connection.js';
import { COMMAND_SHELL_STDIN_UP_TO } from '../../../src-main/transport/command-shell.js';
import { startSshd, type SshdServer } from '../../support/sshd.js';

describe('small commands on one kept session (the command session)', () => {
  let s: SshdServer;
  let conn: SshConnection;
  /** A connection of its own to the test sshd (pinned key, client key). */
  const connect = () =>
    openSsh({
      host: s.host,
      port: s.port,
      username: s.user,
      auth: { kind: 'key', privateKey: s.clientKey.privateKey },
      pinnedHostKey: { algorithm: s.hostKeyAlgorithm, fingerprint: s.hostKeyFingerprint },
      contactTimeoutMs: 5000,
    });
  beforeAll(async () => {
    s = await startSshd();
    conn = await connect();
    conn.allowCommandShell();
  });
  afterAll(async () => {
    conn?.close();
    await s?.stop();
  });

  it('runs command after command with stdin, stdout, stderr and exit codes as sessions of their own would, on one session', async () => {
    const exec = vi.spyOn(conn.client, 'exec');
    // Binary stdin with NULs and no final newline, read whole; output with NULs and no final newline.
    const stdin = Buffer.concat([Buffer.from('line one\n'), Buffer.alloc(200_000, 7), Buffer.from('\0end')]);
    const a = await conn.exec(
      `wc -c; printf 'a\\\\b\\n%s\\n' "two
lines"; echo err >&2; exit 7`,
      stdin,
    );
    expect(a.code).toBe(7);
    expect(a.stdout.toString()).toBe(`${stdin.length}\na\\b\ntwo\nlines\n`);
    expect(a.stderr.trim()).toBe('err');
    const b = await conn.exec("printf 'x\\0y'");
    expect(b.code).toBe(0);
    expect([...b.stdout]).toEqual([0x78, 0, 0x79]);
    // A script on stdin, as the engine's `/bin/sh -s` steps send it; each runs in its own process.
    const c = await conn.exec('/bin/sh -s', 'cd /tmp\nx=1\necho "$x $(pwd)"\n');
    expect(c.stdout.toString()).toBe('1 /tmp\n');
    const d = await conn.exec('echo "${x:-unset} $(pwd)"');
    expect(d.stdout.toString()).toMatch(/^unset \/.*\n$/);
    expect(d.stdout.toString()).not.toBe('unset /tmp\n');
    // Output larger than one SSH window.
    const e = await conn.exec('head -c 3000000 /dev/zero');
    expect(e.stdout.length).toBe(3_000_000);
    // A killed command is reported as a shell reports it (128 + signal).
    const f = await conn.exec('kill -TERM $$');
    expect(f.code).toBe(143);
    expect(exec).toHaveBeenCalledTimes(1);
    exec.mockRestore();
  });

  it('a command that comes while another runs gets a session of its own, and both answer', async () => {
    const exec = vi.spyOn(conn.client, 'exec');
    const [slow, quick] = await Promise.all([conn.exec('sleep 0.5; echo slow'), conn.exec('echo quick')]);
    expect(slow.stdout.toString()).toBe('slow\n');
    expect(quick.stdout.toString()).toBe('quick\n');
    expect(exec).toHaveBeenCalledTimes(1);
    exec.mockRestore();
  });

  it('an answer of many megabytes (the listing of a big tree) comes whole, byte for byte', async () => {
    const exec = vi.spyOn(conn.client, 'exec');
    const r = await conn.exec('awk \'BEGIN { for (i = 0; i < 1500000; i++) printf "%07d\\n", i }\'');
    expect(r.code).toBe(0);
    expect(r.stdout.length).toBe(12_000_000);
    const lines = r.stdout.toString('latin1').split('\n');
    expect(lines[0]).toBe('0000000');
    expect(lines[1_234_567]).toBe('1234567');
    expect(lines[1_499_999]).toBe('1499999');
    expect(exec).toHaveBeenCalledTimes(0);
    exec.mockRestore();
  });

  it('stdin up to the limit (a path list of 100,000 names) runs on the session, byte for byte', async () => {
    const exec = vi.spyOn(conn.client, 'exec');
    const paths = Array.from(
      { length: 100_000 },
      (_, i) => `./group-${i % 10}/conf-${i % 100}/item-${i}.conf\0`,
    );
    const stdin = Buffer.from(paths.join(''));
    expect(stdin.length).toBeGreaterThan(3_000_000);
    expect(stdin.length).toBeLessThanOrEqual(COMMAND_SHELL_STDIN_UP_TO);
    const r = await conn.exec('wc -c', stdin);
    expect(r.stdout.toString()).toBe(`${stdin.length}\n`);
    const last = await conn.exec("tr '\\0' '\\n' | sed -n '1p;77777p;$p'", stdin);
    expect(last.stdout.toString()).toBe(
      './group-0/conf-0/item-0.conf\n./group-6/conf-76/item-77776.conf\n./group-9/conf-99/item-99999.conf\n',
    );
    expect(exec).toHaveBeenCalledTimes(0);
    exec.mockRestore();
  });

  it('stdin too large for the session goes to a session of its own', async () => {
    const exec = vi.spyOn(conn.client, 'exec');
    const r = await conn.exec('wc -c', Buffer.alloc(COMMAND_SHELL_STDIN_UP_TO + 1, 1));
    expect(r.stdout.toString().trim()).toBe(String(COMMAND_SHELL_STDIN_UP_TO + 1));
    expect(exec).toHaveBeenCalledTimes(1);
    exec.mockRestore();
  });

  it('opened ahead (a run follows its plan), the session is started at once and serves the first small command', async () => {
    const other = await connect();
    try {
      const exec = vi.spyOn(other.client, 'exec');
      other.openCommandShellAhead(); // not allowed yet: nothing starts
      await new Promise((r) => setTimeout(r, 50));
      expect(exec).toHaveBeenCalledTimes(0);
      other.allowCommandShell();
      other.openCommandShellAhead();
      other.openCommandShellAhead(); // a second call starts no second session
      await new Promise((r) => setTimeout(r, 50));
      // Started before any command was asked for.
      expect(exec).toHaveBeenCalledTimes(1);
      expect((await other.exec('echo first')).stdout.toString()).toBe('first\n');
      expect((await other.exec('echo second')).stdout.toString()).toBe('second\n');
      expect(exec).toHaveBeenCalledTimes(1);
      exec.mockRestore();
    } finally {
      other.close();
    }
  });

  it('a connection that goes down during a command fails that command, not silently', async () => {
    const other = await connect();
    other.allowCommandShell();
    expect((await other.exec('echo warm')).stdout.toString()).toBe('warm\n');
    const running = other.exec('sleep 5; echo late');
    setTimeout(() => other.client.destroy(), 300);
    await expect(running).rejects.toThrow();
  });
});
