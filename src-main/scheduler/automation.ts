import { join } from 'node:path';
import type { RunTrigger } from '../../src-shared/model/history.js';
import type { HistoryStore } from '../services/history/history-store.js';
import type { NotifyConfig } from '../services/notify/notify-config.js';
import type { Notifier } from '../services/notify/notify-notifier.js';
import type { ServerService } from '../services/servers/server-service.js';
import type { StatusService } from '../services/status/status-service.js';
import type { RunRecord as SyncRunRecord, SyncService } from '../services/sync/sync-service.js';
import type { SyncSetService } from '../services/sync/sync-set-service.js';
import type { SettingsStore } from '../store/settings-store.js';
import type { Endpoint } from '../transport/endpoint.js';
import { AutoSyncTriggers, type AutoTriggerSpec } from './auto-triggers.js';
import { systemClock, type Clock } from './clock.js';
import { JsonFileLastRunStore } from './last-run-store.js';
import type { RetryPolicy } from './retry-policy.js';
import { RunExecutor } from './run-executor.js';
import { RunFollowUp } from './run-follow-up.js';
import { RunGate } from './run-gate.js';
import type { RunEvent, RunOutcome } from './run-outcome.js';
import type { ScheduleStorage } from './schedule-handlers.js';
import { AutoSyncSettings, settingsScheduleStorage } from './schedule-storage.js';
import { scheduledOperations } from './scheduled-operations.js';
import { Scheduler } from './scheduler.js';
import { SetRunner } from './set-runner.js';
import { triggerSourceFor } from './trigger-sources.js';
import { nextRunsOf, type SchedulerPresence } from './scheduler-presence.js';
import type { SchedulerKind } from './scheduler-lease.js';
import { assertNever } from '../../src-shared/assert-never.js';

/** Knobs for tests and odd setups; the shells use the defaults. */
export type AutomationOptions = {
  readonly clock?: Clock;
  /** Quiet time that makes a burst of changes one run (default 2 s). */
  readonly debounceMs?: number;
  /** How often a remote source without a push watch is polled (default 30 s). */
  readonly remotePollMs?: number;
  /** Watch remote sources with inotifywait where the host has it (default true); false polls. */
  readonly pushWatch?: boolean;
  readonly retry?: RetryPolicy;
  /** IANA zone schedule entries are read in; the machine's by default. */
  readonly timeZone?: string;
};

export type AutomationDeps = {
  readonly dataDir: string;
  readonly logsDir: string;
  readonly settings: SettingsStore;
  readonly sync: SyncService;
  readonly sets: SyncSetService;
  readonly servers: ServerService;
  readonly connect: (serverId: string) => Promise<Endpoint>;
  readonly resolvePath: (serverId: string, path: string) => Promise<string> | string;
  readonly history: HistoryStore;
  readonly status: StatusService;
  readonly notify: NotifyConfig;
  readonly notifier: Notifier;
  /** Who started a run that came in through `sync.apply` (the CLI says 'cli', the shells 'manual'). */
  readonly manualTrigger: RunTrigger;
  readonly log: (msg: string) => void;
  readonly options?: AutomationOptions;
  /** One scheduler per store: the lease this process takes before its schedules start. */
  readonly presence?: SchedulerPresence;
};

type ActiveSource = { readonly key: string; readonly spec: AutoTriggerSpec; readonly release: () => void };

/**
 * The background side: the scheduler and the automatic triggers, sharing one run gate with manual
 * runs. What follows every run (history, status, notifications) is RunFollowUp; what a schedule entry
 * runs is scheduledOperations; the RPC methods are automationHandlers. Timers and watchers start only
 * with start(): the long-running shells call it, the one-shot CLI does not (except `configsync scheduler`).
 */
export class Automation {
  readonly runner: SetRunner;
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  readonly storage: ScheduleStorage;
  readonly autoSync: AutoSyncSettings;
  private readonly executor: RunExecutor;
  private readonly triggers: AutoSyncTriggers;
  private readonly followUp: RunFollowUp;
  private zone: string | undefined;
  private readonly sources = new Map<string, ActiveSource>();
  private running = false;

