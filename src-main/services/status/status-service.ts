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
import { checkServerHealth } from './health-check.js';
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
        health: this.deps.state.health(s.id) ?? { state: 'unknown', checkedAt: null, checks: [] },
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
    return findings.length > 0 && findings.every((f) => f.entry.state === 'in-sync');
  }

  /**
   * A run ended: the servers it brought up to date are in sync for that set (as of its end); those
   * it did not reach or failed on are unknown until the next check.
   */
  noteRun(record: RunRecord): void {
    for (const d of record.destinations)
      this.deps.state.setDrift(d.serverId, record.setId, {
        state: d.status === 'ok' ? 'in-sync' : 'unknown',
        differences: 0,
        checkedAt: record.finishedAt,
        message:
          d.status === 'ok'
            ? 'Brought in sync by the last run.'
            : `The last run ended ${d.status}: ${d.message}`,
      });
    this.changed('run');
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
    const differs = entries.filter((e) => e.state === 'differs');
    if (differs.length > 0) {
      const n = differs.reduce((sum, e) => sum + e.differences, 0);
      return { state: 'differs', differences: n, checkedAt, message: `${n} difference(s) from the primary.` };
    }
    const unknown = entries.find((e) => e.state === 'unknown');
    if (unknown) return { state: 'unknown', differences: 0, checkedAt, message: unknown.message };
    if (entries.length < sets.length)
      return { state: 'unknown', differences: 0, checkedAt, message: 'Not checked yet: use Check now.' };
    return { state: 'in-sync', differences: 0, checkedAt, message: 'Same as the primary.' };
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
    if (!d && server.role !== 'primary') continue;
    const status = d?.status ?? (r.error || r.destinations.some((x) => x.status !== 'ok') ? 'failed' : 'ok');
    return {
      runId: r.id,
      setId: r.setId,
      setName: setName(r.setId),
      at: r.finishedAt,
      status,
      trigger: r.trigger,
      message: d?.message ?? r.error ?? '',
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
