import { createHash } from 'node:crypto';
import type { SshConnection } from '../transport/ssh-connection.js';
import { shq } from '../transport/shell-quote.js';

/**
 * A cheap signature of a remote tree: one exec listing path, type, size, mtime and mode of every
 * entry (find -printf; `ls -laR` where find lacks -printf, e.g. BusyBox), hashed here. Any file
 * added, removed, resized, touched or chmod-ed changes it; contents are never read.
 */
export async function remoteListingSignature(conn: SshConnection, root: string): Promise<string> {
  const dir = shq(root);
  const command =
    `cd -- ${dir} || exit 3; ` +
    `if find . -maxdepth 0 -printf '' >/dev/null 2>&1; then find . -printf '%P\\t%y\\t%s\\t%T@\\t%m\\n' | LC_ALL=C sort; ` +
    `else ls -laR --full-time . 2>/dev/null || ls -laR .; fi`;
  const r = await conn.exec(command);
  if (r.code !== 0)
    throw new Error(`Listing ${root} failed (exit ${r.code}): ${r.stderr.trim() || 'no message'}`);
  return createHash('sha256').update(r.stdout).digest('hex');
}