  constructor(private readonly deps: AutomationDeps) {
    const options = deps.options ?? {};
    this.clock = options.clock ?? systemClock;
    this.zone = options.timeZone;
    const report = (e: RunEvent) => this.report(e);
    this.executor = new RunExecutor({
      clock: this.clock,
      gate: new RunGate<RunOutcome>(),
      report,
      ...(options.retry ? { retry: options.retry } : {}),
    });
    this.followUp = new RunFollowUp(deps);
    this.runner = new SetRunner({
      sync: deps.sync,
      sets: deps.sets,
      servers: deps.servers,
      executor: this.executor,
      inSync: (setId) => deps.status.setInSync(setId),
      onFailedStart: (setId, trigger, startedAt, error) =>
        this.followUp.failedStart(setId, trigger, startedAt, error),
    });
    this.storage = settingsScheduleStorage(deps.settings);
    this.autoSync = new AutoSyncSettings(deps.settings);
    this.scheduler = new Scheduler({
      clock: this.clock,
      executor: this.executor,
      lastRuns: new JsonFileLastRunStore(join(deps.dataDir, 'scheduler-state.json')),
      report,
      run: scheduledOperations({
        dataDir: deps.dataDir,
        clock: this.clock,
        runner: this.runner,
        servers: deps.servers,
        status: deps.status,
      }),
      // None given: croner's own default, the local zone, which is what timeZone resolves to.
      ...(options.timeZone ? { timeZone: options.timeZone } : {}),
    });
    this.triggers = new AutoSyncTriggers({
      clock: this.clock,
      executor: this.executor,
      report,
      // An automatic run plans first and runs only on a difference: a period usually finds nothing to
      // do, and a follow-up run for late events of a burst the previous run already carried is skipped.
      run: (setId, trigger) => this.runner.runSet(setId, trigger, { skipWhenInSync: true }),
      ...(options.debounceMs !== undefined ? { debounceMs: options.debounceMs } : {}),
      ...(options.remotePollMs !== undefined ? { remotePollMs: options.remotePollMs } : {}),
    });
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Starts the scheduler (with catch-up of missed entries) and the automatic triggers. */
  async start(as?: SchedulerKind): Promise<void> {
    if (this.running) return;
    const presence = this.deps.presence;
    if (presence) {
      if (as) presence.setKind(as);
      if (
        !(await presence.take(
          () => this.leaseLost(),
          () => void this.handOver(),
        ))
      ) {
        // Another process runs this store's schedules: this one shows it, and takes over when it stops.
        presence.waitForTurn(async () => {
          await this.start();
          return this.running;
        });
        this.deps.status.changed('background');
        return;
      }
      if (this.running) return;
      this.deps.log(`running the schedules of this store (${as ?? 'this process'})`);
    }
    this.running = true;
    this.scheduler.setEntries(this.storage.load());
    this.scheduler.start();
    presence?.watchStore(this.deps.settings.path, () => void this.storeChanged());
    await this.reconfigure();
    this.deps.status.changed('background');
  }

  /** Another process's edit of the store (schedules, sets, servers): the running scheduler follows it. */
  async storeChanged(): Promise<void> {
    // Reads of the store are fresh (it is read again when its file changed); the running side follows.
    if (!this.running) return;
    this.scheduler.setEntries(this.storage.load());
    await this.reconfigure();
    this.deps.status.changed('schedules');
  }

  /** A service waits for this store's schedules: stop firing, let the lease go once runs end, wait. */
  private async handOver(): Promise<void> {
    if (!this.running) return;
    this.deps.log('a scheduler service of this store takes over its schedules; they stop here');
    this.running = false;
    this.scheduler.stop();
    await this.triggers.stop();
    for (const s of this.sources.values()) s.release();
    this.sources.clear();
    await this.scheduler.idle();
    await this.deps.presence?.giveUp();
    this.deps.status.changed('background');
    this.deps.presence?.waitForTurn(async () => {
      await this.start();
      return this.running;
    });
  }

  /** This process stalled past the lease's stale time and another took it: stop firing, wait again. */
  private leaseLost(): void {
    this.deps.log('another process took over the schedules of this store; they stop here');
    this.deps.presence?.lost();
    this.running = false;
    this.scheduler.stop();
    void this.triggers.stop().then(() => {
      for (const s of this.sources.values()) s.release();
      this.sources.clear();
      this.deps.status.changed('background');
      this.deps.presence?.waitForTurn(async () => {
        await this.start();
        return this.running;
      });
    });
  }

  /** Stops timers and watchers, waits for runs under way and for their history, status and notices. */
  async stop(): Promise<void> {
    this.running = false;
    this.scheduler.stop();
    await this.triggers.stop();
    for (const s of this.sources.values()) s.release();
    this.sources.clear();
    await this.executor.stop();
    await this.scheduler.idle();
    await this.idle();
    await this.deps.presence?.giveUp();
  }

  /** Resolves when the history, status and notifications of every finished run are written. */
  idle(): Promise<void> {
    return this.followUp.idle();
  }

  /** A restore ended: its history line and the status tab (see RunFollowUp.restoreFinished). */
  restoreFinished(input: Parameters<RunFollowUp['restoreFinished']>[0]): Promise<void> {
    return this.followUp.restoreFinished(input);
  }

  /** A recover ended runs: their history lines and the status tab (see RunFollowUp.recoverFinished). */
  recoverFinished(input: Parameters<RunFollowUp['recoverFinished']>[0]): Promise<void> {
    return this.followUp.recoverFinished(input);
  }

  /**
   * After the store was replaced (a Backup Configuration import was committed): schedules and triggers
   * are read again and the status tab told.
   */
  async storeReplaced(): Promise<void> {
    if (this.running) this.scheduler.setEntries(this.storage.load());
    await this.reconfigure();
    this.deps.status.changed('import');
  }

  /** Applies the per-set trigger settings (after a change to them, to the sets or to the server list). */
  async reconfigure(): Promise<void> {
    if (!this.running) return;
    const wanted = this.autoSync.all();
    const sets = this.deps.sets.list();
    const primary = this.deps.servers.committed().find((s) => s.role === 'primary');
    const specs: AutoTriggerSpec[] = [];
    for (const set of sets) {
      const trigger = wanted[set.id];
      if (!trigger || trigger === 'off') continue;
      const key = JSON.stringify([set, trigger, primary]);
      const known = this.sources.get(set.id);
      if (known?.key === key) {
        specs.push(known.spec);
        continue;
      }
      known?.release();
      this.sources.delete(set.id);
      try {
        const { source, release } = await triggerSourceFor(set, {
          servers: this.deps.servers,
          connect: this.deps.connect,
          resolvePath: this.deps.resolvePath,
          pushWatch: this.deps.options?.pushWatch ?? true,
          clock: this.clock,
          ...(this.deps.options?.debounceMs !== undefined
            ? { debounceMs: this.deps.options.debounceMs }
            : {}),
        });
        const spec = { setId: set.id, trigger, source };
        this.sources.set(set.id, { key, spec, release });
        specs.push(spec);
      } catch (err) {
        this.report({
          type: 'trigger-error',
          key: `sync-set:${set.id}`,
          message: err instanceof Error ? err.message : String(err),
        });
      }
    }
    await this.triggers.configure(specs);
    for (const [setId, s] of this.sources)
      if (!specs.includes(s.spec)) {
        s.release();
        this.sources.delete(setId);
      }
  }

  /** A run the sync service finished: its follow-up (history line, status, notifications). */
  onRunFinished(record: SyncRunRecord): void {
    this.followUp.runFinished(record, this.runner.takeOrigin(record.runId));
  }

  background() {
    const entries = this.storage.load();
    return {
      running: this.running,
      scheduleEntries: entries.filter((e) => e.enabled).length,
      autoSyncSets: this.triggers.activeSets(),
      busy: this.executor.gate.busyKeys(),
      runner: this.deps.presence?.runner(this.running) ?? {
        where: this.running ? 'this-process' : 'nowhere',
      },
      nextRuns: nextRunsOf(entries, (id) => this.scheduler.nextRunOf(id), this.clock.now(), this.timeZone),
    };
  }

  /** background(), with the store's scheduler holder read again when this process is not it. */
  async backgroundNow(): Promise<ReturnType<Automation['background']>> {
    if (!this.running) await this.deps.presence?.refresh();
    return this.background();
  }

  /** The local zone is looked up when first needed: setting up Intl costs ~10 ms of every CLI start. */
  get timeZone(): string {
    this.zone ??= Intl.DateTimeFormat().resolvedOptions().timeZone;
    return this.zone;
  }

  private report(e: RunEvent): void {
    switch (e.type) {
      case 'run-started':
      case 'coalesced':
      case 'triggered':
        this.deps.status.changed(e.type);
        return;
      case 'run-finished':
        if (e.outcome.result !== 'ok')
          this.deps.log(`${e.key} (${e.trigger}) ended ${e.outcome.result}: ${e.outcome.message}`);
        this.deps.status.changed(e.type);
        return;
      case 'retry-scheduled':
        this.deps.log(
          `${e.key}: attempt ${e.attempt} failed (${e.outcome.message}); retrying in ${Math.round(e.delayMs / 1000)} s.`,
        );
        return;
      case 'gave-up':
        this.deps.notifier.notify(`${e.key} failed ${e.attempts} times`, e.outcome.message, 'error');
        return;
      case 'missed':
        this.deps.log(
          `${e.key}: the run of ${new Date(e.scheduledAt).toISOString()} was missed (catch-up is off).`,
        );
        return;
      case 'catch-up':
        this.deps.log(`${e.key}: running the missed run of ${new Date(e.missedAt).toISOString()} now.`);
        return;
      case 'trigger-error':
        this.deps.log(`${e.key}: ${e.message}`);
        this.deps.notifier.notify(`Automatic synchronization of ${e.key}`, e.message, 'warning');
        return;
      default:
        return assertNever(e);
    }
  }
}
