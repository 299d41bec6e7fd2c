import type { SyncSet } from '../../../src-shared/contract/schemas/sync.js';
import type {
  DriftState,
  HealthState,
  ServerStatus,
  StatusOverview,
} from '../../../src-shared/contract/methods/status.js';
import type { RunRecord } from '../../../src-shared/model/history.js';
import type { Server } from '../../../src-shared/model/server.js';
import type { Endpoint } from '../../transport/endpoint.js';
import type { EventBus } from '../../rpc/event-bus.js';
import type { HistoryStore } from '../history/history-store.js';
import { serverOfTarget } from '../history/history-record.js';
import type { ServerService } from '../servers/server-service.js';
import type { RunRecord as SyncRunRecord } from '../sync/sync-service.js';
import type { SyncSetService } from '../sync/sync-set-service.js';
import { checkSetDrift, type DriftCheckDeps } from './drift-check.js';
import { backupsCheck, checkServerHealth, errorsCheck, overallState } from './health-check.js';
import type { DriftEntry, StatusStateStore } from './status-state.js';
import { promoteOffer } from './switch-over.js';

export type StatusServiceDeps = {
  readonly servers: ServerService;
  readonly sets: SyncSetService;
  readonly history: HistoryStore;
  /** The sync service's run records (they say where each run's backup went). */
  readonly syncRuns: () => Promise<ReadonlyArray<SyncRunRecord>>;
  readonly state: StatusStateStore;
  readonly connect: (serverId: string) => Promise<Endpoint>;
  readonly resolvePath: (serverId: string, path: string) => Promise<string> | string;
  readonly events: EventBus;
  readonly now?: () => number;
};

/** The overview as this service knows it; what the background side is doing is added by the handler. */
export type StatusOverviewCore = Omit<StatusOverview, 'background'>;

type LastBackup = NonNullable<ServerStatus['lastBackup']>;

/**
 * The Synchronization status tab behind `status.*`: one row per server from the server list, the run
 * history, the sync service's backups and the last drift and health checks. Every change is announced
 * with a 'status.changed' event, so the tab reloads while it is open.
 */
export class StatusService {
  private checking: Promise<void> | null = null;
  private readonly now: () => number;

  constructor(private readonly deps: StatusServiceDeps) {
    this.now = deps.now ?? (() => Date.now());
  }

  changed(reason: string): void {
    this.deps.events.emit('status.changed', { reason });
  }

  async overview(): Promise<StatusOverviewCore> {
    const servers = this.deps.servers.committed();
    const sets = this.deps.sets.list();
    const runs = (await this.deps.history.readAll()).records;
    const backups = lastBackups(await this.deps.syncRuns());
    const setName = (id: string) => sets.find((s) => s.id === id)?.name ?? id;
    return {
      generatedAt: this.now(),
      checking: this.checking !== null,
      lastCheckAt: this.deps.state.lastCheckAt,
      servers: servers.map((s) => ({
        serverId: s.id,
        name: s.name,
        role: s.role,
        address: s.kind === 'ssh' ? `${s.user}@${s.host}:${s.port}` : 'this computer',
        contact: {
          at: s.lastContact?.at ?? null,
          ok: s.lastContact?.ok ?? null,
          message: s.lastContact?.message ?? 'Never contacted.',
        },
        lastSync: lastSyncOf(s, runs, setName),
        drift: this.driftOf(s, sets),
        lastBackup: backups.get(s.id) ?? null,
        health: healthNow(s, this.deps.state.health(s.id), runs, backups.get(s.id)?.at ?? null),
      })),
      promote: promoteOffer(servers),
    };
  }

  /** A drift check and the health checks now; a check already under way is joined, not repeated. */
  async checkNow(): Promise<StatusOverviewCore> {
    await this.runCheck(async () => {
      await this.driftAll();
      await this.healthAll();
    });
    return this.overview();
  }

  /** The scheduled 'drift-check' operation. */
  checkDrift(): Promise<void> {
    return this.runCheck(() => this.driftAll());
  }

  /** The scheduled 'health-check' operation. */
  checkHealth(): Promise<void> {
    return this.runCheck(() => this.healthAll());
  }

  /** Plans one set (nothing applied) and records what it found: true when every secondary is in sync. */
  async setInSync(setId: string): Promise<boolean> {
    const findings = await checkSetDrift(
      this.deps.sets.get(setId),
      this.deps.servers.committed(),
      this.checkDeps(),
    );
    for (const f of findings) this.deps.state.setDrift(f.serverId, f.setId, f.entry);
    this.changed('drift');
    // "Nothing to do" for a run of the set (an Easy set's extras are no reason to run it again).
    return findings.length > 0 && findings.every((f) => f.changes === 0);
  }

