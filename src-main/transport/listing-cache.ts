import type { RawEntry } from './endpoint.js';
import { listedTop, type FindOutputParser } from './find-listing.js';
import { every, runSliced } from '../slices.js';

/**
 * A long-lived process (the app, `configsync scheduler`) keeps each root's last listing, and the next
 * listing of that root asks the server only what changed since: `find -newerct` the server's clock when
 * the last one started, less a margin. A change of any kind to an entry (content, mode, owner, times,
 * xattrs, a rename of it) sets its ctime to the server's now, and users cannot set ctime back; an entry
 * added, removed or renamed also changes its folder's, and of each changed folder the listing gives
 * what it holds now (so deletions are seen). An entry that is new to the cache but old by its ctime (a
 * folder renamed in with its content) makes the listing a full one. So do the other doubts: no kept
 * listing, a clock behind the last start, a filesystem whose ctime is not the server's own (only local
 * Linux filesystems qualify), a listing older than MAX_AGE_MS or the MAX_INCREMENTAL-th in a row (which
 * also bounds how long an account renamed in /etc/passwd, which changes no file, keeps its old name
 * here). Checksum scans and the checks of a run (verify, stale checks) always list in full.
 */

/** A full listing at least this often, whatever the listings between say. */
export const MAX_AGE_MS = 10 * 60_000;
export const MAX_INCREMENTAL = 30;
/** The `-newerct` time is this far before the last start (coarse ctime clocks, whole-second ctimes). */
const MARGIN_NS = 2_000_000_000n;
/** `stat -f -c %T` names of filesystems whose ctime is set by this kernel's own clock. */
const LOCAL_FS = new Set([
  'ext2/ext3',
  'ext4',
  'xfs',
  'btrfs',
  'tmpfs',
  'zfs',
  'f2fs',
  'overlayfs',
  'jfs',
  'reiserfs',
]);

type Known = { readonly entry: RawEntry; readonly identity: string };

type Kept = {
  /** The listing as last returned (kept as the same array while nothing changed). */
  entries: RawEntry[];
  /** Its entries by path, built on the first incremental listing. */
  byPath: Map<string, Known> | null;
  identities: string[] | null;
  /** The server's clock (nanoseconds since the epoch) when that listing started. */
  clock: bigint;
  fullAt: number;
  incremental: number;
};

/** `SECONDS.NANOSECONDS FSTYPE` (a NOW record) → the clock in nanoseconds, or null when unusable. */
function clockOf(now: string | undefined): bigint | null {
  const m = /^(\d+)\.(\d{9}) (\S+)$/.exec(now ?? '');
  if (!m?.[1] || !m[2] || !m[3] || !LOCAL_FS.has(m[3])) return null;
  return BigInt(m[1]) * 1_000_000_000n + BigInt(m[2]);
}

const FIELDS = [
  'type',
  'size',
  'mtimeMs',
  'nsec',
  'mode',
  'uid',
  'gid',
  'user',
  'group',
  'linkId',
  'ino',
  'linkTarget',
  'what',
] as const;

function sameEntry(a: RawEntry, b: RawEntry): boolean {
  for (const f of FIELDS) if (a[f] !== b[f]) return false;
  return true;
}

/** One find listing (FIND_FORMAT, see find-listing.ts); `missing`: no root; null: find could not list it. */
export type FindListing =
  { readonly entries: RawEntry[]; readonly parser: FindOutputParser } | 'missing' | null;

export class ListingCache {
  private readonly kept = new Map<string, Kept>();
  /** Incremental listings answered, and those that had to be listed in full after all. */
  readonly counts = { answered: 0, doubted: 0 };

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * Lists root by `find` (`since` given: incrementally), from what changed since its last listing
   * where `incremental` asks for it and nothing is in doubt, else in full; keeps the result for the
   * next listing. `missing` and null as from `find`, and then nothing is kept.
   */
  async list(
    root: string,
    incremental: boolean,
    find: (since?: string) => Promise<FindListing>,
  ): Promise<RawEntry[] | 'missing' | null> {
    const since = incremental ? this.since(root) : null;
    if (since !== null) {
      const changes = await find(since);
      if (changes === 'missing') {
        this.forget(root);
        return changes;
      }
      const whole = changes ? await this.incremental(root, changes.parser, changes.entries) : null;
      if (whole) return whole;
      // In doubt (or no `-newerct` there): listed in full.
    }
    const found = await find();
    if (found === 'missing' || found === null) {
      this.forget(root);
      return found;
    }
    this.full(root, found.parser, found.entries);
    return found.entries;
  }

  /** The `-newerct` reference (`@SECONDS.NANOSECONDS`) for an incremental listing of root, or null. */
  since(root: string): string | null {
    const k = this.kept.get(root);
    if (!k) return null;
    if (this.now() - k.fullAt > MAX_AGE_MS || k.incremental >= MAX_INCREMENTAL) {
      this.kept.delete(root);
      return null;
    }
    const t = k.clock - MARGIN_NS;
    return `@${t / 1_000_000_000n}.${String(t % 1_000_000_000n).padStart(9, '0')}`;
  }

