import type { PathError } from '../../src-shared/model/sync.js';
import type { Endpoint } from '../transport/endpoint.js';
import { byLevel, IN_FLIGHT, mapBounded } from './bounded.js';
import { trace } from '../trace.js';
import type { Journal, JournalWrite } from './journal.js';
import { joinRoot, parentOf } from './rel-path.js';

export type SwapOptions = {
  readonly signal?: AbortSignal;
  /** Completing an interrupted run: a write no longer in staging may already be in place. */
  readonly resume?: boolean;
  readonly onPath?: (path: string, done: number, total: number) => void;
  /** Called between the renames and the deletions (the journal records it). */
  readonly beforeDeletes?: () => Promise<void>;
};

export type SwapResult = {
  readonly applied: ReadonlyArray<string>;
  readonly errors: ReadonlyArray<PathError>;
  readonly cancelled: boolean;
};

type Delete = Journal['deletes'][number];
type Outcome = { readonly path: string; readonly ok: boolean; readonly error?: string } | null;

/** Renames done one at a time before the rest go many at once. */
const ONE_BY_ONE = 16;
/** A new folder holding at least this many staged files is moved in whole (fewer: renamed one by one). */
const MOVE_WHOLE_FROM = 16;

const depth = (p: string) => p.split('/').length;

/**
 * Moves a run's staged content into place: folders first, then each staged file renamed over its
 * target (atomic: a reader sees the old or the new file), then the modified time of each file of the
 * same content set (journal.retimes), then extras deleted deepest first, then
 * folder modes and mtimes. A folder the destination does not have yet is renamed into place whole
 * (one rename for its whole staged subtree: every file in it still appears complete or not at all).
 * Many requests are kept in flight, and each level of folders waits for the one it depends on.
 * Idempotent, so a killed run can be completed by calling it again.
 */
