import type { FileEntry, FileIndex } from '../../src-shared/model/sync.js';
import type { Endpoint } from '../transport/endpoint.js';
import { AppError } from '../errors/app-error.js';
import { compileFilter, type FilterSpec } from './filters.js';
import { checkLinkTarget, checkRelPath } from './rel-path.js';

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
 * control characters, NFC), every symlink target kept inside the root, filters applied, entries
 * sorted. Special files (sockets, devices) are left out. A missing root gives `exists: false`.
 */
export async function scan(endpoint: Endpoint, root: string, options: ScanOptions = {}): Promise<FileIndex> {
  const raw = await endpoint.list(root);
  // Comparing by checksum, a hashing command follows for sure: its session starts while this listing
  // is checked (not while it is read: two login shells starting at once slow each other down).
  if (options.hash) endpoint.prepareCommand?.();
  if (raw === null) return { root, exists: false, entries: [] };
  const keep = compileFilter(options);
  const byPath = new Map<string, FileEntry>();
  for (const e of raw) {
    if (e.type === 'other') continue;
    const path = checkRelPath(e.path);
    if (path !== e.path && path !== e.path.replace(/\\/g, '/'))
      throw new AppError(
        'PATH_INVALID',
        `The name "${e.path}" on ${endpoint.label} is not in Unicode NFC form; rename it.`,
      );
    if (!keep(path, e.type === 'dir')) continue;
    if (byPath.has(path))
      throw new AppError('PATH_INVALID', `The path "${path}" appears twice on ${endpoint.label}.`);
    // A listing's own entry is kept as it is when nothing about it changes (a tree of 100,000
    // entries is then not copied once more).
    const entry: FileEntry =
      path === e.path && e.type !== 'symlink' && (e.type === 'file' || e.size === 0)
        ? (e as FileEntry)
        : {
            path,
            type: e.type,
            size: e.type === 'file' ? e.size : 0,
            mtimeMs: e.mtimeMs,
            mode: e.mode,
            ...(e.type === 'symlink' ? { linkTarget: checkLinkTarget(path, e.linkTarget ?? '') } : {}),
          };
    byPath.set(path, entry);
  }
  // A kept entry under an excluded folder cannot exist: compileFilter checks every ancestor.
  // Sorted by path (UTF-16 code units, as plan() merges them): the strings alone sort faster than
  // the entries with a comparator.
  const entries = [...byPath.keys()].sort().map((p) => byPath.get(p) as FileEntry);
  if (!options.hash) return { root, exists: true, entries };
  const files = entries.filter((e) => e.type === 'file').map((e) => e.path);
  const hashes = await endpoint.hash(root, files);
  return {
    root,
    exists: true,
    entries: entries.map((e) => {
      if (e.type !== 'file') return e;
      const hash = hashes.get(e.path);
      if (!hash)
        throw new AppError(
          'SCAN_FAILED',
          `No checksum could be computed for "${e.path}" on ${endpoint.label}.`,
        );
      return { ...e, hash };
    }),
  };
}