  /** After a full listing of root: kept, when its clock and filesystem allow it. */
  full(root: string, parser: FindOutputParser, entries: RawEntry[]): void {
    const clock = clockOf(parser.clock);
    if (clock === null || parser.identities.length !== entries.length) {
      this.kept.delete(root);
      return;
    }
    const at = this.now();
    this.kept.set(root, {
      entries,
      byPath: null,
      identities: parser.identities,
      clock,
      fullAt: at,
      incremental: 0,
    });
  }

  /**
   * After an incremental listing of root (asked with since()): the whole listing, the last one's
   * entries where nothing changed, or null when in doubt (then nothing is kept; list in full).
   */
  async incremental(root: string, parser: FindOutputParser, changed: RawEntry[]): Promise<RawEntry[] | null> {
    // Patching 100,000s of kept entries, in slices (see slices.ts).
    const whole = await runSliced(this.patch(root, parser, changed));
    if (whole) this.counts.answered++;
    else this.counts.doubted++;
    return whole;
  }

  private *patch(
    root: string,
    parser: FindOutputParser,
    changed: RawEntry[],
  ): Generator<void, RawEntry[] | null> {
    const k = this.kept.get(root);
    this.kept.delete(root);
    const clock = clockOf(parser.clock);
    if (!k || clock === null || clock < k.clock || parser.identities.length !== changed.length) return null;
    const keep = (entries: RawEntry[], byPath: Map<string, Known> | null): RawEntry[] => {
      this.kept.set(root, {
        entries,
        byPath,
        identities: byPath ? null : k.identities,
        clock,
        fullAt: k.fullAt,
        incremental: k.incremental + 1,
      });
      return entries;
    };
    // Nothing's ctime is after the last start (less the margin): the tree is as it was listed.
    if (changed.length === 0) return keep(k.entries, k.byPath);
    const before = k.byPath ?? (yield* byPathOf(k.entries, k.identities ?? []));
    // What changed, and what each changed folder holds now.
    const fresh = new Map<string, Known>();
    changed.forEach((entry, i) => fresh.set(entry.path, { entry, identity: parser.identities[i] ?? '' }));
    const holds = new Map<string, Set<string>>();
    for (const [path, f] of fresh) if (f.entry.type === 'dir') holds.set(path, new Set());
    const prefix = `${listedTop(root)}/`;
    for (const [identity, listed] of parser.present) {
      if (!listed.startsWith(prefix)) return null;
      const path = listed.slice(prefix.length);
      const inside = holds.get(parentOf(path));
      if (!inside) return null;
      inside.add(path);
      // Each entry of a changed folder is either changed itself or the same one as before (an entry
      // old by its ctime at a path new to the cache came from elsewhere: its content is not known).
      const known = fresh.get(path) ?? before.get(path);
      if (!known || known.identity !== identity) return null;
    }
    // A changed entry at a path new to the cache must be in a folder that changed (it was added there).
    for (const path of fresh.keys())
      if (path !== '' && !before.has(path) && !holds.get(parentOf(path))?.has(path)) return null;
    // Gone: what a changed folder no longer holds, what was below a folder that is gone or no longer a
    // folder; everything else is as before, or as listed again.
    const goneDirs = new Set<string>();
    const gone = new Set<string>();
    let same = true;
    for (const [path, f] of fresh) {
      const old = before.get(path);
      if (old?.entry.type === 'dir' && f.entry.type !== 'dir') goneDirs.add(path);
      if (!(old && old.identity === f.identity && sameEntry(old.entry, f.entry))) same = false;
      else fresh.set(path, old);
    }
    let i = 0;
    for (const [path, old] of before) {
      if (every(i++)) yield;
      if (path === '') continue;
      const inside = holds.get(parentOf(path));
      if (inside && !inside.has(path)) {
        gone.add(path);
        if (old.entry.type === 'dir') goneDirs.add(path);
      }
    }
    if (goneDirs.size > 0)
      for (const path of before.keys()) {
        if (every(i++)) yield;
        for (let cut = path.lastIndexOf('/'); cut > 0; cut = path.lastIndexOf('/', cut - 1))
          if (goneDirs.has(path.slice(0, cut))) {
            gone.add(path);
            break;
          }
      }
    if (same && gone.size === 0) return keep(k.entries, before);
    for (const path of gone) before.delete(path);
    for (const [path, f] of fresh) before.set(path, f);
    const entries: RawEntry[] = [];
    for (const v of before.values()) {
      entries.push(v.entry);
      if (every(entries.length)) yield;
    }
    return keep(entries, before);
  }

  forget(root: string): void {
    this.kept.delete(root);
  }
}

function* byPathOf(entries: RawEntry[], identities: string[]): Generator<void, Map<string, Known>> {
  const m = new Map<string, Known>();
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as RawEntry;
    m.set(entry.path, { entry, identity: identities[i] ?? '' });
    if (every(i)) yield;
  }
  return m;
}

const parentOf = (path: string): string => {
  const cut = path.lastIndexOf('/');
  return cut < 0 ? '' : path.slice(0, cut);
};
