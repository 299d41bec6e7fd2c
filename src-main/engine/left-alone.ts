import type { EntryType, PathError } from '../../src-shared/model/sync.js';
import type { Endpoint, StatResult } from '../transport/endpoint.js';
import { IN_FLIGHT, mapBounded } from './bounded.js';
import { sameTime } from './plan.js';
import { joinRoot } from './rel-path.js';

/** What a path looked like at one moment of a run (null: nothing was there). */
export type Seen = {
  readonly type: EntryType;
  readonly size: number;
  readonly mtimeMs: number;
  readonly linkTarget?: string;
  /**
   * SHA-256 of a file's content (what the run wrote, or the backup's copy of what it found): an edit
   * in place that keeps size and mtime (`sed -i` then `touch -r`) still differs. Absent in older
   * manifests: then size and mtime alone decide.
   */
  readonly hash?: string;
  /**
   * `device:inode` of what the run left, where the listing gave it (absent over SFTP and in older
   * records): another inode now means someone replaced the path, even with the same bytes and times.
   */
  readonly ino?: string;
} | null;

/**
 * A Seen built field by field, in one order (type, size, mtimeMs, then linkTarget, hash, ino where
 * given): a run keeps one per path it writes (100,000s), and copies made by spreading (`{ ...seen,
 * hash }`) each had a hidden class of their own here, 200,000 of them, ~50 MB of a 100k first copy.
 */
export function seenOf(
  base: {
    readonly type: EntryType;
    readonly size: number;
    readonly mtimeMs: number;
    readonly linkTarget?: string;
  },
  hash?: string,
  ino?: string,
): NonNullable<Seen> {
  const out: { -readonly [K in keyof NonNullable<Seen>]: NonNullable<Seen>[K] } = {
    type: base.type,
    size: base.size,
    mtimeMs: base.mtimeMs,
  };
  if (base.linkTarget !== undefined) out.linkTarget = base.linkTarget;
  if (hash !== undefined) out.hash = hash;
  if (ino !== undefined) out.ino = ino;
  return out;
}

const SLACK_MS = 5;

/** Whether the path now is what was seen: same type, and for a file the same size and mtime; a link the same target. */
export function looksAsSeen(now: StatResult | null, seen: Seen): boolean {
  if (!seen) return now === null;
  if (!now || now.type !== seen.type) return false;
  if (seen.type === 'dir') return true;
  if (seen.ino && now.ino && seen.ino !== now.ino) return false;
  if (seen.type === 'symlink') return now.linkTarget === seen.linkTarget;
  return now.size === seen.size && sameTime(now.mtimeMs, seen.mtimeMs, SLACK_MS);
}

function describe(s: StatResult | Seen): string {
  if (!s) return 'nothing';
  if (s.type === 'file' && s.ino)
    return `a file of ${s.size} bytes modified ${new Date(s.mtimeMs).toISOString()} (inode ${s.ino})`;
  if (s.type === 'file') return `a file of ${s.size} bytes modified ${new Date(s.mtimeMs).toISOString()}`;
  if (s.type === 'symlink') return `a link to ${s.linkTarget ?? '?'}`;
  return `a ${s.type}`;
}

/**
 * Splits `items` into those whose path under `root` still looks as one of the states the run knows
 * of (`expected`: what it found, or what it left) and those changed since by someone else. A changed
 * path is listed with what it is now and what the run knew; undoing or finishing the run leaves it.
 */
export async function changedSince<T extends { readonly path: string }>(
  endpoint: Endpoint,
  root: string,
  items: ReadonlyArray<T>,
  expected: (item: T) => ReadonlyArray<Seen>,
): Promise<{ unchanged: T[]; changed: PathError[] }> {
  const stats = await mapBounded(items, IN_FLIGHT, (i) => endpoint.stat(joinRoot(root, i.path)));
  // Where a state knows its inode and the stat did not give one (SFTP), one command asks for them all.
  const wanted = items.filter(
    (item, k) => !stats[k]?.ino && expected(item).some((seen) => seen?.ino !== undefined),
  );
  const inodes =
    wanted.length > 0 && endpoint.inodes
      ? await endpoint
          .inodes(
            root,
            wanted.map((i) => i.path),
          )
          .catch(() => new Map<string, string>())
      : new Map<string, string>();
  const now = stats.map((st, k) => {
    const ino = inodes.get(items[k]?.path ?? '');
    return st && ino && !st.ino ? { ...st, ino } : st;
  });
  const alike = items.map((item, k) => expected(item).filter((seen) => looksAsSeen(now[k] ?? null, seen)));
  // A file that looks as a state with a known hash is read once more, all of them in one command.
  const toHash = items.filter((_i, k) => alike[k]?.some((seen) => seen?.type === 'file' && seen.hash));
  const hashes = await liveHashes(
    endpoint,
    root,
    toHash.map((i) => i.path),
  );
  const unchanged: T[] = [];
  const changed: PathError[] = [];
  items.forEach((item, k) => {
    const st = now[k] ?? null;
    const same = (alike[k] ?? []).some((seen) => !seen?.hash || hashes?.get(item.path) === seen.hash);
    if (same) unchanged.push(item);
    else {
      const known = expected(item);
      const content = (alike[k] ?? []).length > 0 ? ', its content differs though size and time match' : '';
      changed.push({
        path: item.path,
        message: `left as it is: changed since the run (now ${describe(st)}${content}; the run knew ${known.map(describe).join(' or ')})`,
      });
    }
  });
  return { unchanged, changed };
}

/** SHA-256 of live files, or null when they could not be read (each then counts as changed: left). */
async function liveHashes(
  endpoint: Endpoint,
  root: string,
  paths: ReadonlyArray<string>,
): Promise<Map<string, string> | null> {
  if (paths.length === 0) return new Map();
  return endpoint.hash(root, paths).catch(() => null);
}

/**
 * The content hash of each file of a backup (its true copies of what a run found), for comparing the
 * live files with; empty when the copies cannot be read (size and mtime then decide alone).
 */
export async function backupHashes(
  endpoint: Endpoint,
  filesDir: string,
  entries: ReadonlyArray<{ readonly path: string; readonly type: EntryType }>,
): Promise<Map<string, string>> {
  const files = entries.filter((e) => e.type === 'file').map((e) => e.path);
  if (files.length === 0) return new Map();
  return endpoint.hash(filesDir, files).catch(() => new Map<string, string>());
}
