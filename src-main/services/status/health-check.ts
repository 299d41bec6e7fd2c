import type { Endpoint } from '../../transport/endpoint.js';
import { resolveRoot } from '../../engine/scan.js';
import type { SyncSet } from '../../../src-shared/contract/schemas/sync.js';
import type { CheckState, HealthCheckId, HealthState } from '../../../src-shared/contract/methods/status.js';
import type { RunRecord } from '../../../src-shared/model/history.js';
import type { Server } from '../../../src-shared/model/server.js';
import { formatBytes } from '../notify/notify-summary.js';

export type HealthDeps = {
  readonly connect: (serverId: string) => Promise<Endpoint>;
  readonly resolvePath: (serverId: string, path: string) => Promise<string> | string;
  readonly contactFailed: (serverId: string, message: string) => void;
  readonly now: () => number;
};

/** Below this much free space on a synced path the check fails; below WARN_BYTES it warns. */
export const FAIL_BYTES = 100 * 1024 * 1024;
export const WARN_BYTES = 1024 * 1024 * 1024;
/** How many recent runs the errors check looks at. */
export const RECENT_RUNS = 5;

type Check = { id: HealthCheckId; state: CheckState; message: string };
const severity: Readonly<Record<CheckState, number>> = { ok: 0, unknown: 1, warning: 2, failed: 3 };

/** The worst state of a list of checks (unknown when there are none). */
export function overallState(checks: ReadonlyArray<{ state: CheckState }>): CheckState {
  if (checks.length === 0) return 'unknown';
  return checks.reduce<CheckState>(
    (worst, c) => (severity[c.state] > severity[worst] ? c.state : worst),
    'ok',
  );
}

/** The runs (oldest first) that had this server as a destination, newest last. */
function runsTo(serverId: string, runs: ReadonlyArray<RunRecord>): RunRecord[] {
  return runs.filter((r) => r.destinations.some((d) => d.serverId === serverId));
}

/** "Errors in the last runs": failures among the last few runs to this server; the latest one failing is worst. */
export function errorsCheck(serverId: string, runs: ReadonlyArray<RunRecord>): Check {
  const recent = runsTo(serverId, runs).slice(-RECENT_RUNS);
  if (recent.length === 0) return { id: 'errors', state: 'ok', message: 'No run yet.' };
  const statusOf = (r: RunRecord) => r.destinations.find((d) => d.serverId === serverId)?.status ?? 'ok';
  const bad = recent.filter((r) => statusOf(r) !== 'ok');
  if (bad.length === 0)
    return { id: 'errors', state: 'ok', message: `No errors in the last ${recent.length} run(s).` };
  const last = recent[recent.length - 1];
  const lastBad = last !== undefined && statusOf(last) !== 'ok';
  return {
    id: 'errors',
    state: lastBad ? 'failed' : 'warning',
    message: `${bad.length} of the last ${recent.length} run(s) did not succeed here${lastBad ? ', the latest included' : ''}.`,
  };
}

/** "Backups ran": the last run that changed files on this server left a backup of what it replaced. */
export function backupsCheck(
  server: Server,
  runs: ReadonlyArray<RunRecord>,
  lastBackupAt: number | null,
): Check {
  if (server.role === 'primary')
    return {
      id: 'backups',
      state: 'ok',
      message: 'The primary is the source: nothing is overwritten on it.',
    };
  const changing = runsTo(server.id, runs).filter((r) =>
    r.destinations.some(
      (d) => d.serverId === server.id && d.counts.created + d.counts.updated + d.counts.deleted > 0,
    ),
  );
  const last = changing[changing.length - 1];
  if (!last) return { id: 'backups', state: 'ok', message: 'No run has changed files here yet.' };
  if (lastBackupAt !== null && lastBackupAt >= last.startedAt - 1000)
    return {
      id: 'backups',
      state: 'ok',
      message: `Backup kept by the run of ${new Date(lastBackupAt).toISOString()}.`,
    };
  return { id: 'backups', state: 'warning', message: 'The last run that changed files here left no backup.' };
}

async function freeSpaceCheck(
  server: Server,
  endpoint: Endpoint,
  sets: ReadonlyArray<SyncSet>,
  deps: HealthDeps,
): Promise<Check> {
  let lowest: { bytes: number; path: string } | null = null;
  const problems: string[] = [];
  for (const set of sets)
    for (const item of set.items) {
      try {
        const root = await resolveRoot(endpoint, await deps.resolvePath(server.id, item.path));
        // A folder not made yet: the space that matters is its parent's.
        let path = root;
        let free: number | null = null;
        for (let i = 0; i < 8 && free === null; i++) {
          free = await endpoint.freeSpace(path).catch(() => null);
          if (free === null) path = path.replace(/\/[^/]*$/, '') || '/';
        }
        if (free !== null && (!lowest || free < lowest.bytes)) lowest = { bytes: free, path: root };
      } catch (err) {
        problems.push(err instanceof Error ? err.message : String(err));
      }
    }
  if (!lowest)
    return {
      id: 'free-space',
      state: problems.length > 0 ? 'warning' : 'unknown',
      message: problems[0] ?? (sets.length === 0 ? 'No sync set yet.' : 'Free space could not be read.'),
    };
  const state: CheckState =
    lowest.bytes < FAIL_BYTES ? 'failed' : lowest.bytes < WARN_BYTES ? 'warning' : 'ok';
  return { id: 'free-space', state, message: `${formatBytes(lowest.bytes)} free on ${lowest.path}.` };
}

/**
 * CMS HA's daily checklist for one server: link up (connected within its contact timeout), free space
 * on the filesystems of the synced paths, backups ran, errors in the last runs. Not Selected servers
 * take part in nothing and are not checked.
 */
export async function checkServerHealth(
  server: Server,
  sets: ReadonlyArray<SyncSet>,
  runs: ReadonlyArray<RunRecord>,
  lastBackupAt: number | null,
  deps: HealthDeps,
): Promise<HealthState> {
  if (server.role === 'not-selected') return { state: 'unknown', checkedAt: deps.now(), checks: [] };
  const checks: Check[] = [];
  let endpoint: Endpoint | null = null;
  try {
    endpoint = await deps.connect(server.id);
    checks.push({ id: 'link', state: 'ok', message: 'Reachable.' });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    deps.contactFailed(server.id, message);
    checks.push({ id: 'link', state: 'failed', message });
  }
  try {
    checks.push(
      endpoint
        ? await freeSpaceCheck(server, endpoint, sets, deps)
        : { id: 'free-space', state: 'unknown', message: 'Not reachable.' },
    );
  } finally {
    endpoint?.close();
  }
  checks.push(backupsCheck(server, runs, lastBackupAt), errorsCheck(server.id, runs));
  return { state: overallState(checks), checkedAt: deps.now(), checks };
}