  /**
   * A run ended: the servers it brought up to date are in sync for that set (as of its end), unless
   * it left paths different (changes left unticked, an Easy run's extra and newer files: the same
   * count History keeps); those it did not reach or failed on are unknown until the next check.
   */
  noteRun(record: RunRecord): void {
    for (const d of record.destinations) {
      const left = d.left ?? 0;
      const source = { kind: 'run' as const, runId: record.id, at: record.finishedAt };
      this.deps.state.setDrift(
        d.serverId,
        record.setId,
        d.status !== 'ok'
          ? {
              state: 'unknown',
              differences: 0,
              checkedAt: record.finishedAt,
              message: `The last run ended ${d.status}: ${d.message}`,
              source,
            }
          : left > 0
            ? {
                state: 'differs',
                differences: left,
                checkedAt: record.finishedAt,
                message: `The last run left ${left} path(s) different from the primary (changes left unticked, or extra and newer files an Easy run keeps).`,
                source,
              }
            : {
                state: 'in-sync',
                differences: 0,
                checkedAt: record.finishedAt,
                message: 'Brought in sync by the last run.',
                source,
              },
      );
    }
    this.changed('run');
  }

  /**
   * A restore put a server back as it was before an earlier run: what the tab knew about that set
   * there is no longer true; a check of the set then tells how it stands (in the background).
   */
  noteRestore(record: RunRecord): void {
    for (const d of record.destinations)
      this.deps.state.setDrift(d.serverId, record.setId, {
        state: 'unknown',
        differences: 0,
        checkedAt: record.finishedAt,
        message: `Put back as before run ${record.restores ?? '?'} by a restore; checking again.`,
        source: { kind: 'restore', runId: record.id, at: record.finishedAt },
      });
    this.changed('restore');
    void this.setInSync(record.setId).catch(() => this.changed('restore'));
  }

  /** Drift as the tab shows it: a secondary's findings over every set, summed. */
  private driftOf(server: Server, sets: ReadonlyArray<SyncSet>): DriftState {
    if (server.role === 'primary')
      return { state: 'in-sync', differences: 0, checkedAt: null, message: 'The primary is the reference.' };
    if (server.role === 'not-selected')
      return {
        state: 'unknown',
        differences: 0,
        checkedAt: null,
        message: 'Not selected: takes part in no synchronization.',
      };
    if (sets.length === 0)
      return { state: 'unknown', differences: 0, checkedAt: null, message: 'No sync set yet.' };
    const found = this.deps.state.drift(server.id);
    const entries = sets.map((s) => found[s.id]).filter((e): e is DriftEntry => e !== undefined);
    const checkedAt = entries.length > 0 ? Math.min(...entries.map((e) => e.checkedAt)) : null;
    // The cell names where it comes from: the newest run or check among the sets' findings.
    const newest = entries.reduce<DriftEntry | undefined>(
      (a, e) => (!a || e.checkedAt > a.checkedAt ? e : a),
      undefined,
    );
    const source = newest?.source ?? (newest ? { kind: 'check' as const, at: newest.checkedAt } : null);
    const differs = entries.filter((e) => e.state === 'differs');
    if (differs.length > 0) {
      const n = differs.reduce((sum, e) => sum + e.differences, 0);
      const one = differs.length === 1 ? differs[0] : undefined;
      return {
        state: 'differs',
        differences: n,
        checkedAt,
        message: one?.message ?? `${n} difference(s) from the primary.`,
        source: one?.source ?? source,
      };
    }
    const unknown = entries.find((e) => e.state === 'unknown');
    if (unknown)
      return {
        state: 'unknown',
        differences: 0,
        checkedAt,
        message: unknown.message,
        source: unknown.source ?? source,
      };
    if (entries.length < sets.length)
      return {
        state: 'unknown',
        differences: 0,
        checkedAt,
        message: 'Not checked yet: use Check now.',
        source,
      };
    return {
      state: 'in-sync',
      differences: 0,
      checkedAt,
      message: newest?.message ?? 'Same as the primary.',
      source,
    };
  }

  private async runCheck(work: () => Promise<void>): Promise<void> {
    while (this.checking) await this.checking;
    this.checking = (async () => {
      try {
        await work();
        this.deps.state.lastCheckAt = this.now();
      } finally {
        this.checking = null;
      }
    })();
    this.changed('check-started');
    try {
      await this.checking;
    } finally {
      this.changed('check-finished');
    }
  }

  private checkDeps(): DriftCheckDeps {
    return {
      connect: this.deps.connect,
      resolvePath: this.deps.resolvePath,
      now: this.now,
      contactFailed: (id, message) => {
        this.deps.servers.recordContact(id, false, message);
      },
    };
  }