export async function swapIn(
  destination: Endpoint,
  journal: Journal,
  options: SwapOptions = {},
): Promise<SwapResult> {
  const at = (p: string) => joinRoot(journal.root, p);
  const staged = (p: string) => joinRoot(journal.stagingDir, p);
  const applied: string[] = [];
  const errors: PathError[] = [];
  const retimes = journal.retimes ?? [];
  const total = journal.writes.length + retimes.length + journal.deletes.length + journal.dirs.length;
  let done = 0;
  const step = (path: string) => options.onPath?.(path, ++done, total);
  const aborted = () => options.signal?.aborted === true;
  /** Runs one phase's items (at most IN_FLIGHT at once), then records their outcomes in order. */
  const phase = async <T>(items: ReadonlyArray<T>, fn: (item: T) => Promise<Outcome>): Promise<boolean> => {
    let cancelled = false;
    const one = async (item: T): Promise<Outcome> => {
      if (cancelled || aborted()) {
        cancelled = true;
        return null;
      }
      const o = await fn(item);
      if (o) step(o.path);
      return o;
    };
    // The first few one at a time: a small run costs no more, and a cancel stops exactly between two.
    const outcomes: Outcome[] = [];
    for (const item of items.slice(0, ONE_BY_ONE)) outcomes.push(await one(item));
    outcomes.push(...(await mapBounded(items.slice(ONE_BY_ONE), IN_FLIGHT, one)));
    for (const o of outcomes) {
      if (o?.ok) applied.push(o.path);
      else if (o?.error !== undefined) errors.push({ path: o.path, message: o.error });
    }
    return !cancelled;
  };
  const attempt = async (path: string, fn: () => Promise<void>): Promise<Outcome> => {
    try {
      await fn();
      return { path, ok: true };
    } catch (err) {
      return { path, ok: false, error: (err as Error).message };
    }
  };

  // Folders: one the destination did not have, under a parent that is not new itself, is moved in
  // whole when its staged copy exists (tar made it for the files below); the rest are made in place.
  const dirs = [...journal.dirs].sort((a, b) => depth(a.path) - depth(b.path));
  const fresh = new Set(dirs.filter((d) => d.replaces !== 'dir').map((d) => d.path));
  const candidates = new Set(
    dirs.filter((d) => d.replaces === null && !fresh.has(parentOf(d.path))).map((d) => d.path),
  );
  const filesUnder = new Map<string, number>();
  for (const w of journal.writes)
    for (let q = parentOf(w.path); q !== ''; q = parentOf(q))
      if (candidates.has(q)) {
        filesUnder.set(q, (filesUnder.get(q) ?? 0) + 1);
        break;
      }
  const tops = dirs.filter((d) => (filesUnder.get(d.path) ?? 0) >= MOVE_WHOLE_FROM);
  const moved = new Set<string>();
  await mapBounded(tops, IN_FLIGHT, async (d) => {
    if (!(await destination.stat(staged(d.path)).catch(() => null))) return;
    if (await destination.stat(at(d.path)).catch(() => null)) return;
    try {
      await destination.rename(staged(d.path), at(d.path));
      moved.add(d.path);
    } catch {
      // Made by someone else meanwhile, or a server that cannot rename folders: file by file below.
    }
  });
  const under = (p: string): boolean => {
    for (let q = parentOf(p); q !== ''; q = parentOf(q)) if (moved.has(q)) return true;
    return moved.has(p);
  };
  for (const level of byLevel(
    dirs.filter((d) => !moved.has(d.path)),
    (d) => depth(d.path),
    false,
  )) {
    const failed = await mapBounded(level, IN_FLIGHT, async (d) => {
      try {
        if (d.replaces !== null && d.replaces !== 'dir' && !under(d.path))
          await destination.remove(at(d.path));
        await destination.mkdirp(at(d.path));
        return null;
      } catch (err) {
        return { path: d.path, message: (err as Error).message };
      }
    });
    for (const f of failed) if (f) errors.push(f);
  }

  // A folder that becomes a file must be emptied of its (deleted) content before the rename.
  const replacedDirs = journal.writes.filter((w) => w.replaces === 'dir').map((w) => `${w.path}/`);
  const blocking = journal.deletes.filter((d) => replacedDirs.some((r) => d.path.startsWith(r)));
  const rest = journal.deletes.filter((d) => !blocking.includes(d));
  const deleteAll = async (list: ReadonlyArray<Delete>): Promise<boolean> => {
    for (const level of byLevel(list, (d) => depth(d.path), true)) {
      const ok = await phase(level, (d) =>
        attempt(d.path, () => destination.remove(at(d.path))).then(async (o) => {
          // A folder still holding excluded files (licenses...) stays; anything else is an error.
          if (o?.ok === false && d.type === 'dir' && (await destination.readdir(at(d.path))).length > 0)
            return { path: d.path, ok: false };
          return o;
        }),
      );
      if (!ok) return false;
    }
    return true;
  };
  if (!(await deleteAll(blocking))) return { applied, errors, cancelled: true };

  trace(`${destination.label}: swap: folders in place`);
  const inPlace = journal.writes.filter((w) => under(w.path));
  for (const w of inPlace) {
    applied.push(w.path);
    step(w.path);
  }
  const toRename = journal.writes.filter((w) => !under(w.path));
  const parents = [...new Set(toRename.map((w) => parentOf(w.path)))];
  const parentErrors = new Map<string, string>();
  await mapBounded(parents, IN_FLIGHT, async (p) => {
    await destination.mkdirp(at(p)).catch((err: Error) => parentErrors.set(p, err.message));
  });
  trace(`${destination.label}: swap: parents made`);
  /** `unsure`: a bulk rename may have done it already (see renameBulk). */
  const renameOne = async (w: JournalWrite, unsure = false): Promise<Outcome> => {
    const from = staged(w.path);
    if ((options.resume || unsure) && !(await destination.stat(from))) {
      const now = await destination.stat(at(w.path));
      return now?.type === w.type
        ? { path: w.path, ok: true }
        : { path: w.path, ok: false, error: 'neither staged nor in place' };
    }
    const parentError = parentErrors.get(parentOf(w.path));
    if (parentError !== undefined) return { path: w.path, ok: false, error: parentError };
    if (w.replaces !== null && w.replaces !== w.type) await destination.remove(at(w.path));
    await destination.rename(from, at(w.path));
    return { path: w.path, ok: true };
  };
  const renameEach = (list: ReadonlyArray<JournalWrite>, unsure = false) =>
    phase(list, (w) =>
      renameOne(w, unsure).catch((err: Error) => ({ path: w.path, ok: false, error: err.message })),
    );
  // The first few one at a time (see phase); of the rest, the plain renames (a file over a file or
  // over nothing, its folder in place) in bulk where the destination can, the others one by one.
  const first = toRename.slice(0, ONE_BY_ONE);
  const later = toRename.slice(ONE_BY_ONE);
  const plain = (w: JournalWrite) =>
    !options.resume && !parentErrors.has(parentOf(w.path)) && (w.replaces === null || w.replaces === w.type);
  const bulk = destination.renameMany && later.length >= BULK_FROM ? later.filter(plain) : [];
  const inBulk = new Set(bulk);
  if (!(await renameEach(first))) return { applied, errors, cancelled: true };
  if (!(await renameEach(later.filter((w) => !inBulk.has(w))))) return { applied, errors, cancelled: true };
  const unknown = await renameBulk(destination, bulk, staged, at, {
    aborted,
    done: (w, error) => {
      step(w.path);
      if (error === null) applied.push(w.path);
      else errors.push({ path: w.path, message: error });
    },
  });
  if (unknown === 'cancelled') return { applied, errors, cancelled: true };
  // Said nothing of (the process stopped) or the side has no way: one by one, each checked first.
  if (!(await renameEach(unknown, true))) return { applied, errors, cancelled: true };
  trace(`${destination.label}: swap: files renamed`);
  // Same content on both sides: only the modified time (whole seconds) is set, in place. Setting it
  // again is harmless, so a completion sets them all.
  // Many files sharing a time (a tree touched at once, unpacked from an archive) take one command
  // per few hundred (setSharedTimes); the rest, and any it could not set, one request each.
  const retimed = await setSharedTimes(
    destination,
    retimes.map((r) => ({ ...r, path: at(r.path) })),
  );
  for (const r of retimes)
    if (retimed.has(at(r.path))) {
      applied.push(r.path);
      step(r.path);
    }
  const oneByOne = retimes.filter((r) => !retimed.has(at(r.path)));
  if (
    !(await phase(oneByOne, (r) =>
      attempt(r.path, () => destination.setAttrs(at(r.path), { mode: r.mode, mtimeMs: r.mtimeMs })),
    ))
  )
    return { applied, errors, cancelled: true };
  if (retimes.length > 0) trace(`${destination.label}: swap: times set`);

  // The staged folders those files left are empty now: removed here (deepest first, many requests at
  // once), the staging folder then goes with a single request instead of a shell session.
  const stagedDirs = new Set<string>();
  for (const w of toRename) for (let q = parentOf(w.path); q !== ''; q = parentOf(q)) stagedDirs.add(q);
  for (const level of byLevel([...stagedDirs], depth, true))
    await mapBounded(level, IN_FLIGHT, (d) => destination.remove(staged(d)).catch(() => undefined));

  await options.beforeDeletes?.();
  // A file that could not be written may be what the extras were replaced by (a renamed config):
  // deleting them then would leave neither, so a partial run deletes nothing.
  const failedWrites = errors.length;
  if (failedWrites > 0)
    for (const d of rest)
      errors.push({
        path: d.path,
        message: `not deleted: ${failedWrites} change(s) could not be put in place`,
      });
  else if (!(await deleteAll(rest))) return { applied, errors, cancelled: true };
  for (const level of byLevel(dirs, (d) => depth(d.path), true)) {
    await phase(level, (d) => attempt(d.path, () => destination.setAttrs(at(d.path), d)));
  }
  return { applied, errors, cancelled: false };
}

