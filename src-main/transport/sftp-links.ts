import type { SFTPWrapper } from 'ssh2';
import type { LocalCopy } from './endpoint.js';
import { call, isNoSuchFile, sftpMkdirp } from './sftp-ops.js';

/** Requests kept in flight. */
const IN_FLIGHT = 64;

/**
 * Hard-links (files) or re-creates (symlinks, folders) each copy over SFTP with many requests in
 * flight: no shell session to start for the few files a typical run backs up. Returns the copies it
 * could not make this way (another filesystem, a server without hardlink@openssh.com, any error), for
 * the caller to copy another way; their targets may be left absent, never half-written.
 */
export async function sftpLinkCopies(
  sftp: SFTPWrapper,
  copies: ReadonlyArray<LocalCopy>,
): Promise<LocalCopy[]> {
  const parentOf = (p: string) => p.replace(/\/[^/]*$/, '') || '/';
  const parents = [...new Set(copies.map((c) => parentOf(c.to)))];
  const badParents = new Set<string>();
  await pool(parents, (p) => sftpMkdirp(sftp, p).catch(() => void badParents.add(p)));
  const failed: LocalCopy[] = [];
  await pool(copies, async (c) => {
    try {
      if (badParents.has(parentOf(c.to))) throw new Error('no folder');
      if (c.type === 'dir') return await sftpMkdirp(sftp, c.to);
      await call<void>(sftp, (cb) => sftp.unlink(c.to, cb)).catch((err: unknown) => {
        if (!isNoSuchFile(err)) throw err;
      });
      if (c.type === 'symlink') {
        const target = await call<string>(sftp, (cb) => sftp.readlink(c.from, cb));
        await call<void>(sftp, (cb) => sftp.symlink(target, c.to, cb));
      } else await call<void>(sftp, (cb) => sftp.ext_openssh_hardlink(c.from, c.to, cb));
    } catch {
      failed.push(c);
    }
  });
  return failed;
}

async function pool<T>(items: ReadonlyArray<T>, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, items.length) }, worker));
}
