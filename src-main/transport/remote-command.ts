import { AppError } from '../errors/app-error.js';
import { shq } from './shell-quote.js';

/**
 * How a server's commands and files are reached once logged in: as the login itself, or through sudo
 * (as root or a named user). `password` is the sudo password for one run only: held in memory by the
 * connection, written to sudo's stdin, never put on a command line, in a file or in a log.
 */
export type Privilege =
  { readonly sudo: false } | { readonly sudo: true; readonly user?: string; readonly password?: string };

export const NO_PRIVILEGE: Privilege = { sudo: false };

/** Characters every login shell (sh, bash, csh, tcsh, fish) reads the same way inside single quotes. */
const PLAIN_FOR_ANY_SHELL = /^[^\n\r\\!]*$/;
/** Characters printf's format string takes as they are (inside double quotes of sh). */
const PLAIN_FOR_PRINTF = /[A-Za-z0-9 _./:=,+@-]/;

/**
 * `command` as a POSIX `/bin/sh -c` runs it, written so that whatever the login shell is (an SSH exec
 * request is always run by the user's login shell: bash, csh, fish...) it hands the command to sh
 * unchanged. Most commands need only single quotes; one holding a newline, a backslash or a `!` (which
 * csh and fish read inside single quotes) is spelled as printf octal escapes that sh turns back into it.
 */
export function shCommand(command: string): string {
  if (PLAIN_FOR_ANY_SHELL.test(command)) return `/bin/sh -c ${shq(command)}`;
  let format = '';
  for (const byte of Buffer.from(command, 'utf8')) {
    const ch = String.fromCharCode(byte);
    format += byte < 0x80 && PLAIN_FOR_PRINTF.test(ch) ? ch : `\\${byte.toString(8).padStart(3, '0')}`;
  }
  return `/bin/sh -c 'eval "$(printf "${format}")"'`;
}

/** sudo's own options before the command: no prompt text, and the user to become when not root. */
function sudoPrefix(privilege: Privilege & { sudo: true }): string {
  const user = privilege.user ? ` -u ${shq(privilege.user)}` : '';
  // -S with -k: the password is always read from stdin (a cached credential would otherwise leave
  // the password line to the command); -n: never ask, fail at once when a password is needed.
  return privilege.password !== undefined ? `sudo -k -S -p ''${user} --` : `sudo -n${user} --`;
}

/** The exec request for `command` under `privilege`: `/bin/sh -c`, through sudo when configured. */
export function remoteCommand(command: string, privilege: Privilege): string {
  const sh = shCommand(command);
  return privilege.sudo ? `${sudoPrefix(privilege)} ${sh}` : sh;
}

/** The exec request that starts a program (not a shell command) under `privilege`, e.g. sftp-server. */
export function remoteProgram(program: string, privilege: Privilege): string {
  return privilege.sudo ? `${sudoPrefix(privilege)} ${shq(program)}` : shq(program);
}

/** What must be written to the channel's stdin before anything else: sudo's password line, if any. */
export function stdinPrefix(privilege: Privilege): Buffer | null {
  return privilege.sudo && privilege.password !== undefined ? Buffer.from(`${privilege.password}\n`) : null;
}

/** Where OpenSSH's sftp-server lives on the usual systems (Debian, RHEL, Arch, BSD, macOS). */
export const SFTP_SERVER_PATHS: ReadonlyArray<string> = [
  '/usr/lib/openssh/sftp-server',
  '/usr/libexec/openssh/sftp-server',
  '/usr/lib/ssh/sftp-server',
  '/usr/libexec/sftp-server',
  '/usr/lib/sftp-server',
];

/**
 * A script that prints the sftp-server program to run under sudo: the one sshd_config names (when it
 * is not internal-sftp), else the first of the usual places that exists.
 */
export function findSftpServerScript(): string {
  return [
    `s=$(awk 'tolower($1)=="subsystem" && $2=="sftp" {print $3; exit}' /etc/ssh/sshd_config 2>/dev/null)`,
    `case "$s" in /*) [ -x "$s" ] && { echo "$s"; exit 0; };; esac`,
    `for p in ${SFTP_SERVER_PATHS.map(shq).join(' ')}; do [ -x "$p" ] && { echo "$p"; exit 0; }; done`,
    'exit 1',
  ].join('\n');
}

/** What a failed `sudo` said, in words, with its code; null when the output is not a sudo refusal. */
export function sudoRefusal(stderr: string, label: string, privilege: Privilege): AppError | null {
  const as = privilege.sudo && privilege.user ? `as ${privilege.user}` : 'as root';
  const s = stderr.toLowerCase();
  if (/must have a tty|terminal is required|no tty present/.test(s))
    return new AppError(
      'SUDO_TTY_REQUIRED',
      `sudo on ${label} needs a terminal (requiretty, or a password prompt that cannot be answered without one). Allow it without a tty for this user (Defaults:USER !requiretty) or use NOPASSWD. Nothing was changed.`,
    );
  if (/incorrect password|sorry, try again|password attempts/.test(s))
    return new AppError(
      'SUDO_WRONG_PASSWORD',
      `The sudo password for ${label} was not accepted. Nothing was changed.`,
    );
  if (/a password is required/.test(s))
    return new AppError(
      'SUDO_PASSWORD_NEEDED',
      `sudo on ${label} asks for a password: give the sudo password for this run. Nothing was changed.`,
    );
  if (/not in the sudoers|not allowed to (execute|run)|may not run sudo|is not allowed to run sudo/.test(s))
    return new AppError(
      'SUDO_NOT_ALLOWED',
      `The login user on ${label} may not run commands ${as} with sudo. Nothing was changed.`,
    );
  if (/sudo: (command )?not found|sudo: no such file/.test(s))
    return new AppError('SUDO_MISSING', `sudo is not installed on ${label}. Nothing was changed.`);
  return null;
}

/** The part of SshConnection that enablePrivilege needs. */
export type PrivilegedConnection = {
  usePrivilege(privilege: Privilege, sftpServer: string | null): void;
  exec(
    command: string,
    stdin?: Buffer | string,
  ): Promise<{ code: number | null; stdout: Buffer; stderr: string }>;
};

/**
 * Switches a connection to sudo, after checking that sudo works there for this run: a sudo that needs a
 * tty, a wrong or missing password, or a user without the right fails here, with its own code, before
 * anything is read or written. Also finds the sftp-server program the per-file path runs through sudo.
 */
export async function enablePrivilege(
  conn: PrivilegedConnection,
  privilege: Privilege,
  label: string,
): Promise<void> {
  if (!privilege.sudo) return;
  conn.usePrivilege(privilege, null);
  const r = await conn.exec(findSftpServerScript()).catch((err: unknown) => {
    conn.usePrivilege(NO_PRIVILEGE, null);
    throw err;
  });
  if (r.code !== 0) {
    conn.usePrivilege(NO_PRIVILEGE, null);
    throw (
      sudoRefusal(r.stderr, label, privilege) ??
      (/sudo/i.test(r.stderr)
        ? new AppError(
            'SUDO_FAILED',
            `sudo failed on ${label}: ${r.stderr.trim().slice(0, 300)}. Nothing was changed.`,
          )
        : new AppError(
            'SUDO_NO_SFTP_SERVER',
            `No sftp-server program was found on ${label} (looked in sshd_config and ${SFTP_SERVER_PATHS.join(', ')}); files cannot be read or written through sudo without it. Nothing was changed.`,
          ))
    );
  }
  conn.usePrivilege(privilege, r.stdout.toString('utf8').trim().split('\n')[0] ?? null);
}
