import type { Endpoint } from '../transport/endpoint.js';
import { AppError } from '../errors/app-error.js';

/** Below this many free bytes a filesystem counts as full when a write has just failed there. */
const NEARLY_FULL = 64 * 1024;

/**
 * Says in words why writing under `path` failed when its filesystem explains it (read-only, out of
 * inodes, full), because SFTP reports all three as a bare "Failure" and tar says "No space left on
 * device" for a filesystem that has bytes but no inodes left. Null when the filesystem looks fine.
 */
export async function fsProblem(endpoint: Endpoint, path: string): Promise<string | null> {
  const info = await endpoint.fsInfo(path).catch(() => null);
  if (!info) return null;
  const where = `the filesystem holding ${path} on ${endpoint.label}`;
  if (info.readOnly) return `${where} is read-only`;
  if (info.inodesFree === 0)
    return `${where} is out of inodes (no more files or folders can be created there)`;
  if (info.bytesFree !== null && info.bytesFree < NEARLY_FULL)
    return `${where} is full (${info.bytesFree} bytes free)`;
  return null;
}

/**
 * Refuses a run its destination cannot take before anything is written: a read-only filesystem, or
 * fewer free bytes or inodes than the staged copies need (the staged copy sits beside the old file
 * until the rename, so both count).
 */
export async function assertRoomFor(
  destination: Endpoint,
  root: string,
  need: { readonly bytes: number; readonly entries: number },
): Promise<void> {
  const info = await destination.fsInfo(root);
  if (info.readOnly)
    throw new AppError(
      'READ_ONLY',
      `${root} on ${destination.label} is on a read-only filesystem. Nothing was changed.`,
    );
  const bytes = need.bytes + 1024 * 1024;
  if (info.bytesFree !== null && info.bytesFree < bytes)
    throw new AppError(
      'NO_SPACE',
      `${destination.label} has ${info.bytesFree} bytes free under ${root}; the run needs about ${bytes}. Nothing was changed.`,
    );
  const entries = need.entries + 16;
  if (info.inodesFree !== null && info.inodesFree < entries)
    throw new AppError(
      'NO_SPACE',
      `${destination.label} is nearly out of inodes under ${root}: ${info.inodesFree} free, the run creates about ${entries} files and folders. Nothing was changed.`,
    );
}
