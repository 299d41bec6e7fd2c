import type {
  EntryMeta,
  FileEntry,
  FileIndex,
  Plan,
  PlanAction,
  PlanEntry,
  PlanOptions,
  PlanSummary,
} from '../../src-shared/model/sync.js';
import { planActions } from '../../src-shared/model/sync.js';
import { AppError } from '../errors/app-error.js';
import { checkLinkTarget, checkRelPath, linkLeavesRoot } from './rel-path.js';
import { scannedIndexes } from './scan.js';
import { hardLinkDifference, ownerDifference, ownerNote, sameMtime } from './metadata.js';
import { assertNever } from '../../src-shared/assert-never.js';
import { durationWords } from '../../src-shared/duration-words.js';
import { caseCollisions, windowsPathProblem } from './windows-names.js';
import { every, runAtOnce, runSliced } from '../slices.js';

/**
 * Decides, for every path of two trees, what applying would do — a pure function of the two indexes
 * and the options (no I/O, no clock), so that what the user reviews is exactly what runs, and so it
 * can be tested exhaustively. Indexes are re-checked here (except those scan() built and checked): a
 * plan is never built on an escaping path.
 */
export function plan(source: FileIndex, destination: FileIndex, options: PlanOptions): Plan {
  const key = JSON.stringify(options);
  return (
    remembered(source, destination, key) ??
    remember(source, destination, key, runAtOnce(planOf(source, destination, options)))
  );
}

/**
 * The same plan, made in slices that give the event loop its turns (see slices.ts): what the main
 * process runs, so that its window and its other runs are served while 100,000s of entries are compared.
 */
export async function planSliced(
  source: FileIndex,
  destination: FileIndex,
  options: PlanOptions,
): Promise<Plan> {
  const key = JSON.stringify(options);
  return (
    remembered(source, destination, key) ??
    remember(source, destination, key, await runSliced(planOf(source, destination, options)))
  );
}

/**
 * The same two indexes as last time (a long-lived process whose listings found nothing changed, see
 * ListingCache) and the same options (`key`, as JSON): the same plan, as a pure function gives.
 */
function remembered(source: FileIndex, destination: FileIndex, key: string): Plan | undefined {
  const last = lastPlans.get(source)?.get(destination);
  return last?.key === key ? last.plan : undefined;
}

function remember(source: FileIndex, destination: FileIndex, key: string, made: Plan): Plan {
  let byDestination = lastPlans.get(source);
  if (!byDestination) lastPlans.set(source, (byDestination = new WeakMap()));
  byDestination.set(destination, { key, plan: made });
  return made;
}

/** Each pair of indexes' last plan (kept while both indexes are). */
const lastPlans = new WeakMap<FileIndex, WeakMap<FileIndex, { key: string; plan: Plan }>>();

/** The plan as steps: it yields between them (plan() runs them at once, planSliced() in slices). */
function* planOf(source: FileIndex, destination: FileIndex, options: PlanOptions): Generator<void, Plan> {
  const src = yield* indexByPath(source);
  const dst = yield* indexByPath(destination);
  const skipped = skippedPaths(source, destination, src, options);
  // A skipped path is listed once, with its reason, and nothing on either side at or below it is touched.
  for (const path of skipped.keys()) {
    src.delete(path);
    dst.delete(path);
  }
  const under = [...skipped.keys()].map((p) => `${p}/`);
  if (under.length > 0)
    for (const m of [src, dst])
      for (const p of [...m.keys()])
        if (under.some((u) => p.startsWith(u))) {
          skipped.set(p, { reason: 'inside a folder that is skipped' });
          src.delete(p);
          dst.delete(p);
        }
  const o: DecideOptions = {
    ...options,
    owners: destination.canSetOwners ? (options.owners ?? 'name') : 'ignore',
  };
  const paths = yield* mergedPaths(src, dst);
  let entries: PlanEntry[] = new Array<PlanEntry>(paths.length);
  for (let i = 0; i < paths.length; i++) {
    const path = paths[i] as string;
    entries[i] = decide(path, src.get(path), dst.get(path), o);
    if (every(i)) yield;
  }
  yield;
  entries = hardLinkDifference(entries, src, dst);
  yield;
  // With any other change the run sets the root's metadata anyway (last, with the folders it wrote
  // into); alone, it is a change of its own.
  const root = entries.some(isChange) ? null : rootDifference(source, destination, o);
  if (root) entries = [root, ...entries];
  if (skipped.size > 0)
    entries = [
      ...entries,
      ...[...skipped].map(([path, { reason, s, d }]) => entry(path, 'skip', reason, s, d)),
    ].sort((a, b) => byCodeUnit(a.path, b.path));
  const note = ownerNote(src, dst, options.owners ?? 'name', destination.canSetOwners === true);
  return {
    options,
    sourceRoot: source.root,
    destinationRoot: destination.root,
    sourceExists: source.exists,
    entries,
    summary: summarize(entries, source, destination),
    ...(source.rootEntry ? { sourceRootEntry: meta(source.rootEntry) } : {}),
    ...(destination.rootEntry ? { destinationRootEntry: meta(destination.rootEntry) } : {}),
    ...(note ? { notes: [note] } : {}),
  };
}