  private async driftAll(): Promise<void> {
    const servers = this.deps.servers.committed();
    const sets = this.deps.sets.list();
    this.deps.state.prune(new Set(servers.map((s) => s.id)), new Set(sets.map((s) => s.id)));
    for (const set of sets)
      for (const f of await checkSetDrift(set, servers, this.checkDeps()))
        this.deps.state.setDrift(f.serverId, f.setId, f.entry);
  }

  private async healthAll(): Promise<void> {
    const servers = this.deps.servers.committed();
    const sets = this.deps.sets.list();
    const runs = (await this.deps.history.readAll()).records;
    const backups = lastBackups(await this.deps.syncRuns());
    const results = await Promise.all(
      servers.map(async (s): Promise<[string, HealthState]> => [
        s.id,
        await checkServerHealth(s, sets, runs, backups.get(s.id)?.at ?? null, this.checkDeps()),
      ]),
    );
    for (const [id, health] of results) this.deps.state.setHealth(id, health);
  }
}

/**
 * Health as of now, from the same records as the other cells: the last health check's link and
 * free space, but a later contact (a run's connection, a test) answers "link up" instead when it is
 * newer; "backups ran" and "errors in the last runs" are read again from History's runs, so a run
 * that succeeded after the check is never beside a health "failed" for that run's errors.
 */
export function healthNow(
  server: Server,
  checked: HealthState | undefined,
  runs: ReadonlyArray<RunRecord>,
  lastBackupAt: number | null,
): HealthState {
  if (!checked || server.role === 'not-selected')
    return checked ?? { state: 'unknown', checkedAt: null, checks: [] };
  const at = checked.checkedAt ?? 0;
  const fromCheck = { kind: 'check' as const, at };
  const contactAt = server.lastContact ? Date.parse(server.lastContact.at) : NaN;
  const newest = runsToServer(server, runs).at(-1);
  const fromRuns = newest ? { kind: 'run' as const, runId: newest.id, at: newest.finishedAt } : fromCheck;
  const checks = checked.checks.map((c) => {
    if (c.id === 'link' && server.lastContact && contactAt > at)
      return {
        id: c.id,
        state: server.lastContact.ok ? ('ok' as const) : ('failed' as const),
        message: server.lastContact.ok
          ? `Reached ${server.lastContact.at} (after the check).`
          : server.lastContact.message,
        source: { kind: 'check' as const, at: contactAt },
      };
    if (c.id === 'errors') return { ...errorsCheck(server.id, runs), source: fromRuns };
    if (c.id === 'backups') return { ...backupsCheck(server, runs, lastBackupAt), source: fromRuns };
    return { ...c, source: c.source ?? fromCheck };
  });
  return { state: overallState(checks), checkedAt: checked.checkedAt, checks };
}

function runsToServer(server: Server, runs: ReadonlyArray<RunRecord>): RunRecord[] {
  return runs.filter((r) => r.destinations.some((d) => d.serverId === server.id));
}

/** The newest run that had this server as a destination (for the primary: the newest run at all). */
function lastSyncOf(
  server: Server,
  runs: ReadonlyArray<RunRecord>,
  setName: (id: string) => string,
): ServerStatus['lastSync'] {
  for (let i = runs.length - 1; i >= 0; i--) {
    const r = runs[i];
    if (!r) continue;
    const d = r.destinations.find((x) => x.serverId === server.id);
    if (!d && (server.role !== 'primary' || r.kind === 'restore')) continue;
    // The primary is the source: its part of a run succeeded when the run did not fail as a whole
    // (a skipped secondary is that secondary's failure, not the primary's).
    const status = d?.status ?? (r.error ? 'failed' : 'ok');
    return {
      runId: r.id,
      setId: r.setId,
      setName: setName(r.setId),
      at: r.finishedAt,
      status,
      trigger: r.trigger,
      message:
        d?.message ??
        r.error ??
        `Source of the run: ${r.destinations.filter((x) => x.status === 'ok').length} of ${r.destinations.length} destination(s) synchronized.`,
      ...(r.kind ? { kind: r.kind } : {}),
    };
  }
  return null;
}

/** Per server, the newest run that left a backup of what it overwrote there. */
function lastBackups(runs: ReadonlyArray<SyncRunRecord>): Map<string, LastBackup> {
  const out = new Map<string, LastBackup>();
  for (const run of runs)
    for (const r of run.reports) {
      if (!r.backupDir || r.applied.length === 0) continue;
      const serverId = serverOfTarget(r.targetId);
      const at = Date.parse(r.finishedAt);
      const known = out.get(serverId);
      if (!known || known.at < at)
        out.set(serverId, { at, runId: run.runId, setName: run.setName, path: r.backupDir });
    }
  return out;
}
