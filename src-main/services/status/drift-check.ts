import type { Endpoint } from '../../transport/endpoint.js';
import { planAll, type FanOutTarget } from '../../engine/fan-out.js';
import { resolveRoot } from '../../engine/scan.js';
import type { SyncSet } from '../../../src-shared/contract/schemas/sync.js';
import type { Server } from '../../../src-shared/model/server.js';
import type { Plan, PlanSummary } from '../../../src-shared/model/sync.js';
import { differencesLeft } from '../sync/plan-selection.js';
import { pickParticipants } from '../sync/participants.js';
import type { DriftEntry } from './status-state.js';

export type DriftCheckDeps = {
  readonly connect: (serverId: string) => Promise<Endpoint>;
  readonly resolvePath: (serverId: string, path: string) => Promise<string> | string;
  /** Called when a server could not be reached, so its last contact says so. */
  readonly contactFailed: (serverId: string, message: string) => void;
  readonly now: () => number;
};

export type DriftFinding = {
  readonly serverId: string;
  readonly setId: string;
  readonly entry: DriftEntry;
  /** What a run of the set would change there now (0: a run would do nothing; null: not known). */
  readonly changes?: number | null;
};

/** Paths a sync would touch: created, updated, deleted, or newer on the destination and left alone. */
export function differencesOf(summary: PlanSummary): number {
  const c = summary.counts;
  return c.create + c.update + c.delete + c['skip-newer-on-destination'];
}

/**
 * Paths where the destination is not an exact copy of the primary: what a sync would touch, and
 * what an Easy set keeps on purpose (extra files, a folder where the source has a file). The status
 * tab's "In sync" means none; an Easy run that leaves extras does not make a server in sync.
 */
export function driftOf(plan: Plan): { differences: number; changes: number; kept: number } {
  const c = plan.summary.counts;
  const kept = differencesLeft(plan);
  return {
    differences: c.create + c.update + c.delete + kept,
    changes: c.create + c.update + c.delete,
    kept,
  };
}

/**
 * The drift check: plans one set from the primary to every secondary, exactly as a sync would (same
 * filters, mode and compare), applies nothing, and closes every connection it opened. A server that
 * cannot be reached or listed is `unknown`, never `in-sync`.
 */
export async function checkSetDrift(
  set: SyncSet,
  servers: ReadonlyArray<Server>,
  deps: DriftCheckDeps,
): Promise<DriftFinding[]> {
  let who: { sourceServerId: string; destinationServerIds: string[] };
  try {
    who = pickParticipants(servers, undefined, undefined);
  } catch {
    return [];
  }
  const findings = new Map<string, DriftEntry>();
  const unknown = (id: string, message: string) =>
    findings.set(id, {
      state: 'unknown',
      differences: 0,
      checkedAt: deps.now(),
      message,
      source: { kind: 'check', at: deps.now() },
    });
  let source: Endpoint;
  try {
    source = await deps.connect(who.sourceServerId);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    deps.contactFailed(who.sourceServerId, message);

    for (const id of who.destinationServerIds) unknown(id, `The primary could not be reached: ${message}`);
    return [...findings].map(([serverId, entry]) => ({ serverId, setId: set.id, entry }));
  }
  const endpoints = new Map<string, Promise<Endpoint>>();
  const differences = new Map<string, { differences: number; changes: number; kept: number }>();
  try {
    for (const item of set.items) {
      const sourceRoot = await resolveRoot(source, await deps.resolvePath(who.sourceServerId, item.path));
      const targets: FanOutTarget[] = [];
      for (const id of who.destinationServerIds) {
        if (findings.has(id)) continue;
        let raw: string;
        try {
          raw = await deps.resolvePath(id, item.path);
        } catch (err) {
          unknown(id, err instanceof Error ? err.message : String(err));
          continue;
        }
        const target = {
          id,
          label: id,
          root: raw,
          connect: async () => {
            let p = endpoints.get(id);
            if (!p) endpoints.set(id, (p = deps.connect(id)));
            const ep = await p;
            target.root = await resolveRoot(ep, raw);
            return ep;
          },
        };
        targets.push(target);
      }
      const planned = await planAll(source, sourceRoot, targets, {
        planOptions: { mode: set.mode, compare: set.compare, toleranceMs: set.toleranceMs },
        filter: { include: set.include, exclude: set.exclude },
      });
      for (const t of planned.targets) {
        if (t.ok) {
          const was = differences.get(t.id) ?? { differences: 0, changes: 0, kept: 0 };
          const now = driftOf(t.plan);
          differences.set(t.id, {
            differences: was.differences + now.differences,
            changes: was.changes + now.changes,
            kept: was.kept + now.kept,
          });
        } else {
          if (t.status === 'unreachable') deps.contactFailed(t.id, t.message);
          unknown(t.id, t.message);
        }
      }
    }
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    for (const id of who.destinationServerIds) if (!findings.has(id)) unknown(id, message);
  } finally {
    source.close();
    for (const e of endpoints.values()) void e.then((ep) => ep.close()).catch(() => undefined);
  }
  const changes = new Map<string, number>();
  for (const id of who.destinationServerIds) {
    if (findings.has(id)) continue;
    const d = differences.get(id) ?? { differences: 0, changes: 0, kept: 0 };
    const n = d.differences;
    changes.set(id, d.changes);
    const kept =
      d.kept > 0
        ? ` (${d.kept} of them extra or newer there: an Easy set leaves them, a Strict run would change them)`
        : '';
    findings.set(id, {
      state: n === 0 ? 'in-sync' : 'differs',
      differences: n,
      checkedAt: deps.now(),
      message: n === 0 ? 'Same as the primary.' : `${n} path(s) differ from the primary${kept}.`,
      source: { kind: 'check', at: deps.now() },
    });
  }
  return [...findings].map(([serverId, entry]) => ({
    serverId,
    setId: set.id,
    entry,
    changes: changes.get(serverId) ?? null,
  }));
}