/** How the reason of an entry skipped for what the destination holds begins. */
export const ON_DESTINATION = 'on the destination: ';

const isChange = (e: PlanEntry) => e.action === 'create' || e.action === 'update' || e.action === 'delete';

/**
 * The root folder itself, when its mode, owner or mtime differs (as `rsync -a` sets them on `./`):
 * an update of its metadata, path "" (first in sort order), planned when nothing else changes. The
 * run sets it last, with every folder it wrote into (see foldersToSettle).
 */
function rootDifference(source: FileIndex, destination: FileIndex, o: DecideOptions): PlanEntry | null {
  const s = source.rootEntry;
  const d = destination.rootEntry;
  if (!s || !d || s.type !== 'dir' || d.type !== 'dir') return null;
  const e = decide('', s, d, o);
  return e.action === 'update' ? { ...e, reason: `the root folder itself: ${e.reason}` } : null;
}

type DecideOptions = PlanOptions & { readonly owners: NonNullable<PlanOptions['owners']> };
type Skipped = { readonly reason: string; readonly s?: FileEntry; readonly d?: FileEntry };

/**
 * The paths the plan lists as skipped: what either side could not carry (a FIFO, a name that is not
 * UTF-8), and, when the set asks for it, symlinks that lead out of the root.
 */
function skippedPaths(
  source: FileIndex,
  destination: FileIndex,
  src: Map<string, FileEntry>,
  options: PlanOptions,
): Map<string, Skipped> {
  const out = new Map<string, Skipped>();
  for (const p of source.problems ?? []) out.set(p.path, { reason: `on the source: ${p.reason}` });
  for (const p of destination.problems ?? [])
    if (!out.has(p.path)) out.set(p.path, { reason: `${ON_DESTINATION}${p.reason}` });
  if (options.windowsNames) windowsSkips(destination, src, out);
  if (options.skipEscapingLinks)
    for (const e of src.values()) {
      if (e.type !== 'symlink' || out.has(e.path)) continue;
      const leaves = linkLeavesRoot(e.path, e.linkTarget ?? '');
      if (leaves) out.set(e.path, { reason: `a symlink that ${leaves} (the set skips such links)`, s: e });
    }
  return out;
}

/**
 * For a Windows destination: each source entry whose name or path it cannot hold, or that only differs
 * in case from another source entry or from what the destination holds (one file there), is skipped.
 */
function windowsSkips(destination: FileIndex, src: Map<string, FileEntry>, out: Map<string, Skipped>): void {
  const collide = caseCollisions([...src.keys()].sort(byCodeUnit));
  const theirs = new Map(destination.entries.map((e) => [e.path.toLowerCase(), e.path]));
  for (const e of src.values()) {
    if (out.has(e.path)) continue;
    const there = theirs.get(e.path.toLowerCase());
    const why =
      windowsPathProblem(e.path, destination.root) ??
      (collide.has(e.path)
        ? `differs only in case from "${collide.get(e.path)}": a Windows destination holds one of them`
        : there !== undefined && there !== e.path
          ? `the destination holds it as "${there}" (Windows names ignore case)`
          : null);
    if (why) out.set(e.path, { reason: why, s: e });
    if (why && there !== undefined && there !== e.path && !out.has(there))
      out.set(there, { reason: `the source has it as "${e.path}" (Windows names ignore case)` });
  }
}

