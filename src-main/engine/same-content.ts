import type { Plan, PlanEntry } from '../../src-shared/model/sync.js';
import type { Endpoint } from '../transport/endpoint.js';
import { sftpCarriesTime } from '../transport/attr-script.js';
import { ownerDifference } from './metadata.js';
import { countEntries, meta } from './plan.js';
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
 * (each side hashes its own files, at once) become time-only updates (`sameContent`): the run keeps
 * their old times in its backup, then sets the new ones in place instead of writing them again. A
 * side that cannot hash leaves the plan as it was; so does a file either side could not hash.
 * `sourceHashes` hashes the source's files once for all destinations of a plan (see SourceHashes).
 */
export async function settleSameContent(
  plan: Plan,
  source: Endpoint,
  destination: Endpoint,
  canSetOwners: boolean,
  sourceHashes: SourceHashes = new SourceHashes(source, plan.sourceRoot),
): Promise<Plan> {
  const candidates = retimeCandidates(plan, canSetOwners);
  if (candidates.length === 0) return plan;
  const paths = candidates.map((e) => e.path);
  const hashes = await Promise.all([
    sourceHashes.of(paths),
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
    // Built field by field: spread, each of thousands of these got a hidden class of its own.
    return {
      path: e.path,
      action: e.action,
      reason: `${e.reason}; same content (SHA-256): only the modified time is set`,
      source: meta(e.source, hash),
      destination: meta(e.destination, hash),
      sameContent: true,
    };
  });
  return { ...plan, entries, summary: { ...plan.summary, ...countEntries(entries) } };
}

/**
 * The source's hashes asked by the plans of several destinations: each file is hashed once (a plan
 * asks only for those no earlier plan asked for), whatever the number of destinations.
 */
export class SourceHashes {
  private readonly asked = new Map<string, Promise<string | undefined>>();

  constructor(
    private readonly source: Endpoint,
    private readonly root: string,
  ) {}

  async of(paths: ReadonlyArray<string>): Promise<Map<string, string>> {
    const missing = paths.filter((p) => !this.asked.has(p));
    if (missing.length > 0) {
      const read = this.source.hash(this.root, missing);
      // A failure is each asker's failure (and asked again by the next plan).
      read.catch(() => {
        for (const p of missing) this.asked.delete(p);
      });
      for (const p of missing)
        this.asked.set(
          p,
          read.then((m) => m.get(p)),
        );
    }
    const out = new Map<string, string>();
    const got = await Promise.all(paths.map((p) => this.asked.get(p)));
    paths.forEach((p, i) => {
      const h = got[i];
      if (h !== undefined) out.set(p, h);
    });
    return out;
  }
}
