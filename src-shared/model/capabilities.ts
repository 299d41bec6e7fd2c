import { z } from 'zod';

/**
 * What a server offers the engine, each tried on the server, probed once and kept with the server
 * entry: whether commands run at all (an SFTP-only account runs none), and which of the exec fast
 * paths work there. Every operation has an SFTP path that is used when its fast path is missing.
 */
export const hostCapabilities = z.object({
  /** `posix`: `/bin/sh -c` runs commands; `none`: no commands (ForceCommand internal-sftp, a chroot). */
  shell: z.enum(['posix', 'none']),
  /** The login shell named by $SHELL (csh, fish… are fine: every command runs under /bin/sh -c). */
  loginShell: z.string(),
  /** GNU find's -printf (one-round-trip listings). */
  findPrintf: z.boolean(),
  /** tar, and which one: GNU tar takes `--null -T -`, the bulk transfer's form. */
  tar: z.enum(['gnu', 'bsd', 'busybox', 'other']).nullable(),
  /** A SHA-256 tool for checksum compares on the server (else the file is read over SFTP and hashed here). */
  hashTool: z.enum(['openssl', 'sha256sum']).nullable(),
  sudo: z.boolean(),
  /** SFTP extensions the server announced (posix-rename@openssh.com, fsync@openssh.com, hardlink…). */
  sftpExtensions: z.array(z.string()),
  /**
   * `windows` where the SFTP server names the home folder with a drive (`/C:/Users/cfg`, as Windows
   * OpenSSH does); absent (older records) reads as posix. Kept with the server like the rest, so an
   * entry's record is also where a host that cannot be probed is said to be Windows.
   */
  os: z.enum(['posix', 'windows']).optional(),
  probedAt: z.string(),
});
export type HostCapabilities = z.infer<typeof hostCapabilities>;
