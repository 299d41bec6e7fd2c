import type { SFTPWrapper } from 'ssh2';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs/promises';
import { call } from './sftp-ops.js';

/** Up to this many paths are fsync-ed one by one; more are flushed with one syncfs of their filesystem. */
export const FSYNC_EACH_UP_TO = 64;

/** Requests kept in flight while fsync-ing over SFTP. */
const IN_FLIGHT = 32;

async function eachBounded<T>(items: ReadonlyArray<T>, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, items.length) }, worker));
}

/**
 * fsync(2) of each path over SFTP (OpenSSH's fsync@openssh.com on a read-only handle; a folder opens
 * as well, so a rename's or a new name's entry is made durable too).
 */
export async function sftpFsync(sftp: SFTPWrapper, paths: ReadonlyArray<string>): Promise<void> {
  await eachBounded(paths, async (p) => {
    const handle = await call<Buffer>(sftp, (cb) => sftp.open(p, 'r', cb));
    try {
      await call<unknown>(sftp, (cb) => sftp.ext_openssh_fsync(handle, cb));
    } finally {
      await call<void>(sftp, (cb) => sftp.close(handle, cb)).catch(() => undefined);
    }
  });
}

/** fsync(2) of each local path (files and folders). */
export async function localFsync(paths: ReadonlyArray<string>): Promise<void> {
  await eachBounded(paths, async (p) => {
    const fh = await fs.open(p, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  });
}

/** syncfs(2) of the local filesystem holding `dir` (coreutils `sync -f`); false when that is not there. */
export function localSyncfs(dir: string): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn('sync', ['-f', dir], { stdio: 'ignore' });
    child.on('error', () => resolve(false));
    child.on('close', (code) => resolve(code === 0));
  });
}

/** The shell command flushing the filesystem holding `dir` (syncfs); plain `sync` where -f is unknown. */
export const syncfsCommand = (quotedDir: string) => `sync -f ${quotedDir} 2>/dev/null || sync`;
