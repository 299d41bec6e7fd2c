import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { openSsh, type SshConnection } from '../../src-main/transport/ssh-connection.js';
import type { SshdServer } from './sshd.js';

const run = promisify(execFile);

/** The login password of every account below (what `sudo` asks for from the password account). */
export const SUDO_PASSWORD = 'sudo-Pass word-7x!';

/**
 * Test accounts of a hardened server (log in as them on an sshd started with `PermitRootLogin no`):
 * each kind of sudo a real server has. Created by `ensureSudoAccounts` (idempotent), their sudoers
 * files removed by `removeSudoRules`.
 */
export const SUDO_ACCOUNTS = {
  /** `NOPASSWD: ALL`: sudo -n works. */
  nopasswd: 'csync-nopw',
  /** `ALL` with a password: sudo -S with SUDO_PASSWORD. */
  password: 'csync-pw',
  /** No sudo rule at all. */
  none: 'csync-nosudo',
  /** `NOPASSWD: ALL` but `requiretty`: sudo refuses any command without a terminal. */
  tty: 'csync-tty',
} as const;

/** A service account that owns files (as nginx or postgres would), never logged in to. */
export const SERVICE_ACCOUNT = 'csync-svc';

const SUDOERS_FILE = '/etc/sudoers.d/configsync-tests';

/** Makes the accounts, their password and the sudoers rules (needs root and the sudo package). */
export async function ensureSudoAccounts(): Promise<void> {
  if (!existsSync('/usr/bin/sudo')) throw new Error('sudo is missing: bash scripts/ci-deps.sh installs it');
  for (const user of [...Object.values(SUDO_ACCOUNTS), SERVICE_ACCOUNT]) {
    const known = await run('id', ['-u', user]).then(
      () => true,
      () => false,
    );
    if (!known)
      await run('useradd', ['-m', '-s', '/bin/bash', user]).catch(async (err: unknown) => {
        // Another test file made it meanwhile.
        if (
          !(await run('id', ['-u', user]).then(
            () => true,
            () => false,
          ))
        )
          throw err;
      });
  }
  await chpasswd(Object.values(SUDO_ACCOUNTS).map((u) => `${u}:${SUDO_PASSWORD}`));
  await mkdir('/etc/sudoers.d', { recursive: true });
  const rules = [
    `${SUDO_ACCOUNTS.nopasswd} ALL=(ALL:ALL) NOPASSWD: ALL`,
    `${SUDO_ACCOUNTS.password} ALL=(ALL:ALL) ALL`,
    `Defaults:${SUDO_ACCOUNTS.tty} requiretty`,
    `${SUDO_ACCOUNTS.tty} ALL=(ALL:ALL) NOPASSWD: ALL`,
    // The default lecture would be printed on stderr each time; the password account keeps no timestamp.
    `Defaults:${SUDO_ACCOUNTS.password} lecture=never`,
    '',
  ].join('\n');
  const tmp = `${SUDOERS_FILE}.tmp-${process.pid}`;
  await writeFile(tmp, rules, { mode: 0o440 });
  await run('visudo', ['-cf', tmp]);
  await run('mv', ['-f', tmp, SUDOERS_FILE]);
  await chmod(SUDOERS_FILE, 0o440);
}

/** Removes the sudoers rules (the accounts stay: they hold no right without them). */
export async function removeSudoRules(): Promise<void> {
  await rm(SUDOERS_FILE, { force: true });
}

function chpasswd(lines: ReadonlyArray<string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('chpasswd', [], { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`chpasswd failed: ${err}`))));
    child.stdin.end(`${lines.join('\n')}\n`);
  });
}

/** sshd options of a hardened server: no root login (log in as one of SUDO_ACCOUNTS). */
export const HARDENED_SSHD = { rootLogin: false } as const;

/**
 * Logs in to `server` as `user` with the server's client key (its authorized_keys serves every
 * account; sshd reads it as that user, so the file and its folder are made readable to them).
 */
export async function connectAs(server: SshdServer, user: string): Promise<SshConnection> {
  await chmod(server.baseDir, 0o711);
  await chmod(server.authorizedKeysPath, 0o644);
  return openSsh({
    host: server.host,
    port: server.port,
    username: user,
    auth: { kind: 'key', privateKey: server.clientKey.privateKey },
    pinnedHostKey: { algorithm: server.hostKeyAlgorithm, fingerprint: server.hostKeyFingerprint },
    contactTimeoutMs: 10_000,
  });
}
