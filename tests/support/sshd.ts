import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, writeFile, chmod, rm } from 'node:fs/promises';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import { promisify } from 'node:util';
import { makeTempDir } from './temp.js';
import { freePort, waitForBanner } from './net.js';

const run = promisify(execFile);

export const SSHD = '/usr/sbin/sshd';
/** The local account tests log in as with a password (created by `ensurePasswordUser`). */
export const PASSWORD_USER = 'csynctest';
export const PASSWORD = 'correct-horse-battery-7';

export type SshdOptions = {
  /** Allow password and keyboard-interactive login (needs root to create the test user). */
  readonly passwordAuth?: boolean;
  /** OpenSSH MaxSessions (channels per connection); default OpenSSH's 10. */
  readonly maxSessions?: number;
  /** false: no root login at all (a hardened server, reached as an ordinary user with sudo). */
  readonly rootLogin?: boolean;
  /** Extra sshd_config lines. */
  readonly extraConfig?: ReadonlyArray<string>;
  /**
   * sshd's log (LogLevel INFO, `-E FILE`): one "Accepted …" line per login it accepted; 'verbose'
   * also one "Starting session" line per session (each command on a session of its own is one).
   */
  readonly logFile?: boolean | 'verbose';
};

export type ClientKey = {
  readonly privateKeyPath: string;
  readonly publicKey: string;
  readonly privateKey: string;
};

/** A running OpenSSH sshd on 127.0.0.1 with its own host key, authorized_keys and data root. */
export type SshdServer = {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** The account key login works for: the user running the tests. */
  readonly user: string;
  /** A folder the test may treat as this server's filesystem (e.g. its config root). */
  readonly dataRoot: string;
  /** Everything this server owns on disk. */
  readonly baseDir: string;
  readonly hostKeyPath: string;
  /** `SHA256:…` as `ssh-keygen -lf` prints it. */
  readonly hostKeyFingerprint: string;
  readonly hostKeyAlgorithm: string;
  /** The client key listed in this server's authorized_keys. */
  readonly clientKey: ClientKey;
  readonly authorizedKeysPath: string;
  readonly pid: number;
  /** sshd's log file, with `logFile: true`. */
  readonly logPath: string | null;
  stop(): Promise<void>;
  /** Stops sshd but keeps its folder (a server that went down; stop() later removes the folder). */
  halt(): Promise<void>;
  /** Replaces the host key (a "changed host key" scenario) and restarts on the same port. */
  rotateHostKey(): Promise<void>;
  /** Restarts on the same port with its config file as it is now (`baseDir/sshd_config`). */
  restart(): Promise<void>;
};

const running = new Set<ChildProcess>();
/** Folders of servers not stopped yet: removed when the process exits (a test that forgot stop()). */
const folders = new Set<string>();
process.on('exit', () => {
  for (const child of running) signalGroup(child, 'SIGKILL');
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid) process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}

/** Generates an ed25519 key pair with ssh-keygen; returns paths and contents. */
export async function makeKeyPair(dir: string, name: string): Promise<ClientKey> {
  const privateKeyPath = join(dir, name);
  await run('ssh-keygen', [
    '-q',
    '-t',
    'ed25519',
    '-N',
    '',
    '-C',
    `${name}@configsync-test`,
    '-f',
    privateKeyPath,
  ]);
  return {
    privateKeyPath,
    privateKey: await readFile(privateKeyPath, 'utf8'),
    publicKey: (await readFile(`${privateKeyPath}.pub`, 'utf8')).trim(),
  };
}

/** `ssh-keygen -lf` of a key file: `{algorithm, fingerprint}` with fingerprint as `SHA256:…`. */
export async function fingerprintOf(keyPath: string): Promise<{ algorithm: string; fingerprint: string }> {
  const { stdout } = await run('ssh-keygen', ['-l', '-E', 'sha256', '-f', keyPath]);
  const parts = stdout.trim().split(/\s+/);
  const fingerprint = parts[1] ?? '';
  const algorithm = (parts[parts.length - 1] ?? '').replace(/[()]/g, '');
  return { algorithm, fingerprint };
}

/** Creates (once) the local user password tests log in as, and sets its password. Needs root. */
export async function ensurePasswordUser(): Promise<void> {
  try {
    await run('id', [PASSWORD_USER]);
  } catch {
    await run('useradd', ['-m', '-s', '/bin/bash', PASSWORD_USER]);
  }
  await new Promise<void>((resolve, reject) => {
    const child = spawn('chpasswd', [], { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`chpasswd failed: ${err}`))));
    child.stdin.end(`${PASSWORD_USER}:${PASSWORD}\n`);
  });
}

/**
 * Starts `/usr/sbin/sshd -D -e` on a free 127.0.0.1 port and waits for its banner.
 * Call `stop()` in an afterEach/afterAll; a process-exit hook kills any left behind.
 */
