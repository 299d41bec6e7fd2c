import type { FileEntry, FileIndex, ProblemEntry } from '../../src-shared/model/sync.js';
import type { Endpoint, RawEntry } from '../transport/endpoint.js';
import { AppError } from '../errors/app-error.js';
import { compileFilter, type FilterSpec } from './filters.js';
import { checkLinkTarget, checkRelPath, uncarriableName } from './rel-path.js';
import { every, runSliced, sortStrings } from '../slices.js';
import { meta } from './plan.js';

export type ScanOptions = FilterSpec & {
  /** Compute SHA-256 of every file on that side (checksum compare). */
  readonly hash?: boolean;
};

/** `~/x` → `<home>/x`; anything else must already be absolute. */
export async function resolveRoot(endpoint: Endpoint, root: string): Promise<string> {
  let r = root.trim();
  if (r === '~' || r.startsWith('~/')) r = `${(await endpoint.home()).replace(/\/+$/, '')}${r.slice(1)}`;
  if (!r.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(r))
    throw new AppError(
      'PATH_INVALID',
      `The root "${root}" on ${endpoint.label} must be an absolute path (or start with ~/).`,
    );
  if (r.split(/[\\/]/).includes('..'))
    throw new AppError('PATH_INVALID', `The root "${root}" must not contain "..".`);
  return r.length > 1 ? r.replace(/\/+$/, '') : r;
}

/**
 * Lists a root into a FileIndex the planner can trust: every path checked (relative, no `..`, no
 * NUL) and kept byte for byte, symlinks kept as their target strings, filters applied, entries
 * sorted. An entry the engine cannot carry (a FIFO, a socket, a device, a name that is not UTF-8) is
 * kept as a problem entry with its reason, never a reason to refuse the tree. A missing root gives
 * `exists: false`.
 */
export async function scan(endpoint: Endpoint, root: string, options: ScanOptions = {}): Promise<FileIndex> {
  // Without checksums, a long-lived process may list only what changed since its last listing.
  const listing = endpoint.list(root, { incremental: !options.hash });
  // Comparing by checksum, a hashing command follows for sure: its session starts now, beside the
  // listing's (which has taken its own), so its login on the server is over when the listing is.
  if (options.hash) endpoint.prepareCommand?.({ small: true });
  const owners = endpoint.canSetOwners?.() ?? Promise.resolve(false);
  owners.catch(() => undefined);
  const raw = await listing;
  const canSetOwners = await owners.catch(() => false);
  if (raw === null) return { root, exists: false, entries: [], canSetOwners };
  // The same listing as last time (an incremental one that found nothing changed): the same index.
  const key = options.hash ? null : JSON.stringify([root, options.include, options.exclude, canSetOwners]);
  const last = key === null ? undefined : lastScans.get(raw);
  if (last && last.key === key) return last.index;
  const index = await scanListing(endpoint, root, raw, canSetOwners, options);
  if (key !== null) lastScans.set(raw, { key, index });
  scannedIndexes.add(index);
  return index;
}

/** Each listing's index (kept while the listing is: a long-lived process's ListingCache holds it). */
const lastScans = new WeakMap<ReadonlyArray<RawEntry>, { key: string; index: FileIndex }>();

/**
 * Indexes scan() built: every path checked and unique, every link target checked, so that plan()
 * need not check them again.
 */
export const scannedIndexes = new WeakSet<FileIndex>();

async function scanListing(
  endpoint: Endpoint,
  root: string,
  raw: ReadonlyArray<RawEntry>,
  canSetOwners: boolean,
  options: ScanOptions,
): Promise<FileIndex> {
  const keep = compileFilter(options);
  const byPath = new Map<string, FileEntry>();
  const problems: ProblemEntry[] = [];
  let rootEntry: FileEntry | undefined;
  // 100,000s of entries, in slices that give the event loop its turns (see slices.ts).
  await runSliced(
    (function* () {
      let i = 0;
      for (const e of raw) {
        if (every(i++)) yield;
        if (e.path === '') {
          if (e.type === 'dir') rootEntry = e as FileEntry;
          continue;
        }
        const path = checkRelPath(e.path);
        if (!keep(path, e.type === 'dir')) continue;
        const bad =
          e.type === 'other'
            ? `${e.what ?? 'a special file'}: only files, folders and symlinks are copied`
            : uncarriableName(path);
        if (bad !== null) {
          problems.push({ path, reason: bad });
          continue;
        }
        if (byPath.has(path))
          throw new AppError('PATH_INVALID', `The path "${path}" appears twice on ${endpoint.label}.`);
        if (e.type === 'symlink' && !e.linkTarget) {
          problems.push({ path, reason: 'a symlink whose target could not be read' });
          continue;
        }
        // A listing's own entry is kept as it is (a tree of 100,000 entries is then not copied once more).
        const entry: FileEntry =
          e.type === 'file' || e.size === 0 ? (e as FileEntry) : { ...(e as FileEntry), size: 0 };
        if (e.type === 'symlink') checkLinkTarget(path, e.linkTarget ?? '');
        byPath.set(path, entry);
      }
    })(),
  );
  // Below a problem folder (a name that cannot be carried) nothing is carried either.
  const badDirs = problems.map((p) => `${p.path}/`);
  if (badDirs.length > 0)
    for (const p of [...byPath.keys()])
      if (badDirs.some((d) => p.startsWith(d))) {
        byPath.delete(p);
        problems.push({ path: p, reason: 'it is inside a folder that is not carried' });
      }
  // A kept entry under an excluded folder cannot exist: compileFilter checks every ancestor.
  // Sorted by path (UTF-16 code units, as plan() merges them): the strings alone sort faster than
  // the entries with a comparator.
  const sorted = await runSliced(sortStrings([...byPath.keys()]));
  const entries = sorted.map((p) => byPath.get(p) as FileEntry);
  const base = {
    root,
    exists: true,
    canSetOwners,
    ...(problems.length > 0 ? { problems } : {}),
    ...(rootEntry ? { rootEntry } : {}),
  };
  if (!options.hash) return { ...base, entries };
  const files = entries.filter((e) => e.type === 'file').map((e) => e.path);
  const hashes = await endpoint.hash(root, files);
  return {
    ...base,
    entries: entries.map((e) => {
      if (e.type !== 'file') return e;
      const hash = hashes.get(e.path);
      if (!hash)
        throw new AppError(
          'SCAN_FAILED',
          `No checksum could be computed for "${e.path}" on ${endpoint.label}.`,
        );
      return withHash(e as RawEntry, hash);
    }),
  };
}

/**
 * A listed file with its hash: the plan's metadata of it (plan.ts's meta, field by field: spread, each
 * of thousands got a hidden class of its own), its path and inode. The listing's own entry stays as it
 * is: a kept listing must not carry a hash of some moment.
 */
function withHash(e: RawEntry, hash: string): FileEntry {
  const out = meta(e as FileEntry, hash) as { -readonly [K in keyof FileEntry]: FileEntry[K] } & {
    ino?: string;
  };
  out.path = e.path;
  if (e.ino !== undefined) out.ino = e.ino;
  return out;
}
