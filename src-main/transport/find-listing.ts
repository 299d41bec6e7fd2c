import type { RawEntry } from './endpoint.js';
import { shq } from './shell-quote.js';
import { runSliced, turn } from '../slices.js';
import { ENGINE_EXCLUDES } from '../../src-shared/model/sync.js';

/**
 * Each entry: `%y\t%m\t%s\t%T@\t%U\t%G\t%n\t%D:%i\t%P` NUL `%l` NUL (escapes are find's own,
 * not the shell's): type, mode, size, mtime to the nanosecond, owner and group ids, link count and
 * identity (hard links), path, link target. Owner and group names come once per id after the entries
 * (see NAMES): find's `%u`/`%g` look each entry's name up again (glibc reads /etc/passwd and
 * /etc/group for every file), which doubled the time find took.
 */
export const FIND_FORMAT = '%y\\t%m\\t%s\\t%T@\\t%U\\t%G\\t%n\\t%D:%i\\t%P\\0%l\\0';

/** Fields before the path in a FIND_FORMAT record. */
const FIELDS = 8;

/** find's test for the engine's own names (ENGINE_EXCLUDES), pruned from every listing. */
const ENGINE_NAMES = `\\( ${ENGINE_EXCLUDES.map((p) => `-name ${shq(p)}`).join(' -o ')} \\)`;

/** The record after the entries that holds the names of the ids they have: `#names` NUL table NUL. */
const NAMES = '#names';

/** The record before the entries: `#now` NUL `SECONDS.NANOSECONDS FSTYPE` NUL (the server's clock). */
const NOW = '#now';

/**
 * An incremental listing's record of each entry in a changed folder: `#p` identity TAB path NUL NUL,
 * the path as find names it from the listed top (`DIR/./a/b`, see listedTop).
 */
const PRESENT_FORMAT = '#p%D:%i\\t%p\\0\\0';

/**
 * A shell command that lists `dir` (a folder) in FIND_FORMAT, then one NAMES record: a line
 * `u:NAME:UID` or `g:NAME:GID` for each owner and group id seen that has a name (by getent, one call
 * for all of each; no getent, no names). Exit status: find's.
 */
export function findListingScript(dir: string, since?: string): string {
  const top = listedTop(dir);
  const ids = `-fprintf "$t" 'u%U\\ng%G\\n'`;
  // Incremental (see ListingCache): whole records of the entries whose ctime is after `since`, then
  // the identity and path of every entry in each such folder (what it holds now).
  const walk =
    since === undefined
      ? `-printf ${shq(FIND_FORMAT)} ${ids}`
      : `-newerct ${shq(since)} \\( -printf ${shq(FIND_FORMAT)} ${ids} , -type d -fprintf "$d" '%p\\0' \\)`;
  const children = `exec find "$@" -mindepth 1 -maxdepth 1 ! ${ENGINE_NAMES} -printf ${shq(PRESENT_FORMAT)}`;
  return [
    't=$(mktemp 2>/dev/null) || t=/dev/null',
    ...(since === undefined ? [] : ['d=$(mktemp 2>/dev/null) || exit 5']),
    // The server's clock before the walk starts, and the type of the root's filesystem: what the
    // next listing may ask changes since (see ListingCache).
    `printf '${NOW}\\000%s %s\\000' "$(date +%s.%N 2>/dev/null)" "$(stat -f -c %T ${shq(top)} 2>/dev/null)"`,
    // A run's staging folder and temp files are never part of a listing (ENGINE_EXCLUDES): not
    // walked at all, so the check before a swap does not read back the whole staged copy.
    `find ${shq(top)} -mindepth 0 ${ENGINE_NAMES} -prune -o ${walk}`,
    'rc=$?',
    ...(since === undefined
      ? []
      : [
          `if [ $rc = 0 ] && [ -s "$d" ]; then xargs -0 -r sh -c ${shq(children)} sh < "$d" || rc=5; fi`,
          'rm -f "$d"',
        ]),
    `printf '${NAMES}\\000'`,
    `u=$(sed -n 's/^u//p' "$t" | sort -un); g=$(sed -n 's/^g//p' "$t" | sort -un)`,
    `{ [ -z "$u" ] || getent passwd $u | sed 's/^/u:/'; [ -z "$g" ] || getent group $g | sed 's/^/g:/'; } 2>/dev/null | cut -d: -f1,2,4`,
    `printf '\\000'`,
    '[ "$t" = /dev/null ] || rm -f "$t"',
    'exit $rc',
  ].join('\n');
}