const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Both sides' paths, sorted, once each: a merge when both come sorted (as scans give them), else a sort. */
function* mergedPaths(src: Map<string, FileEntry>, dst: Map<string, FileEntry>): Generator<void, string[]> {
  const a = [...src.keys()];
  const b = [...dst.keys()];
  yield;
  const sorted = (xs: string[]) => xs.every((x, i) => i === 0 || (xs[i - 1] as string) < x);
  if (!sorted(a) || !sorted(b)) return [...new Set([...a, ...b])].sort(byCodeUnit);
  yield;
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = a[i];
    const y = b[j];
    if (y === undefined || (x !== undefined && x < y)) out.push(a[i++] as string);
    else if (x === undefined || y < x) out.push(b[j++] as string);
    else {
      out.push(x);
      i++;
      j++;
    }
    if (every(out.length)) yield;
  }
  return out;
}

function* indexByPath(index: FileIndex): Generator<void, Map<string, FileEntry>> {
  const map = new Map<string, FileEntry>();
  // An index scan() built has had these checks (and is kept as it was built: all fields readonly).
  if (scannedIndexes.has(index)) {
    for (const e of index.entries) {
      map.set(e.path, e);
      if (every(map.size)) yield;
    }
    return map;
  }
  for (const e of index.entries) {
    if (every(map.size)) yield;
    const path = checkRelPath(e.path);
    if (e.type === 'symlink') checkLinkTarget(path, e.linkTarget ?? '');
    if (map.has(path))
      throw new AppError('PATH_INVALID', `The path "${path}" appears twice in the index of ${index.root}.`);
    map.set(path, e);
  }
  return map;
}

/**
 * An entry's metadata as a plan carries it. Built field by field, not by spreading optional parts:
 * a plan makes two of these per path (100,000s), and each spread was a temporary object.
 */
/** An entry's metadata for the plan, field by field (`hash` in place of its own, when given). */
export function meta(e: FileEntry | EntryMeta, hash: string | undefined = e.hash): EntryMeta {
  const m: { -readonly [K in keyof EntryMeta]: EntryMeta[K] } = {
    type: e.type,
    size: e.size,
    mtimeMs: e.mtimeMs,
    mode: e.mode,
  };
  if (e.nsec !== undefined) m.nsec = e.nsec;
  if (e.linkTarget !== undefined) m.linkTarget = e.linkTarget;
  if (hash !== undefined) m.hash = hash;
  if (e.linkId !== undefined) m.linkId = e.linkId;
  if (e.uid !== undefined) m.uid = e.uid;
  if (e.gid !== undefined) m.gid = e.gid;
  if (e.user !== undefined) m.user = e.user;
  if (e.group !== undefined) m.group = e.group;
  return m;
}

export function entry(
  path: string,
  action: PlanAction,
  reason: string,
  s?: FileEntry,
  d?: FileEntry,
): PlanEntry {
  const out: { -readonly [K in keyof PlanEntry]: PlanEntry[K] } = { path, action, reason };
  if (s) out.source = meta(s);
  if (d) out.destination = meta(d);
  return out;
}

/**
 * Two mtimes are the same when they are within the tolerance, or when one side only keeps whole
 * seconds (SFTP, tar) and both fall in the same second.
 */
export function sameTime(a: number, b: number, toleranceMs: number): boolean {
  if (Math.abs(a - b) <= toleranceMs) return true;
  const whole = (t: number) => t % 1000 === 0;
  return (whole(a) || whole(b)) && Math.floor(a / 1000) === Math.floor(b / 1000);
}

/** "4.2 s", "3 min 12 s", "1 year 334 days": a time difference in the words a person reads. */
export function seconds(ms: number): string {
  return durationWords(ms);
}

