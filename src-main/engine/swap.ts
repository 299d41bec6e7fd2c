import type { PathError } from '../../src-shared/model/sync.js';
import type { Endpoint } from '../transport/endpoint.js';
import type { Journal } from './journal.js';
import { joinRoot } from './rel-path.js';

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

const depth = (p: string) => p.split('/').length;

/**
 * Moves a run's staged content into place: folders first, then each staged file renamed over its
 * target (atomic: a reader sees the old or the new file), then extras deleted deepest first, then
 * folder modes and mtimes. Idempotent, so a killed run can be completed by calling it again.
 */
export async function swapIn(
  destination: Endpoint,
  journal: Journal,
  options: SwapOptions = {},
): Promise<SwapResult> {
  const at = (p: string) => joinRoot(journal.root, p);
  const applied: string[] = [];
  const errors: PathError[] = [];
  const total = journal.writes.length + journal.deletes.length + journal.dirs.length;
  let done = 0;
  const step = (path: string) => options.onPath?.(path, ++done, total);

  const dirs = [...journal.dirs].sort((a, b) => depth(a.path) - depth(b.path));
  for (const d of dirs) {
    try {
      if (d.replaces !== null && d.replaces !== 'dir') await destination.remove(at(d.path));
      await destination.mkdirp(at(d.path));
    } catch (err) {
      errors.push({ path: d.path, message: (err as Error).message });
    }
  }
  // A folder that becomes a file must be emptied of its (deleted) content before the rename.
  const replacedDirs = journal.writes.filter((w) => w.replaces === 'dir').map((w) => `${w.path}/`);
  const blocking = journal.deletes.filter((d) => replacedDirs.some((r) => d.path.startsWith(r)));
  const rest = journal.deletes.filter((d) => !blocking.includes(d));
  const deleteAll = async (list: typeof journal.deletes): Promise<boolean> => {
    for (const d of [...list].sort((a, b) => depth(b.path) - depth(a.path))) {
      if (options.signal?.aborted) return false;
      try {
        await destination.remove(at(d.path));
        applied.push(d.path);
      } catch (err) {
        // A folder still holding excluded files (licenses...) stays; anything else is an error.
        if (d.type !== 'dir' || (await destination.readdir(at(d.path))).length === 0)
          errors.push({ path: d.path, message: (err as Error).message });
      }
      step(d.path);
    }
    return true;
  };
  if (!(await deleteAll(blocking))) return { applied, errors, cancelled: true };

  const madeParents = new Set<string>();
  for (const w of journal.writes) {
    if (options.signal?.aborted) return { applied, errors, cancelled: true };
    const staged = joinRoot(journal.stagingDir, w.path);
    try {
      if (options.resume && !(await destination.stat(staged))) {
        const now = await destination.stat(at(w.path));
        if (now?.type === w.type) applied.push(w.path);
        else errors.push({ path: w.path, message: 'neither staged nor in place' });
        step(w.path);
        continue;
      }
      const parent = at(w.path).replace(/\/[^/]*$/, '');
      if (!madeParents.has(parent)) {
        await destination.mkdirp(parent);
        madeParents.add(parent);
      }
      if (w.replaces !== null && w.replaces !== w.type) await destination.remove(at(w.path));
      await destination.rename(staged, at(w.path));
      applied.push(w.path);
    } catch (err) {
      errors.push({ path: w.path, message: (err as Error).message });
    }
    step(w.path);
  }
  await options.beforeDeletes?.();
  // A file that could not be written may be what the extras were replaced by (a renamed config):
  // deleting them then would leave neither, so a partial run deletes nothing.
  const failedWrites = errors.length;
  if (failedWrites > 0)
    for (const d of rest)
      errors.push({ path: d.path, message: `not deleted: ${failedWrites} change(s) could not be put in place` });
  else if (!(await deleteAll(rest))) return { applied, errors, cancelled: true };
  for (const d of [...dirs].reverse()) {
    try {
      await destination.setAttrs(at(d.path), d);
      applied.push(d.path);
    } catch (err) {
      errors.push({ path: d.path, message: (err as Error).message });
    }
    step(d.path);
  }
  return { applied, errors, cancelled: false };
}
