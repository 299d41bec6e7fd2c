import { closeSync, fsyncSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import writeFileAtomic from 'write-file-atomic';

export type AtomicWriteOptions = { readonly mode?: number };

/**
 * Writes a local file so that it holds its whole old content or its whole new content, after a killed
 * process and after a power cut: a temp file beside it, fsync, rename over it (write-file-atomic), then
 * an fsync of the folder so that the rename itself is on disk.
 */
export function writeFileAtomicSync(
  path: string,
  data: string | Buffer,
  options: AtomicWriteOptions = {},
): void {
  writeFileAtomic.sync(path, data, {
    fsync: true,
    ...(options.mode !== undefined ? { mode: options.mode } : {}),
  });
  fsyncFolder(dirname(path));
}

/** The same as writeFileAtomicSync, off the event loop. */
export async function writeFileAtomically(
  path: string,
  data: string | Buffer,
  options: AtomicWriteOptions = {},
): Promise<void> {
  await writeFileAtomic(path, data, {
    fsync: true,
    ...(options.mode !== undefined ? { mode: options.mode } : {}),
  });
  fsyncFolder(dirname(path));
}

function fsyncFolder(dir: string): void {
  let fd: number | null = null;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some filesystems cannot fsync a folder (EINVAL/EISDIR); the file itself is already synced.
  } finally {
    if (fd !== null) closeSync(fd);
  }
}
