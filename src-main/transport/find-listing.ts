import type { RawEntry } from './endpoint.js';
import { shq } from './shell-quote.js';

/** Each entry: `%y\t%m\t%s\t%T@\t%P` NUL `%l` NUL (escapes are find's own, not the shell's). */
export const FIND_FORMAT = '%y\\t%m\\t%s\\t%T@\\t%P\\0%l\\0';

/**
 * One command that lists a whole tree in one round trip: exit 3 when the root is missing, 4 when it is
 * not a folder. Each entry is `%y\t%m\t%s\t%T@\t%P` NUL `%l` NUL, so any name (tabs, newlines) parses.
 * Listing `ROOT/.` makes a root that is itself a symlink to a folder list that folder.
 */
export function findCommand(root: string): string {
  const r = shq(root);
  return (
    `if [ -d ${r} ]; then find ${shq(`${root.replace(/\/+$/, '')}/.`)} -mindepth 1 -printf ${shq(FIND_FORMAT)}; ` +
    `elif [ -e ${r} ] || [ -L ${r} ]; then exit 4; else exit 3; fi`
  );
}

/**
 * `%T@` (seconds with a fraction) as whole milliseconds, cut, not rounded: 12.9996 s is 12999 ms, in the
 * same second as what a stat that keeps whole seconds (SFTP, tar) reports, never the next one.
 */
export function msOf(t: string): number {
  const neg = t.startsWith('-');
  const [whole = '0', fraction = ''] = (neg ? t.slice(1) : t).split('.');
  const ms = Number(whole) * 1000 + Number(`${fraction}000`.slice(0, 3));
  return neg ? -ms : ms;
}

export function parseFindOutput(stdout: Buffer): RawEntry[] {
  const parser = new FindOutputParser();
  parser.push(stdout);
  return parser.end();
}

/**
 * Parses `find -printf FIND_FORMAT` output as it arrives, so a big listing is parsed while the rest
 * of it is still being made and sent: each chunk's whole records at once (a record is two
 * NUL-terminated fields; NUL never occurs inside a UTF-8 character), the tail kept for the next.
 */
export class FindOutputParser {
  private readonly entries: RawEntry[] = [];
  private rest: Buffer = Buffer.alloc(0);
  /** Set by feed() once a chunk could not be parsed (a find without -printf prints something else). */
  broken = false;

  /** Like push(), but output that is not a listing marks the parser broken instead of throwing. */
  feed(chunk: Buffer): void {
    if (this.broken) return;
    try {
      this.push(chunk);
    } catch {
      this.broken = true;
    }
  }

  push(chunk: Buffer): void {
    const buf = this.rest.length > 0 ? Buffer.concat([this.rest, chunk]) : chunk;
    let cut = 0;
    for (let at = buf.indexOf(0); at >= 0;) {
      const second = buf.indexOf(0, at + 1);
      if (second < 0) break;
      cut = second + 1;
      at = buf.indexOf(0, cut);
    }
    if (cut > 0) this.parse(buf.toString('utf8', 0, cut));
    this.rest = buf.subarray(cut);
  }

  /** The entries, once the output is complete (a cut-off record is an error). */
  end(): RawEntry[] {
    if (this.rest.length > 0)
      throw new Error(
        `Unexpected end of the listing: ${JSON.stringify(this.rest.toString('utf8').slice(0, 200))}`,
      );
    return this.entries;
  }

  private parse(text: string): void {
    const fields = text.split('\0');
    for (let i = 0; i + 1 < fields.length; i += 2) {
      const rec = fields[i] ?? '';
      const link = fields[i + 1] ?? '';
      const parts = rec.split('\t');
      if (parts.length < 5) throw new Error(`Unexpected listing line: ${JSON.stringify(rec)}`);
      const [y, m, s, t] = parts;
      const path = parts.length === 5 ? (parts[4] as string) : parts.slice(4).join('\t');
      const type = y === 'f' ? 'file' : y === 'd' ? 'dir' : y === 'l' ? 'symlink' : 'other';
      this.entries.push({
        path,
        type,
        size: type === 'file' ? Number(s) : 0,
        mtimeMs: msOf(t ?? '0'),
        mode: parseInt(m ?? '0', 8) & 0o7777,
        ...(type === 'symlink' ? { linkTarget: link } : {}),
      });
    }
  }
}
