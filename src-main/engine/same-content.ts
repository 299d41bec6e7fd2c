import type { Plan, PlanEntry } from '../../src-shared/model/sync.js';
import type { Endpoint } from '../transport/endpoint.js';
import { sftpCarriesTime } from '../transport/attr-script.js';
import { ownerDifference } from './metadata.js';
import { countEntries } from './plan.js';
import { trace } from '../trace.js';

/**
 * The updates that may differ in their modified time only: a file on both sides, of the same size,
 * mode and owner, no hard link on either side, compared by time and size, with a source time in
 * whole seconds (what every side sets exactly, SFTP included, in one request per file; a finer time
 * is set by a command per file, slower than writing the file again).
 */
export function retimeCandidates(plan: Plan, canSetOwners: boolean): PlanEntry[] {
  if (plan.options.compare !== 'time-size') return [];
  const owners = canSetOwners ? (plan.options.owners ?? 'name') : 'ignore';
  return plan.entries.filter((e) => {
    const s = e.source;
    const d = e.destination;
    return (
      e.action === 'update' &&
      e.path !== '' &&
      s?.type === 'file' &&
      d?.type === 'file' &&
      s.size === d.size &&
      s.mode === d.mode &&
      s.linkId === undefined &&
      d.linkId === undefined &&
      sftpCarriesTime(s.mtimeMs, s.nsec) &&
      ownerDifference(s, d, owners) === null
    );
  });
}

/**
 * Of the candidates (retimeCandidates), those whose content is the same on both sides by SHA-256
 * (each side hashes its own files, at once) become time-only updates (`sameContent`): the run backs
 * each up as any update, then sets its modified time in place instead of writing it again. A side
 * that cannot hash leaves the plan as it was; so does a file either side could not hash.
 */
export async function settleSameContent(
  plan: Plan,
  source: Endpoint,
  destination: Endpoint,
  canSetOwners: boolean,
): Promise<Plan> {
  const candidates = retimeCandidates(plan, canSetOwners);
  if (candidates.length === 0) return plan;
  const paths = candidates.map((e) => e.path);
  const hashes = await Promise.all([
    source.hash(plan.sourceRoot, paths),
    destination.hash(plan.destinationRoot, paths),
  ]).catch((err: unknown) => {
    trace(`same-content check skipped: ${(err as Error).message}`);
    return null;
  });
  if (!hashes) return plan;
  const [ours, theirs] = hashes;
  const same = new Map<string, string>();
  for (const p of paths) {
    const h = ours.get(p);
    if (h !== undefined && h === theirs.get(p)) same.set(p, h);
  }
  trace(`${destination.label}: ${same.size} of ${paths.length} same-size update(s) hold the same content`);
  if (same.size === 0) return plan;
  const entries = plan.entries.map((e): PlanEntry => {
    const hash = same.get(e.path);
    if (hash === undefined || !e.source || !e.destination) return e;
    return {
      ...e,
      sameContent: true,
      reason: `${e.reason}; same content (SHA-256): only the modified time is set`,
      source: { ...e.source, hash },
      destination: { ...e.destination, hash },
    };
  });
  return { ...plan, entries, summary: { ...plan.summary, ...countEntries(entries) } };
}
