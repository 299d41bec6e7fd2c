import type { RawEntry } from './endpoint.js';
import { shq } from './shell-quote.js';

/**
 * Each entry: `%y\t%m\t%s\t%T@\t%U\t%G\t%u\t%g\t%n\t%D:%i\t%P` NUL `%l` NUL (escapes are find's own,
 * not the shell's): type, mode, size, mtime to the nanosecond, owner and group (ids and names), link
 * count and identity (hard links), path, link target.
 */
export const FIND_FORMAT = '%y\\t%m\\t%s\\t%T@\\t%U\\t%G\\t%u\\t%g\\t%n\\t%D:%i\\t%P\\0%l\\0';

/** Fields before the path in a FIND_FORMAT record. */
const FIELDS = 10;

/**
 * One command that lists a whole tree in one round trip: exit 3 when the root is missing, 4 when it is
 * not a folder. Each entry is FIND_FORMAT, so any name (tabs, newlines) parses. The root itself comes
 * first, with the empty path (its mode, owner and times are part of the copy).
 * Listing `ROOT/.` makes a root that is itself a symlink to a folder list that folder.
 */
export function findCommand(root: string): string {
  const r = shq(root);
  return (
    `if [ -d ${r} ]; then find ${shq(`${root.replace(/\/+$/, '')}/.`)} -mindepth 0 -printf ${shq(FIND_FORMAT)}; ` +
    `elif [ -e ${r} ] || [ -L ${r} ]; then exit 4; else exit 3; fi`
  );
}

/**
 * GNU find's `%T@` as whole milliseconds (rounded down) and the nanoseconds within the second. find
 * prints the timespec's two fields as they are, `tv_sec.tv_nsec`: 1969-12-31 23:59:58.25 is `-2.25`
 * (tv_sec -2, tv_nsec 250,000,000), so a negative time is read the same way as any other.
 */
export function timeOf(t: string): { mtimeMs: number; nsec: number } {
  const [whole = '0', fraction = ''] = t.split('.');
  const sec = Number(whole);
  const nsec = Number(`${fraction}000000000`.slice(0, 9));
  return { mtimeMs: sec * 1000 + Math.floor(nsec / 1e6), nsec };
}

/** `%T@` as whole milliseconds, rounded down (see timeOf). */
export function msOf(t: string): number {
  return timeOf(t).mtimeMs;
}

const OTHER: Readonly<Record<string, string>> = {
  p: 'a FIFO (named pipe)',
  s: 'a socket',
  b: 'a block device',
  c: 'a character device',
  D: 'a door',
};

export function parseFindOutput(stdout: Buffer): RawEntry[] {
  const parser = new FindOutputParser();
  parser.push(stdout);
  return parser.end();
}

/** A numeric id as find prints it, or undefined. */
const idOf = (s: string | undefined): number | undefined =>
  s !== undefined && /^\d+$/.test(s) ? Number(s) : undefined;

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
      if (parts.length < FIELDS + 1) throw new Error(`Unexpected listing line: ${JSON.stringify(rec)}`);
      const [y = '', m, s, t, uid, gid, user, group, nlink, ino] = parts;
      const path = parts.length === FIELDS + 1 ? (parts[FIELDS] as string) : parts.slice(FIELDS).join('\t');
      const type = y === 'f' ? 'file' : y === 'd' ? 'dir' : y === 'l' ? 'symlink' : 'other';
      const u = idOf(uid);
      const g = idOf(gid);
      this.entries.push({
        path,
        type,
        size: type === 'file' ? Number(s) : 0,
        ...timeOf(t ?? '0'),
        mode: parseInt(m ?? '0', 8) & 0o7777,
        ...(u !== undefined ? { uid: u } : {}),
        ...(g !== undefined ? { gid: g } : {}),
        // find prints the id where the id has no name: no name then.
        ...(user && user !== uid ? { user } : {}),
        ...(group && group !== gid ? { group } : {}),
        ...(type === 'file' && Number(nlink) > 1 && ino ? { linkId: ino } : {}),
        ...((type === 'file' || type === 'symlink') && ino ? { ino } : {}),
        ...(type === 'symlink' ? { linkTarget: link } : {}),
        ...(type === 'other' ? { what: OTHER[y] ?? `an entry of type "${y}"` } : {}),
      });
    }
  }
}