export async function startSshd(options: SshdOptions = {}): Promise<SshdServer> {
  if (!existsSync(SSHD)) throw new Error(`${SSHD} is missing: apt-get install -y openssh-server`);
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
  const { dir: baseDir } = await makeTempDir('configsync-sshd-');
  folders.add(baseDir);
  const hostKeyPath = join(baseDir, 'ssh_host_ed25519_key');
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKeyPath]);
  const clientKey = await makeKeyPair(baseDir, 'client_ed25519');
  const authorizedKeysPath = join(baseDir, 'authorized_keys');
  await writeFile(authorizedKeysPath, `${clientKey.publicKey}\n`, { mode: 0o600 });
  const dataRoot = join(baseDir, 'data');
  await mkdir(dataRoot, { recursive: true });
  if (options.passwordAuth) await ensurePasswordUser();

  const port = await freePort();
  const configPath = join(baseDir, 'sshd_config');
  const pidFile = join(baseDir, 'sshd.pid');
  const lines = [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${hostKeyPath}`,
    `PidFile ${pidFile}`,
    // Our own file for the key-login user; the password user keeps no keys of ours.
    `AuthorizedKeysFile ${authorizedKeysPath} .ssh/authorized_keys`,
    'StrictModes no',
    `PermitRootLogin ${options.rootLogin === false ? 'no' : 'prohibit-password'}`,
    'PubkeyAuthentication yes',
    `PasswordAuthentication ${options.passwordAuth ? 'yes' : 'no'}`,
    `KbdInteractiveAuthentication ${options.passwordAuth ? 'yes' : 'no'}`,
    `UsePAM ${options.passwordAuth ? 'yes' : 'no'}`,
    `MaxSessions ${options.maxSessions ?? 10}`,
    'MaxStartups 100:30:200',
    'Subsystem sftp internal-sftp',
    `LogLevel ${options.logFile === 'verbose' ? 'VERBOSE' : options.logFile ? 'INFO' : 'ERROR'}`,
    ...(options.extraConfig ?? []),
  ];
  await writeFile(configPath, `${lines.join('\n')}\n`);
  await chmod(hostKeyPath, 0o600);

  const hostFp = await fingerprintOf(hostKeyPath);
  const logPath = options.logFile ? join(baseDir, 'sshd.log') : null;
  let child = await launch(configPath, port, logPath);
  const server: SshdServer = {
    host: '127.0.0.1',
    port,
    user: userInfo().username,
    dataRoot,
    baseDir,
    hostKeyPath,
    hostKeyFingerprint: hostFp.fingerprint,
    hostKeyAlgorithm: hostFp.algorithm,
    clientKey,
    authorizedKeysPath,
    logPath,
    get pid() {
      return child.pid ?? -1;
    },
    async halt() {
      await kill(child);
    },
    /** Stops sshd and removes its folder (keys, config, data): a suite leaves nothing in /tmp. */
    async stop() {
      await kill(child);
      await rm(baseDir, { recursive: true, force: true });
      folders.delete(baseDir);
    },
    async rotateHostKey() {
      await kill(child);
      await run('rm', ['-f', hostKeyPath, `${hostKeyPath}.pub`]);
      await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKeyPath]);
      const fp = await fingerprintOf(hostKeyPath);
      (server as { hostKeyFingerprint: string }).hostKeyFingerprint = fp.fingerprint;
      child = await launch(configPath, port, logPath);
    },
    async restart() {
      await kill(child);
      child = await launch(configPath, port, logPath);
    },
  };
  return server;
}

async function launch(configPath: string, port: number, logPath: string | null): Promise<ChildProcess> {
  // Own process group, so stop() also ends the per-connection children.
  const child = spawn(SSHD, ['-D', '-e', '-f', configPath, ...(logPath ? ['-E', logPath] : [])], {
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  running.add(child);
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr += d));
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`sshd exited (${code}): ${stderr.trim()}`))),
  );
  exited.catch(() => undefined);
  await Promise.race([waitForBanner(port, 'SSH-2.0'), exited]);
  return child;
}

/** Every process below `pid` (sshd's per-connection processes each start a session of their own). */
function descendants(pid: number): number[] {
  let out = '';
  try {
    out = execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' });
  } catch {
    return [];
  }
  const direct = out.split('\n').filter(Boolean).map(Number);
  return [...direct, ...direct.flatMap(descendants)];
}

/** The sshd processes among them (per-connection monitors and session processes). */
function sshdOnly(pids: number[]): number[] {
  return pids.filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').startsWith('sshd');
    } catch {
      return false;
    }
  });
}

/**
 * Stops sshd as a server going down does: the listener and the process of every connection it
 * accepted (a connection kept open by the client is cut, not left talking to an orphan). The
 * commands those sessions run (login shells, tar) are left to end on their own as their connection
 * goes: a login shell killed while its startup files hold a lock (pyenv's rehash lock in root's
 * `.bashrc` on this machine) leaves it behind, and every later login on the host then waits for it.
 */
async function kill(child: ChildProcess): Promise<void> {
  running.delete(child);
  if (child.exitCode !== null || child.signalCode !== null) return;
  const sessions = child.pid ? sshdOnly(descendants(child.pid)) : [];
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    signalGroup(child, 'SIGTERM');
    setTimeout(() => signalGroup(child, 'SIGKILL'), 2000).unref();
  });
  for (const pid of sessions) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
