import { createHash } from 'node:crypto';
import type { SFTPWrapper } from 'ssh2';
import { mapBounded } from '../engine/bounded.js';

/** Files hashed at once over SFTP: enough to keep the link busy, few enough for memory. */
const HASH_IN_FLIGHT = 8;

/**
 * SHA-256 of files read over SFTP and hashed here, for a server that runs no hash tool (an SFTP-only
 * account, Windows OpenSSH without one): slower than hashing on the server, but the same answer.
 */
export async function sftpHash(
  sftp: SFTPWrapper,
  root: string,
  paths: ReadonlyArray<string>,
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const base = root.endsWith('/') ? root : `${root}/`;
  await mapBounded(paths, HASH_IN_FLIGHT, async (rel) => {
    const hash = createHash('sha256');
    await new Promise<void>((resolve, reject) => {
      const stream = sftp.createReadStream(`${base}${rel}`, { highWaterMark: 64 * 1024 });
      stream.on('data', (d: Buffer) => hash.update(d));
      stream.once('error', reject);
      stream.once('end', () => resolve());
    });
    out.set(rel, hash.digest('hex'));
  });
  return out;
}
