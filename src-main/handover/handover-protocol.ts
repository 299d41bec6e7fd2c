import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';

/**
 * The CLI's run handed to a running app or scheduler of the same store: a local socket only the
 * store's user can open, carrying the same request and response envelopes as the other shells, one
 * JSON document a line. It opens with one hello each way; a process of another version answers with
 * its own and the CLI runs the command itself.
 */
export const handoverHello = z
  .object({
    hello: z
      .object({
        version: z.string().min(1).max(64),
        pid: z.number().int().positive(),
        /** Who answers: the desktop app, the browser shell or `configsync scheduler`. */
        shell: z.enum(['electron', 'browser', 'cli']).optional(),
      })
      .strict(),
  })
  .strict();
export type HandoverHello = z.infer<typeof handoverHello>;

/** One line (a request or an answer) at most this long: a client holding more is cut off. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

/** Longest path a Unix socket can have (sun_path: 108 bytes on Linux, 104 on macOS, with its NUL). */
const MAX_SOCKET_PATH = 103;

/**
 * Where the store's running app or scheduler listens: `<store>/cli.sock`, or on Windows a named pipe
 * named after the store. Null when the store's path is too long for a socket (nothing is handed over).
 */
export function handoverSocketPath(
  dataDir: string,
  platform: NodeJS.Platform = process.platform,
): string | null {
  if (platform === 'win32') {
    const id = createHash('sha256').update(dataDir.toLowerCase()).digest('hex').slice(0, 32);
    return `\\\\.\\pipe\\configsync-${id}`;
  }
  const path = join(dataDir, 'cli.sock');
  return Buffer.byteLength(path) <= MAX_SOCKET_PATH ? path : null;
}

/** Splits a stream of bytes into lines; a line over MAX_LINE_BYTES is an error. */
export class LineReader {
  private buffered: Buffer[] = [];
  private size = 0;

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly onTooLong: () => void,
  ) {}

  feed(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl < 0) break;
      const piece = chunk.subarray(start, nl);
      const line = this.size
        ? Buffer.concat([...this.buffered, piece]).toString('utf8')
        : piece.toString('utf8');
      this.buffered = [];
      this.size = 0;
      start = nl + 1;
      if (line.trim()) this.onLine(line);
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      this.size += rest.length;
      if (this.size > MAX_LINE_BYTES) {
        this.buffered = [];
        this.size = 0;
        this.onTooLong();
        return;
      }
      this.buffered.push(Buffer.from(rest));
    }
  }
}
