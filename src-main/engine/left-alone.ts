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
} | null;

const SLACK_MS = 5;

/** Whether the path now is what was seen: same type, and for a file the same size and mtime; a link the same target. */
export function looksAsSeen(now: StatResult | null, seen: Seen): boolean {
  if (!seen) return now === null;
  if (!now || now.type !== seen.type) return false;
  if (seen.type === 'symlink') return now.linkTarget === seen.linkTarget;
  if (seen.type === 'dir') return true;
  return now.size === seen.size && sameTime(now.mtimeMs, seen.mtimeMs, SLACK_MS);
}

function describe(s: StatResult | Seen): string {
  if (!s) return 'nothing';
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
  const now = await mapBounded(items, IN_FLIGHT, (i) => endpoint.stat(joinRoot(root, i.path)));
  const unchanged: T[] = [];
  const changed: PathError[] = [];
  items.forEach((item, k) => {
    const st = now[k] ?? null;
    const known = expected(item);
    if (known.some((seen) => looksAsSeen(st, seen))) unchanged.push(item);
    else
      changed.push({
        path: item.path,
        message: `left as it is: changed since the run (now ${describe(st)}; the run knew ${known.map(describe).join(' or ')})`,
      });
  });
  return { unchanged, changed };
}