/** The folder find lists for `dir` (`DIR/.`: a root that is a symlink to a folder lists that folder). */
export const listedTop = (dir: string): string => `${dir.replace(/\/+$/, '')}/.`;

/**
 * One command that lists a whole tree in one round trip: exit 3 when the root is missing, 4 when it is
 * not a folder. Each entry is FIND_FORMAT, so any name (tabs, newlines) parses. The root itself comes
 * first, with the empty path (its mode, owner and times are part of the copy).
 * Listing `ROOT/.` makes a root that is itself a symlink to a folder list that folder.
 */
export function findCommand(root: string, since?: string): string {
  const r = shq(root);
  return (
    `if [ -d ${r} ]; then\n${findListingScript(root, since)}\n` +
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

/** Output is parsed in pieces of at most this size (one piece is a few milliseconds' work). */
const PIECE = 128 * 1024;
const EMPTY = Buffer.alloc(0);

/** find's one-letter types by byte (%y). */
const TYPE_LETTER: ReadonlyArray<string | undefined> = (() => {
  const t: Array<string | undefined> = new Array<string | undefined>(128).fill(undefined);
  for (const c of 'fdlpsbcDU') t[c.charCodeAt(0)] = c;
  return t;
})();

/** The decimal digits in buf[from, to) (NaN if anything else is there, 0 if nothing), as Number() reads them. */
function decimal(buf: Buffer, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = (buf[i] as number) - 48;
    if (c < 0 || c > 9) return Number(buf.toString('latin1', from, to));
    n = n * 10 + c;
  }
  return n;
}

/** The octal digits at the start of buf[from, to), as parseInt(…, 8) reads them (0 for none). */
function octal(buf: Buffer, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = (buf[i] as number) - 48;
    if (c < 0 || c > 7) break;
    n = n * 8 + c;
  }
  return n;
}