function decide(
  path: string,
  s: FileEntry | undefined,
  d: FileEntry | undefined,
  o: DecideOptions,
): PlanEntry {
  if (s && !d) return entry(path, 'create', 'only on the source', s);
  if (!s && d)
    return o.mode === 'mirror'
      ? entry(path, 'delete', 'only on the destination (mirror deletes extras)', undefined, d)
      : entry(path, 'keep', 'only on the destination (update leaves extras)', undefined, d);
  if (!s || !d) throw new Error('unreachable');
  if (s.type !== d.type) {
    if (o.mode === 'update' && d.type === 'dir')
      return entry(
        path,
        'keep',
        `a folder on the destination, a ${s.type} on the source (update does not replace folders)`,
        s,
        d,
      );
    return entry(path, 'update', `was a ${d.type}, is a ${s.type} on the source`, s, d);
  }
  const owner = ownerDifference(s, d, o.owners);
  if (s.type === 'dir') {
    if (s.mode !== d.mode)
      return entry(path, 'update', `permissions differ (${octal(d.mode)} → ${octal(s.mode)})`, s, d);
    if (owner) return entry(path, 'update', owner, s, d);
    return sameMtime(s, d, o.toleranceMs)
      ? entry(path, 'keep', 'folder present on both', s, d)
      : entry(path, 'update', `folder modified time differs by ${seconds(s.mtimeMs - d.mtimeMs)}`, s, d);
  }
  const difference = contentDifference(s, d, o);
  if (difference === null) {
    if (s.type === 'file' && s.mode !== d.mode)
      return entry(path, 'update', `permissions differ (${octal(d.mode)} → ${octal(s.mode)})`, s, d);
    if (owner) return entry(path, 'update', owner, s, d);
    return entry(path, 'keep', 'identical', s, d);
  }
  if (o.mode === 'mirror') return entry(path, 'update', difference, s, d);
  // As rsync --update: a file is left alone only when the destination's is newer; at the same time
  // (within the tolerance) a different file is copied.
  if (sameTime(s.mtimeMs, d.mtimeMs, o.toleranceMs))
    return entry(
      path,
      'update',
      `${difference}, same modified time (update copies it, as rsync --update)`,
      s,
      d,
    );
  if (s.mtimeMs > d.mtimeMs)
    return entry(path, 'update', `newer on the source by ${seconds(s.mtimeMs - d.mtimeMs)}`, s, d);
  return entry(
    path,
    'skip-newer-on-destination',
    `newer on the destination by ${seconds(d.mtimeMs - s.mtimeMs)}`,
    s,
    d,
  );
}

/** Null when both sides hold the same content by the chosen compare method; else why they differ. */
function contentDifference(s: FileEntry, d: FileEntry, o: PlanOptions): string | null {
  if (s.type === 'symlink')
    return s.linkTarget === d.linkTarget ? null : `link target differs (${d.linkTarget} → ${s.linkTarget})`;
  switch (o.compare) {
    case 'checksum':
      if (!s.hash || !d.hash)
        throw new AppError('PLAN_INVALID', `Checksum compare needs hashes on both sides ("${s.path}").`);
      return s.hash === d.hash ? null : 'content differs (checksum)';
    case 'time-size':
      if (s.size !== d.size) return `size differs (${d.size} → ${s.size} bytes)`;
      return sameMtime(s, d, o.toleranceMs)
        ? null
        : `modified time differs by ${seconds(s.mtimeMs - d.mtimeMs)}`;
    default:
      return assertNever(o.compare);
  }
}

function octal(mode: number): string {
  return mode.toString(8).padStart(4, '0');
}

/** Counts per action and the byte totals of a plan's entries (a narrowed plan is counted the same way). */
export function countEntries(
  entries: ReadonlyArray<PlanEntry>,
): Pick<PlanSummary, 'counts' | 'bytesToCopy' | 'bytesToDelete' | 'bytesToBackUp'> {
  const counts = Object.fromEntries(planActions.map((a) => [a, 0])) as Record<PlanAction, number>;
  let bytesToCopy = 0;
  let bytesToDelete = 0;
  let bytesToBackUp = 0;
  for (const e of entries) {
    counts[e.action]++;
    // A time-only update (same content) copies nothing.
    if ((e.action === 'create' || e.action === 'update') && e.source?.type === 'file' && !e.sameContent)
      bytesToCopy += e.source.size;
    if (e.action === 'delete' && e.destination?.type === 'file') bytesToDelete += e.destination.size;
    // A time-only update's backup holds its time, not a copy.
    if ((e.action === 'delete' || e.action === 'update') && e.destination?.type === 'file' && !e.sameContent)
      bytesToBackUp += e.destination.size;
  }
  return { counts, bytesToCopy, bytesToDelete, bytesToBackUp };
}

function summarize(
  entries: ReadonlyArray<PlanEntry>,
  source: FileIndex,
  destination: FileIndex,
): PlanSummary {
  const notDir = (i: FileIndex) => i.entries.filter((e) => e.type !== 'dir').length;
  return {
    ...countEntries(entries),
    destinationFiles: notDir(destination),
    sourceFiles: notDir(source),
  };
}
