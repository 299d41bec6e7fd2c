import type { HostCapabilities } from '../../src-shared/model/capabilities.js';
import type { SshConnection } from './ssh-connection.js';

/** The probe, run by `/bin/sh` whatever the login shell is; each line `key=value`. */
export const CAPABILITY_PROBE = [
  'echo shell=posix',
  'printf "login=%s\\n" "${SHELL:-}"',
  '[ "$(find / -maxdepth 0 -printf x 2>/dev/null)" = x ] && echo find=1 || echo find=0',
  'v=$(tar --version 2>&1 | head -n 1)',
  'case "$v" in *"GNU tar"*) echo tar=gnu;; *bsdtar*|*libarchive*) echo tar=bsd;; *BusyBox*) echo tar=busybox;; "") echo tar=;; *) command -v tar >/dev/null 2>&1 && echo tar=other || echo tar=;; esac',
  'if command -v openssl >/dev/null 2>&1 && [ "$(printf "" | openssl dgst -sha256 -r 2>/dev/null | cut -c1-8)" = e3b0c442 ]; then echo hash=openssl;',
  'elif [ "$(printf "" | sha256sum 2>/dev/null | cut -c1-8)" = e3b0c442 ]; then echo hash=sha256sum; else echo hash=; fi',
  'command -v sudo >/dev/null 2>&1 && echo sudo=1 || echo sudo=0',
].join('\n');

/** Reads the probe's lines; an answer without `shell=posix` (an SFTP-only account's) means no commands. */
export function parseProbe(
  output: string,
  sftpExtensions: ReadonlyArray<string>,
  now: Date,
  home = '',
): HostCapabilities {
  const values = new Map<string, string>();
  for (const line of output.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) values.set(line.slice(0, eq), line.slice(eq + 1).trim());
  }
  const posix = values.get('shell') === 'posix';
  const tar = values.get('tar');
  const hash = values.get('hash');
  return {
    shell: posix ? 'posix' : 'none',
    loginShell: values.get('login') ?? '',
    findPrintf: posix && values.get('find') === '1',
    tar: posix && (tar === 'gnu' || tar === 'bsd' || tar === 'busybox' || tar === 'other') ? tar : null,
    hashTool: posix && (hash === 'openssl' || hash === 'sha256sum') ? hash : null,
    sudo: posix && values.get('sudo') === '1',
    sftpExtensions: [...sftpExtensions].sort(),
    os: isWindowsHome(home) ? 'windows' : 'posix',
    probedAt: now.toISOString(),
  };
}

/** Windows OpenSSH's SFTP server names folders with their drive: `/C:/Users/cfg`. */
export function isWindowsHome(home: string): boolean {
  return /^\/?[A-Za-z]:(\/|\\|$)/.test(home);
}

/** The login's home folder as the SFTP server names it ('' when it does not say). */
async function sftpHome(conn: SshConnection): Promise<string> {
  const sftp = await conn.sftp();
  return new Promise((resolve) => sftp.realpath('.', (err, p) => resolve(err ? '' : p)));
}

/** The extensions the server's SFTP subsystem announced in its version packet. */
export async function sftpExtensionsOf(conn: SshConnection): Promise<string[]> {
  const sftp = (await conn.sftp()) as unknown as { _extensions?: Record<string, unknown> };
  return Object.keys(sftp._extensions ?? {});
}

/**
 * Probes a connection: the script goes to `/bin/sh -s` (so a csh or fish login shell cannot break
 * it); an account that runs no commands answers with something else, or not at all, within a bound.
 */
export async function probeHost(conn: SshConnection, now = new Date()): Promise<HostCapabilities> {
  const extensions = await sftpExtensionsOf(conn);
  const home = await sftpHome(conn);
  let output = '';
  try {
    // The script on stdin: csh cannot take a quoted string across lines, and every shell runs `/bin/sh -s`.
    const r = await withTimeout(conn.exec('/bin/sh -s', `${CAPABILITY_PROBE}\n`), 10_000);
    output = r.code === 0 ? r.stdout.toString('utf8') : '';
  } catch {
    // No exec at all (the server refused the session's command): no shell.
  }
  return parseProbe(output, extensions, now, home);
}

/** Which bulk paths a server's capabilities allow: exec listings, tar streams, hashing on the server. */
export function fastPathsOf(caps: HostCapabilities): { exec: boolean; tar: boolean; hash: boolean } {
  const exec = caps.shell === 'posix';
  return {
    exec: exec && caps.findPrintf,
    tar: exec && caps.tar === 'gnu',
    hash: exec && caps.hashTool !== null,
  };
}

async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('the probe did not answer')), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
