import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { enablePrivilege, type Privilege } from '../../../src-main/transport/remote-command.js';
import type { SshConnection } from '../../../src-main/transport/ssh-connection.js';
import { SshEndpoint } from '../../../src-main/transport/ssh-endpoint.js';
import { startSshd, type SshdServer } from '../../support/sshd.js';
import {
  connectAs,
  ensureSudoAccounts,
  HARDENED_SSHD,
  SERVICE_ACCOUNT,
  SUDO_ACCOUNTS,
  SUDO_PASSWORD,
} from '../../support/sudo-accounts.js';

const run = promisify(execFile);

describe('sudo on a server without root login (real sshd, real sudo)', () => {
  let server: SshdServer;
  const open: SshConnection[] = [];
  const login = async (user: string, privilege: Privilege): Promise<SshConnection> => {
    const conn = await connectAs(server, user);
    open.push(conn);
    await enablePrivilege(conn, privilege, 'hardened');
    return conn;
  };
  beforeAll(async () => {
    await ensureSudoAccounts();
    server = await startSshd(HARDENED_SSHD);
    // A root-only file and a file of a service account, where the login users cannot read them.
    await fs.chmod(server.dataRoot, 0o700);
    await fs.writeFile(join(server.dataRoot, 'secret.conf'), 'root only\n', { mode: 0o600 });
    await fs.writeFile(join(server.dataRoot, 'svc.conf'), 'service\n', { mode: 0o600 });
    await run('chown', [`${SERVICE_ACCOUNT}:${SERVICE_ACCOUNT}`, join(server.dataRoot, 'svc.conf')]);
  });
  afterAll(async () => {
    for (const c of open) c.close();
    await server?.stop();
  });

  it('refuses root login: the hardened server is only reachable as an ordinary user', async () => {
    await expect(connectAs(server, 'root')).rejects.toMatchObject({ code: 'AUTH_FAILED' });
  });

  it('NOPASSWD sudo: commands and SFTP run as root, files are read and written with root rights', async () => {
    const conn = await login(SUDO_ACCOUNTS.nopasswd, { sudo: true });
    expect((await conn.exec('id -u')).stdout.toString().trim()).toBe('0');
    const ep = new SshEndpoint(conn, { fastPath: true, label: 'hardened' });
    expect((await ep.readFile(join(server.dataRoot, 'secret.conf'))).toString()).toBe('root only\n');
    await ep.writeFile(join(server.dataRoot, 'new.conf'), Buffer.from('by sftp\n'), 0o640);
    const st = await fs.stat(join(server.dataRoot, 'new.conf'));
    expect([st.uid, st.mode & 0o777]).toEqual([0, 0o640]);
    // The listing (an exec) sees the root-only folder too.
    // The root itself comes first, as the empty path.
    const listed = (await ep.list(server.dataRoot))?.map((e) => e.path).sort();
    expect(listed).toEqual(['', 'new.conf', 'secret.conf', 'svc.conf']);
  });

  it("sudo as a named user reads that user's files", async () => {
    const conn = await login(SUDO_ACCOUNTS.nopasswd, { sudo: true, user: SERVICE_ACCOUNT });
    expect((await conn.exec('id -un')).stdout.toString().trim()).toBe(SERVICE_ACCOUNT);
  });

  it('password sudo: the right password works for commands and SFTP, fed on stdin', async () => {
    const conn = await login(SUDO_ACCOUNTS.password, { sudo: true, password: SUDO_PASSWORD });
    expect((await conn.exec('id -u')).stdout.toString().trim()).toBe('0');
    // stdin after the password line is the command's own.
    expect((await conn.exec('cat', 'data after the password')).stdout.toString()).toBe(
      'data after the password',
    );
    const ep = new SshEndpoint(conn, { fastPath: true, label: 'hardened' });
    expect((await ep.readFile(join(server.dataRoot, 'svc.conf'))).toString()).toBe('service\n');
    // A session opened ahead goes through sudo too.
    conn.prepareExec();
    expect((await conn.exec('id -u')).stdout.toString().trim()).toBe('0');
  });

  it('password sudo: a listing a run follows goes on as the command session, as root, on one session', async () => {
    const conn = await login(SUDO_ACCOUNTS.password, { sudo: true, password: SUDO_PASSWORD });
    const ep = new SshEndpoint(conn, { fastPath: true, label: 'hardened' });
    const exec = vi.spyOn(conn.client, 'exec');
    ep.keepListingSession();
    const listed = (await ep.list(server.dataRoot))?.map((e) => e.path).sort();
    expect(listed).toEqual(expect.arrayContaining(['', 'secret.conf', 'svc.conf']));
    expect((await conn.exec('id -u')).stdout.toString().trim()).toBe('0');
    expect((await conn.exec('cat', 'stdin after the listing')).stdout.toString()).toBe(
      'stdin after the listing',
    );
    expect(exec).toHaveBeenCalledTimes(1);
    exec.mockRestore();
  });

  it('password sudo: a wrong password, or none, is a clear error before anything runs', async () => {
    await expect(login(SUDO_ACCOUNTS.password, { sudo: true, password: 'wrong' })).rejects.toMatchObject({
      code: 'SUDO_WRONG_PASSWORD',
    });
    await expect(login(SUDO_ACCOUNTS.password, { sudo: true })).rejects.toMatchObject({
      code: 'SUDO_PASSWORD_NEEDED',
    });
  });

  it('a user without the sudo right, and a sudo that needs a tty, are refused in words', async () => {
    // Without a password sudo cannot tell a missing right from a wanted password; with one it can.
    await expect(login(SUDO_ACCOUNTS.none, { sudo: true })).rejects.toMatchObject({
      code: 'SUDO_PASSWORD_NEEDED',
    });
    await expect(login(SUDO_ACCOUNTS.none, { sudo: true, password: SUDO_PASSWORD })).rejects.toMatchObject({
      code: 'SUDO_NOT_ALLOWED',
    });
    await expect(login(SUDO_ACCOUNTS.tty, { sudo: true })).rejects.toMatchObject({
      code: 'SUDO_TTY_REQUIRED',
    });
  });
});