/** From this many renames on (after the first few), plain ones go in bulk (Endpoint.renameMany). */
const BULK_FROM = 64;
/** Renames per bulk command: a cancel stops between two of them. */
const BULK_CHUNK = 1000;

/**
 * Renames `writes` (staged → in place) a chunk at a time with Endpoint.renameMany, telling `done`
 * of each outcome. Returns the writes it could not say anything of (no bulk renames on this side,
 * or the command stopped before reporting them), for renaming one by one, or 'cancelled'.
 */
async function renameBulk(
  destination: Endpoint,
  writes: ReadonlyArray<JournalWrite>,
  staged: (p: string) => string,
  at: (p: string) => string,
  hooks: { readonly aborted: () => boolean; readonly done: (w: JournalWrite, error: string | null) => void },
): Promise<JournalWrite[] | 'cancelled'> {
  const unknown: JournalWrite[] = [];
  for (let i = 0; i < writes.length; i += BULK_CHUNK) {
    if (hooks.aborted()) return 'cancelled';
    const chunk = writes.slice(i, i + BULK_CHUNK);
    const outcomes = await destination
      .renameMany?.(chunk.map((w) => ({ from: staged(w.path), to: at(w.path) })))
      .catch(() => null);
    if (!outcomes) return [...unknown, ...writes.slice(i)];
    chunk.forEach((w, k) => {
      const o = outcomes[k];
      if (o === undefined) unknown.push(w);
      else hooks.done(w, o);
    });
  }
  return unknown;
}

/** Groups of at least this many files sharing one modified time are set by a command (setSharedTimes). */
const SHARED_FROM = 8;

/** The paths (absolute) whose times setSharedTimes set; none when the endpoint cannot. */
async function setSharedTimes(
  destination: Endpoint,
  retimes: ReadonlyArray<{ readonly path: string; readonly mtimeMs: number }>,
): Promise<Set<string>> {
  if (!destination.setSharedTimes || retimes.length < SHARED_FROM) return new Set();
  const byTime = new Map<number, string[]>();
  for (const r of retimes) {
    const list = byTime.get(r.mtimeMs);
    if (list) list.push(r.path);
    else byTime.set(r.mtimeMs, [r.path]);
  }
  const groups = [...byTime]
    .filter(([, paths]) => paths.length >= SHARED_FROM)
    .map(([mtimeMs, paths]) => ({ mtimeMs, paths }));
  if (groups.length === 0) return new Set();
  const missed = new Set(
    await destination.setSharedTimes(groups).catch(() => groups.flatMap((g) => g.paths)),
  );
  return new Set(groups.flatMap((g) => g.paths).filter((p) => !missed.has(p)));
}
