import type { EntryMeta, PathError, Plan, PlanEntry } from '../../src-shared/model/sync.js';
import type { Endpoint, RawEntry, StatResult } from '../transport/endpoint.js';
import { IN_FLIGHT, mapBounded } from './bounded.js';
import { sameTime } from './plan.js';
import { joinRoot, parentOf } from './rel-path.js';

/** mtimes set by utimes may come back a rounding away; whole-second sides are handled by sameTime. */
const MTIME_SLACK_MS = 5;

/** Below this many paths to check (or an eighth of the tree), each is stat-ed; above, the tree is listed once. */
const PER_PATH_MIN = 256;

function depthOf(p: string): number {
  let n = 0;
  for (let i = p.indexOf('/'); i >= 0; i = p.indexOf('/', i + 1)) n++;
  return n;
}

const expectedOf = (e: PlanEntry): EntryMeta | undefined =>
  e.action === 'create' || e.action === 'update'
    ? e.source
    : e.action === 'delete'
      ? undefined
      : e.destination;

/**
 * Re-reads the destination and checks it now is what the plan said it would be: written paths match
 * the source's type, size, mode, mtime and link target (and content, when the plan compared by
 * checksum), deleted paths are gone, kept paths are untouched. `only` limits the check to some paths.
 * A few paths are stat-ed one by one (many requests in flight); many are read in one listing. A path
 * that should be gone under a folder that should be gone and is gone is gone too, so it is not asked.
 */
export async function verify(
  plan: Plan,
  destination: Endpoint,
  options: {
    readonly only?: ReadonlySet<string>;
    readonly hash?: boolean;
    /** Hears what was read back, path by path (the inodes a listing gives are recorded from it). */
    readonly read?: (now: ReadonlyMap<string, RawEntry | StatResult>) => void;
  } = {},
): Promise<PathError[]> {
  const { checked, direct, implied } = split(plan, options.only);
  const now = new Map<string, RawEntry | StatResult>();
  /** Folders that still hold something (a folder that should be gone but keeps excluded files may stay). */
  let holdsSomething: (dir: string) => Promise<boolean>;
  if (!listsWhole(plan, direct.length)) {
    const at = (p: string) => joinRoot(plan.destinationRoot, p);
    const statAll = async (list: ReadonlyArray<PlanEntry>) => {
      const got = await mapBounded(list, IN_FLIGHT, (e) => destination.stat(at(e.path)));
      list.forEach((e, i) => {
        const g = got[i];
        if (g) now.set(e.path, g);
      });
    };
    await statAll(direct);
    // Level by level: one that should be gone is asked only when its folder is still there.
    const levels: PlanEntry[][] = [];
    for (const e of checked.filter(implied)) (levels[depthOf(e.path)] ??= []).push(e);
    for (const level of levels) if (level) await statAll(level.filter((e) => now.has(parentOf(e.path))));
    holdsSomething = async (dir) => (await destination.readdir(at(dir))).length > 0;
    // A stat resolves every folder on its way: a path found below a symlink was seen through the
    // link, outside the tree (a listing, which never follows links, would not have it).
    for (const p of [...now.keys()])
      for (let q = parentOf(p); q !== ''; q = parentOf(q))
        if (now.get(q)?.type === 'symlink') {
          now.delete(p);
          break;
        }
  } else {
    const listed = (await destination.list(plan.destinationRoot)) ?? [];
    const parents = new Set<string>();
    for (const e of listed) {
      now.set(e.path, e);
      for (let q = parentOf(e.path); q !== '' && !parents.has(q); q = parentOf(q)) parents.add(q);
    }
    holdsSomething = async (dir) => parents.has(dir);
  }
  options.read?.(now);
  const mismatches: PathError[] = [];
  const toHash: Array<{ path: string; hash: string }> = [];
  for (const e of checked) {
    const got = now.get(e.path);
    const expected = expectedOf(e);
    if (!expected) {
      if (got && !(got.type === 'dir' && (await holdsSomething(e.path))))
        mismatches.push({ path: e.path, message: `should be gone, but a ${got.type} is there` });
      continue;
    }
    if (!got) {
      mismatches.push({ path: e.path, message: `should be a ${expected.type}, but is missing` });
      continue;
    }
    const problem = differs(expected, got);
    if (problem) mismatches.push({ path: e.path, message: problem });
    else if (
      options.hash !== false &&
      plan.options.compare === 'checksum' &&
      expected.type === 'file' &&
      expected.hash
    )
      toHash.push({ path: e.path, hash: expected.hash });
  }
  if (toHash.length > 0) {
    const hashes = await destination.hash(
      plan.destinationRoot,
      toHash.map((h) => h.path),
    );
    for (const h of toHash)
      if (hashes.get(h.path) !== h.hash)
        mismatches.push({ path: h.path, message: 'content differs (checksum)' });
  }
  return mismatches;
}

