import type { EntryMeta, PathError, Plan } from '../../src-shared/model/sync.js';
import type { Endpoint, RawEntry } from '../transport/endpoint.js';
import { sameTime } from './plan.js';

/** mtimes set by utimes may come back a rounding away; whole-second sides are handled by sameTime. */
const MTIME_SLACK_MS = 5;

/**
 * Re-reads the destination and checks it now is what the plan said it would be: written paths match
 * the source's type, size, mode, mtime and link target (and content, when the plan compared by
 * checksum), deleted paths are gone, kept paths are untouched. `only` limits the check to some paths.
 */
export async function verify(
  plan: Plan,
  destination: Endpoint,
  options: { readonly only?: ReadonlySet<string>; readonly hash?: boolean } = {},
): Promise<PathError[]> {
  const only = options.only;
  const listed = (await destination.list(plan.destinationRoot)) ?? [];
  const now = new Map<string, RawEntry>(listed.map((e) => [e.path, e]));
  const mismatches: PathError[] = [];
  const toHash: Array<{ path: string; hash: string }> = [];
  for (const e of plan.entries) {
    if (only && !only.has(e.path)) continue;
    const got = now.get(e.path);
    const expected: EntryMeta | undefined =
      e.action === 'create' || e.action === 'update'
        ? e.source
        : e.action === 'delete'
          ? undefined
          : e.destination;
    if (!expected) {
      if (got && !(got.type === 'dir' && listed.some((x) => x.path.startsWith(`${e.path}/`))))
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

function differs(expected: EntryMeta, got: RawEntry): string | null {
  if (got.type !== expected.type) return `should be a ${expected.type}, but is a ${got.type}`;
  if (expected.type === 'symlink')
    return got.linkTarget === expected.linkTarget
      ? null
      : `link points to ${got.linkTarget}, expected ${expected.linkTarget}`;
  if (got.mode !== expected.mode)
    return `mode is ${got.mode.toString(8)}, expected ${expected.mode.toString(8)}`;
  if (expected.type === 'dir') return null;
  if (got.size !== expected.size) return `size is ${got.size} bytes, expected ${expected.size}`;
  if (!sameTime(got.mtimeMs, expected.mtimeMs, MTIME_SLACK_MS))
    return `modified time is ${new Date(got.mtimeMs).toISOString()}, expected ${new Date(expected.mtimeMs).toISOString()}`;
  return null;
}
