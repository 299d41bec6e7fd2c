import { open } from 'node:fs/promises';

/**
 * The lines of a text file from its end to its start (newest first for an append-only log), read in
 * chunks from the end, so a caller that stops early reads only the tail. Empty lines are skipped; a
 * missing file has no lines.
 */
export async function* linesFromEnd(path: string, chunkBytes = 64 * 1024): AsyncGenerator<string> {
  let file;
  try {
    file = await open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  try {
    let pos = (await file.stat()).size;
    let carry: Buffer = Buffer.alloc(0);
    while (pos > 0) {
      const size = Math.min(chunkBytes, pos);
      pos -= size;
      const chunk = Buffer.alloc(size);
      await file.read(chunk, 0, size, pos);
      let buf = Buffer.concat([chunk, carry]);
      let nl = buf.lastIndexOf(0x0a);
      while (nl >= 0) {
        const line = buf.subarray(nl + 1).toString('utf8');
        if (line.trim() !== '') yield line;
        buf = buf.subarray(0, nl);
        nl = buf.lastIndexOf(0x0a);
      }
      carry = buf;
    }
    const first = carry.toString('utf8');
    if (first.trim() !== '') yield first;
  } finally {
    await file.close();
  }
}