/** Whether verify(plan, …, {only}) reads one listing of the whole tree (so its session can be started ahead). */
export function verifyReadsListing(plan: Plan, only?: ReadonlySet<string>): boolean {
  return listsWhole(plan, split(plan, only).direct.length);
}

/**
 * What a run can have touched: every changed path, every folder above one, and everything in a
 * folder it renamed into or deleted from. The run does nothing elsewhere, so checking these after it
 * checks all it did; a path outside them is left as it was whatever happens.
 */
export function touchedBy(plan: Plan): Set<string> {
  const dirs = new Set<string>();
  const out = new Set<string>();
  for (const e of plan.entries) {
    if (e.action !== 'create' && e.action !== 'update' && e.action !== 'delete') continue;
    out.add(e.path);
    for (let q = parentOf(e.path); q !== '' && !dirs.has(q); q = parentOf(q)) dirs.add(q);
    dirs.add(parentOf(e.path));
  }
  for (const e of plan.entries) if (dirs.has(parentOf(e.path)) || dirs.has(e.path)) out.add(e.path);
  return out;
}

const listsWhole = (plan: Plan, paths: number) => paths > Math.max(PER_PATH_MIN, plan.entries.length / 8);

function split(plan: Plan, only?: ReadonlySet<string>) {
  // A skipped entry is never touched (and one the scan could not carry has no state to compare).
  // The root's own metadata (path "") is set after verification, with the folders (see foldersToSettle).
  const checked = plan.entries.filter(
    (e) => e.action !== 'skip' && e.path !== '' && (!only || only.has(e.path)),
  );
  const goneWanted = new Set(checked.filter((e) => expectedOf(e) === undefined).map((e) => e.path));
  const implied = (e: PlanEntry) => goneWanted.has(e.path) && goneWanted.has(parentOf(e.path));
  return { checked, implied, direct: checked.filter((e) => !implied(e)) };
}

/**
 * SFTP reads mtimes as unsigned 32-bit seconds: one before 1970 or after 2106 comes back wrapped
 * into that range, and says nothing about what is on disk (the listing, by find, reads it exactly).
 */
function wrappedBySftp(expectedMs: number, gotMs: number): boolean {
  const outside = (ms: number) => ms < 0 || ms >= 2 ** 32 * 1000;
  return outside(expectedMs) && !outside(gotMs);
}

function differs(expected: EntryMeta, got: RawEntry | StatResult): string | null {
  if (got.type !== expected.type) return `should be a ${expected.type}, but is a ${got.type}`;
  if (expected.type === 'symlink')
    return got.linkTarget === expected.linkTarget
      ? null
      : `link points to ${got.linkTarget}, expected ${expected.linkTarget}`;
  if (got.mode !== expected.mode)
    return `mode is ${got.mode.toString(8)}, expected ${expected.mode.toString(8)}`;
  if (expected.type === 'dir') return null;
  if (got.size !== expected.size) return `size is ${got.size} bytes, expected ${expected.size}`;
  if (
    !sameTime(got.mtimeMs, expected.mtimeMs, MTIME_SLACK_MS) &&
    !wrappedBySftp(expected.mtimeMs, got.mtimeMs)
  )
    return `modified time is ${new Date(got.mtimeMs).toISOString()}, expected ${new Date(expected.mtimeMs).toISOString()}`;
  return null;
}
