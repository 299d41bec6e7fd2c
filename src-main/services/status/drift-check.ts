import type { Endpoint } from '../../transport/endpoint.js';
import { planAll, type FanOutTarget } from '../../engine/fan-out.js';
import { resolveRoot } from '../../engine/scan.js';
import type { SyncSet } from '../../../src-shared/contract/schemas/sync.js';
import type { Server } from '../../../src-shared/model/server.js';
import type { PlanSummary } from '../../../src-shared/model/sync.js';
import { pickParticipants } from '../sync/participants.js';
import type { DriftEntry } from './status-state.js';

export type DriftCheckDeps = {
  readonly connect: (serverId: string) => Promise<Endpoint>;
  readonly resolvePath: (serverId: string, path: string) => Promise<string> | string;
  /** Called when a server could not be reached, so its last contact says so. */
  readonly contactFailed: (serverId: string, message: string) => void;
  readonly now: () => number;
};

export type DriftFinding = { readonly serverId: string; readonly setId: string; readonly entry: DriftEntry };

/** Paths a sync would touch: created, updated, deleted, or newer on the destination and left alone. */
export function differencesOf(summary: PlanSummary): number {
  const c = summary.counts;
  return c.create + c.update + c.delete + c['skip-newer-on-destination'];
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
    findings.set(id, { state: 'unknown', differences: 0, checkedAt: deps.now(), message });
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
  const differences = new Map<string, number>();
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
        if (t.ok) differences.set(t.id, (differences.get(t.id) ?? 0) + differencesOf(t.plan.summary));
        else {
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
  for (const id of who.destinationServerIds) {
    if (findings.has(id)) continue;
    const n = differences.get(id) ?? 0;
    findings.set(id, {
      state: n === 0 ? 'in-sync' : 'differs',
      differences: n,
      checkedAt: deps.now(),
      message: n === 0 ? 'Same as the primary.' : `${n} path(s) differ from the primary.`,
    });
  }
  return [...findings].map(([serverId, entry]) => ({ serverId, setId: set.id, entry }));
}