/** A numeric id in buf[from, to), or undefined (as idOf). */
function idAt(buf: Buffer, from: number, to: number): number | undefined {
  if (to <= from || to - from > 15) return idOf(buf.toString('latin1', from, to));
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = (buf[i] as number) - 48;
    if (c < 0 || c > 9) return undefined;
    n = n * 10 + c;
  }
  return n;
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
  /** Each entry's `%D:%i` (folders' too), in the order of the entries. */
  readonly identities: string[] = [];
  /** An incremental listing's `[identity, path]` of each entry in a changed folder (PRESENT_FORMAT). */
  readonly present: Array<readonly [string, string]> = [];
  /** The NOW record: the server's clock when the listing started and the root's filesystem type. */
  clock: string | undefined;
  /** Set by feed() once a chunk could not be parsed (a find without -printf prints something else). */
  broken = false;

  /** Output fed and not yet parsed, and where its next piece starts. */
  private readonly queue: Buffer[] = [];
  private next = 0;
  private draining = false;
  private drained: Promise<void> = Promise.resolve();

  /**
   * Like push(), but queued and parsed in slices (see slices.ts), output that is not a listing marking
   * the parser broken instead of throwing: a 100,000-entry listing that arrives at once (read whole, or
   * megabytes read in one turn of the event loop) does not hold the main process's loop while it is
   * parsed. settled() says when all of it is.
   */
  feed(chunk: Buffer): void {
    if (this.broken) return;
    for (let at = 0; at < chunk.length; at += PIECE) this.queue.push(chunk.subarray(at, at + PIECE));
    // Parsed on a turn of its own, not in the callback that read it: one turn of the event loop may
    // read megabytes (libuv reads a pipe or socket up to 32 times), which parsed there held it.
    if (!this.draining) {
      this.draining = true;
      this.drained = turn().then(() => runSliced(this.drain()));
    }
  }

  /** Resolves once everything fed so far is parsed (or the parser is broken). */
  async settled(): Promise<void> {
    do await this.drained;
    while (this.draining);
  }

  /** Parses what is queued, a piece a step (run in slices by runSliced). */
  private *drain(): Generator<void, void> {
    while (this.next < this.queue.length) {
      const piece = this.queue[this.next] as Buffer;
      this.queue[this.next++] = EMPTY;
      if (!this.broken)
        try {
          this.push(piece);
        } catch {
          this.broken = true;
        }
      yield;
    }
    this.queue.length = 0;
    this.next = 0;
    this.draining = false;
  }

  /**
   * Parses each whole record of `chunk` (with what was left of the last one): read from the bytes as
   * they are, numbers digit by digit and only the path and a link's target decoded as UTF-8 (decoding
   * the whole output and splitting it made five strings and an array per entry, most of a big plan's
   * garbage). A record is two NUL-terminated fields, NUL never occurs inside a UTF-8 character.
   */
  push(chunk: Buffer): void {
    const buf = this.rest.length > 0 ? Buffer.concat([this.rest, chunk]) : chunk;
    const tabs = this.tabs;
    const n = buf.length;
    let at = 0;
    // Byte by byte (a call of indexOf per field cost more than the fields' bytes): the first FIELDS
    // tabs of the record, its first NUL, then its second.
    for (;;) {
      let i = at;
      let f = 0;
      let c = 0;
      for (; i < n; i++) {
        c = buf[i] as number;
        if (c === 0) break;
        if (c === 9 && f < FIELDS) tabs[f++] = i;
      }
      if (i >= n) break;
      const first = i;
      for (i++; i < n && buf[i] !== 0; i++);
      if (i >= n) break;
      if (buf[at] === 35 /* # */)
        this.special(buf.toString('utf8', at, first), buf.toString('utf8', first + 1, i));
      else if (f < FIELDS)
        throw new Error(`Unexpected listing line: ${JSON.stringify(buf.toString('utf8', at, first))}`);
      else this.record(buf, at, first, i);
      at = i + 1;
    }
    this.rest = at < n ? Buffer.from(buf.subarray(at)) : EMPTY;
  }

  /** The entries, once the output is complete (a cut-off record is an error). */
  end(): RawEntry[] {
    if (this.rest.length > 0)
      throw new Error(
        `Unexpected end of the listing: ${JSON.stringify(this.rest.toString('utf8').slice(0, 200))}`,
      );
    return this.entries;
  }

  /** A record of the listing's own (`#`): NAMES, NOW or an incremental listing's PRESENT_FORMAT. */
  private special(rec: string, value: string): void {
    if (rec === NAMES) this.readNames(value);
    else if (rec === NOW) this.clock = value;
    else if (rec.startsWith('#p')) {
      const tab = rec.indexOf('\t');
      if (tab < 0) throw new Error(`Unexpected listing line: ${JSON.stringify(rec)}`);
      this.present.push([rec.slice(2, tab), rec.slice(tab + 1)]);
    } else throw new Error(`Unexpected listing line: ${JSON.stringify(rec)}`);
  }

  /** One FIND_FORMAT entry: its fields in buf[start, end) (their tabs in `tabs`), its link target in buf(end, linkEnd). */
  private record(buf: Buffer, start: number, end: number, linkEnd: number): void {
    // Where each of the FIELDS fields before the path ends (at its tab, found by push).
    const tabs = this.tabs;
    const at = (tabs[FIELDS - 1] as number) + 1;
    const y = tabs[0] === start + 1 ? TYPE_LETTER[buf[start] as number] : undefined;
    const letter = y ?? buf.toString('utf8', start, tabs[0]);
    const type = y === 'f' ? 'file' : y === 'd' ? 'dir' : y === 'l' ? 'symlink' : 'other';
    const time = this.time(buf, (tabs[2] as number) + 1, tabs[3] as number);
    // Built field by field (no spread of optional parts): a listing is many thousands of these.
    const e: Mutable<RawEntry> = {
      path: buf.toString('utf8', at, end),
      type,
      size: type === 'file' ? decimal(buf, (tabs[1] as number) + 1, tabs[2] as number) : 0,
      mtimeMs: time.mtimeMs,
      nsec: time.nsec,
      mode: octal(buf, (tabs[0] as number) + 1, tabs[1] as number) & 0o7777,
    };
    const u = idAt(buf, (tabs[3] as number) + 1, tabs[4] as number);
    const g = idAt(buf, (tabs[4] as number) + 1, tabs[5] as number);
    if (u !== undefined) e.uid = u;
    if (g !== undefined) e.gid = g;
    const ino = buf.toString('latin1', (tabs[6] as number) + 1, tabs[7] as number);
    this.identities.push(ino);
    if (type === 'file' && decimal(buf, (tabs[5] as number) + 1, tabs[6] as number) > 1 && ino)
      e.linkId = ino;
    if ((type === 'file' || type === 'symlink') && ino) e.ino = ino;
    if (type === 'symlink') e.linkTarget = buf.toString('utf8', end + 1, linkEnd);
    if (type === 'other') e.what = OTHER[letter] ?? `an entry of type "${letter}"`;
    this.entries.push(e);
  }

  /** The tab positions of the record being read (one array for all). */
  private readonly tabs: number[] = new Array<number>(FIELDS).fill(0);
  /** timeOf's answer for the record being read (one object for all). */
  private readonly when = { mtimeMs: 0, nsec: 0 };

  /** `%T@` in buf[from, to) as timeOf reads it, digit by digit; anything unusual by timeOf itself. */
  private time(buf: Buffer, from: number, to: number): { mtimeMs: number; nsec: number } {
    let i = from;
    const negative = buf[i] === 45; /* - */
    if (negative) i++;
    let sec = 0;
    let digits = 0;
    for (; i < to; i++) {
      const c = (buf[i] as number) - 48;
      if (c < 0 || c > 9) break;
      sec = sec * 10 + c;
      digits++;
    }
    let nsec = 0;
    let ok = digits > 0 && digits < 16 && (i === to || buf[i] === 46); /* . */
    if (ok && i < to) {
      let scale = 100_000_000;
      for (i++; i < to; i++) {
        const c = (buf[i] as number) - 48;
        if (c < 0 || c > 9) {
          ok = false;
          break;
        }
        nsec += c * scale;
        scale /= 10;
        if (scale < 1) break;
      }
    }
    if (!ok) return timeOf(buf.toString('latin1', from, to));
    // -2.25 is tv_sec -2 and tv_nsec 250,000,000 (see timeOf).
    const s = negative ? -sec : sec;
    this.when.mtimeMs = s * 1000 + Math.floor(nsec / 1e6);
    this.when.nsec = nsec;
    return this.when;
  }
  /** A NAMES table: names for the ids it holds, given to every entry with such an id. */
  private readNames(table: string): void {
    const users = new Map<number, string>();
    const groups = new Map<number, string>();
    for (const line of table.split('\n')) {
      const [kind, name, id] = line.split(':');
      const n = idOf(id);
      if (!name || n === undefined) continue;
      (kind === 'u' ? users : kind === 'g' ? groups : null)?.set(n, name);
    }
    if (users.size === 0 && groups.size === 0) return;
    for (const e of this.entries as Array<Mutable<RawEntry>>) {
      const user = e.uid !== undefined ? users.get(e.uid) : undefined;
      const group = e.gid !== undefined ? groups.get(e.gid) : undefined;
      if (user !== undefined) e.user = user;
      if (group !== undefined) e.group = group;
    }
  }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
