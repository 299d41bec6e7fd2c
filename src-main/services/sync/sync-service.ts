import type { z } from 'zod';
import type {
  syncApplyInput,
  syncApplyOutput,
  syncCancelInput,
  syncEntriesInput,
  syncEntriesOutput,
  syncPlanInput,
  syncPlanOutput,
  syncProgressEvent,
  syncRestoreInput,
  SyncSet,
} from '../../../src-shared/contract/schemas/sync.js';
import type { Progress } from '../../../src-shared/model/sync.js';
import type { Output, ParsedInput } from '../../../src-shared/contract/api.js';
import { newRunId } from '../../engine/apply.js';
import {
  backupDirOf,
  readManifest,
  restoreBackup,
  type ManifestEntry,
  type RestoreResult,
} from '../../engine/backup.js';
import { applyAll, emptyReport, planAll, type FanOutTarget, type TargetPlan } from '../../engine/fan-out.js';
import { JournalFile, journalPath, type JournalWrite } from '../../engine/journal.js';
import { newRolloutState } from '../../engine/rollout.js';
import { DEFAULT_FAN_OUT } from '../../../src-shared/model/sync.js';
import { guardFindings } from '../../engine/guards.js';
import { resolveRoot } from '../../engine/scan.js';
import { DEFAULT_STATE_DIR, resolveStateDir, rootStateDir } from '../../engine/state-dir.js';
import type { RecoverResult } from '../../engine/recover.js';
import {
  describeBusy,
  describeInterrupted,
  findBackupDir,
  recoverInterrupted,
  rootBusy,
  type RootBusy,
  type StatePlaces,
} from './interrupted-runs.js';
import { takeLock, type LockOptions, type LockState } from '../../engine/lock.js';
import type { Endpoint } from '../../transport/endpoint.js';
import { AppError } from '../../errors/app-error.js';
import { closeEndpoints, PlanStore, type StoredPlan } from './plan-store.js';
import { RunLog, type RunRecord } from './run-log.js';
import { RunRegistry } from './run-registry.js';
import { differencesLeft, groupByFolder, isUnticked, narrowPlan } from './plan-selection.js';

export type { RunRecord } from './run-log.js';
export type SyncProgressEvent = z.output<typeof syncProgressEvent>;

export type SyncServiceDeps = {
  /** Opens (within its contact timeout) the endpoint of a server of the server list. */
  readonly connect: (serverId: string) => Promise<Endpoint>;
  /** Expands a server's ${VARS} in an item path; default: the path as is. */
  readonly resolvePath?: (serverId: string, path: string) => Promise<string> | string;
  /**
   * The folder on a server under which each destination root has its state (lock, journals,
   * backups); default `~/.configsync` there.
   */
  readonly stateDir?: (serverId: string) => string | undefined;
  /** The per-entry state folder of older versions (its journals and backups are still read). */
  readonly legacyStateDir?: (serverId: string) => string | undefined;
  /** Names this store in destination locks and journals (who started a run). */
  readonly storeName?: string;
  /** One `<runId>.log` (JSON lines) and one `<runId>.json` (the record) per run. */
  readonly logsDir: string;
  readonly concurrency?: number;
  readonly onProgress?: (event: SyncProgressEvent) => void;
  readonly onFinished?: (record: RunRecord) => void;
};

/**
 * The sync service behind the `sync.*` methods: plan, page through a plan, apply, cancel, restore,
 * recover. Its parts: the plans waiting to be applied and their connections (PlanStore), the runs of
 * this process (RunRegistry), the run logs and records in the data folder (RunLog).
 */
export class SyncService {
  private readonly finishedListeners = new Set<(record: RunRecord) => void>();

  /**
   * Calls `listener` with the record of every run that finishes from now on (the follow-up of runs:
   * history, status, notifications); returns the function that stops it.
   */
  onRunFinished(listener: (record: RunRecord) => void): () => void {
    this.finishedListeners.add(listener);
    return () => this.finishedListeners.delete(listener);
  }

  private readonly plans = new PlanStore();
  private readonly runs = new RunRegistry();
  private readonly runLog: RunLog;

  constructor(private readonly deps: SyncServiceDeps) {
    this.runLog = new RunLog(deps.logsDir);
  }

  /**
   * Scans the source once per item and plans every destination; unreachable ones are reported, not fatal.
   * An aborted `signal` stops it between steps and closes its connections at once (which ends the scans
   * in flight); it then fails with PLAN_CANCELLED and keeps nothing.
   */
  async plan(
    input: z.output<typeof syncPlanInput>,
    options: { readonly signal?: AbortSignal } = {},
  ): Promise<z.output<typeof syncPlanOutput>> {
    const { set, sourceServerId, destinationServerIds } = input;
    const { signal } = options;
    if (destinationServerIds.includes(sourceServerId))
      throw new AppError('PRIMARY_AS_DESTINATION', 'The source server cannot also be a destination.');
    const cancelled = () =>
      new AppError('PLAN_CANCELLED', 'Comparing was stopped: no plan was made and nothing was changed.');
    /** Resolves as `work` does, or rejects as soon as the signal aborts (the work is then abandoned). */
    const untilAborted = <T>(work: Promise<T>): Promise<T> => {
      if (!signal) return work;
      if (signal.aborted) {
        work.catch(() => undefined);
        return Promise.reject(cancelled());
      }
      return new Promise<T>((resolve, reject) => {
        const onAbort = () => reject(cancelled());
        signal.addEventListener('abort', onAbort, { once: true });
        work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
      });
    };
    /** An endpoint that arrives after the abort is closed at once. */
    const opened = (ep: Endpoint): Endpoint => {
      if (signal?.aborted) {
        ep.close();
        throw cancelled();
      }
      return ep;
    };
    let source: Endpoint | undefined;
    const endpoints = new Map<string, Promise<Endpoint>>();
    const closeAll = () => {
      source?.close();
      for (const e of endpoints.values()) void e.then((ep) => ep.close()).catch(() => undefined);
    };
    signal?.addEventListener('abort', closeAll, { once: true });
    try {
      const pending = this.deps.connect(sourceServerId).then(opened);
      pending.then((ep) => (source = ep)).catch(() => undefined);
      source = await untilAborted(pending);
      const src = source;
      /** Each destination root's unfinished journals and lock, read while its tree is listed. */
      const journals = new Map<string, Promise<RootBusy>>();
      const connectOnce = (id: string) => {
        let p = endpoints.get(id);
        if (!p) endpoints.set(id, (p = this.deps.connect(id).then(opened)));
        return p;
      };
      const items: Array<StoredPlan['items'][number]> = [];
      for (const [index, item] of set.items.entries()) {
        if (signal?.aborted) throw cancelled();
        const sourceRoot = await untilAborted(
          this.resolve(sourceServerId, item.path).then((p) => resolveRoot(src, p)),
        );
        const targets: FanOutTarget[] = [];
        for (const id of destinationServerIds) {
          const stateDir = this.deps.stateDir?.(id);
          const raw = await this.resolve(id, item.path);
          targets.push({
            id: `${id}#${index}`,
            label: id,
            root: raw,
            ...(stateDir ? { stateDir } : {}),
            connect: async () => {
              const ep = await connectOnce(id);
              const root = await resolveRoot(ep, raw);
              (targets.find((t) => t.id === `${id}#${index}`) as { root: string }).root = root;
              const busy = rootBusy(ep, root, this.places(id), () => false);
              busy.catch(() => undefined);
              journals.set(`${id}#${index}`, busy);
              return ep;
            },
          });
        }
        const planned = await untilAborted(
          planAll(src, sourceRoot, targets, {
            planOptions: {
              mode: set.mode,
              compare: set.compare,
              toleranceMs: set.toleranceMs,
              owners: set.owners,
              skipEscapingLinks: set.skipEscapingLinks,
              ...(set.xattrs !== undefined ? { xattrs: set.xattrs } : {}),
            },
            filter: { include: set.include, exclude: set.exclude },
            // Planning only reads: as many at once as the roll-out allows, and never fewer than the default.
            concurrency: this.deps.concurrency ?? Math.max(DEFAULT_FAN_OUT, set.rollout.parallel),
            ...(input.applyNext ? { applyNext: true } : {}),
          }),
        );
        if (signal?.aborted) throw cancelled();
        items.push({
          index,
          sourceRoot,
          targets: await Promise.all(
            planned.targets.map((t) => {
              const serverId = t.id.replace(/#\d+$/, '');
              return this.refuseInterrupted({ ...t, serverId }, journals.get(t.id));
            }),
          ),
        });
      }
      return this.keepPlan(set, src, endpoints, items);
    } catch (err) {
      closeAll();
      throw signal?.aborted ? cancelled() : err;
    } finally {
      signal?.removeEventListener('abort', closeAll);
    }
  }

  /**
   * A destination root holding an interrupted run (whoever started it) or locked by a run of another
   * process is reported as such instead of planned (see interrupted-runs.ts).
   */
  private async refuseInterrupted<T extends TargetPlan & { serverId: string }>(
    t: T,
    found?: Promise<RootBusy>,
  ): Promise<T | (TargetPlan & { serverId: string })> {
    if (!t.ok) return t;
    const busy = await (found ??
      rootBusy(t.endpoint, t.plan.destinationRoot, this.places(t.serverId), () => false));
    // Runs this process is carrying out are not interrupted: asked now, not when the journals were read.
    const journals = busy.interrupted.filter((j) => !this.runs.isRunning(j.runId));
    const lock = busy.lock && !this.runs.isRunning(busy.lock.owner.runId) ? busy.lock : null;
    if (journals.length === 0 && !lock) return t;
    const base = {
      id: t.id,
      label: t.label,
      serverId: t.serverId,
      ok: false as const,
      status: 'failed' as const,
    };
    if (journals.length > 0)
      return { ...base, code: 'INTERRUPTED_RUN', message: describeInterrupted(journals) };
    return { ...base, code: 'DESTINATION_LOCKED', message: describeBusy(lock as LockState) };
  }

  private places(serverId: string): StatePlaces {
    return { base: this.deps.stateDir?.(serverId), legacy: this.deps.legacyStateDir?.(serverId) };
  }

  private lockOptions(breakLock: boolean): LockOptions {
    return { ...(this.deps.storeName ? { store: this.deps.storeName } : {}), breakStale: breakLock };
  }

  /**
   * Ends the interrupted runs on a destination from their journals (complete by default, or roll
   * back). Each recovery is a run of its own: a record in the runs list saying what it put in place,
   * removed, left and backed up (restorable in turn), and the interrupted run's journal names it.
   */
  async recover(
    serverId: string,
    prefer: 'complete' | 'rollback',
    breakLock = false,
    overwrite = false,
  ): Promise<Array<RecoverResult & { recoveryRunId?: string }>> {
    const endpoint = await this.deps.connect(serverId);
    const startedAt = new Date().toISOString();
    const ids = new Map<string, string>();
    try {
      const results = await recoverInterrupted(
        endpoint,
        this.places(serverId),
        (id) => this.runs.isRunning(id),
        prefer,
        this.lockOptions(breakLock),
        overwrite,
        (head) => {
          const id = newRunId();
          ids.set(head.runId, id);
          return id;
        },
      );
      const out: Array<RecoverResult & { recoveryRunId?: string }> = [];
      for (const r of results) {
        const id = ids.get(r.runId);
        if (!id || r.outcome === 'nothing-to-do') {
          out.push(r);
          continue;
        }
        await this.recordRecovery(serverId, id, startedAt, endpoint.label, r);
        out.push({ ...r, recoveryRunId: id });
      }
      return out;
    } finally {
      endpoint.close();
    }
  }

  /** A recovery's record beside the sync runs' (`configsync runs`, History; restorable in turn). */
  private async recordRecovery(
    serverId: string,
    runId: string,
    startedAt: string,
    destination: string,
    r: RecoverResult,
  ): Promise<void> {
    const left = r.left ?? [];
    const ok = r.errors.length === 0;
    const what =
      r.outcome === 'superseded'
        ? 'superseded by a later run; its staged files were dropped'
        : r.outcome === 'completed'
          ? `completed: ${r.written ?? 0} put in place, ${r.removed ?? 0} removed`
          : `rolled back: ${r.written ?? 0} put back, ${r.removed ?? 0} removed`;
    const message = `Recovery of run ${r.runId}: ${what}${left.length > 0 ? `, ${left.length} changed since the run left as they are` : ''}.`;
    const record: RunRecord = {
      runId,
      setName: r.setName ?? '',
      startedAt,
      finishedAt: new Date().toISOString(),
      state: 'finished',
      reports: [
        {
          ...emptyReport(runId, destination, ok ? 'completed' : 'completed-with-errors', message),
          startedAt,
          filesWritten: r.written ?? 0,
          filesDeleted: r.removed ?? 0,
          errors: [...r.errors, ...left],
          applied: [],
          notApplied: [],
          mismatches: [],
          warnings: undefined,
          verified: ok,
          ...(r.backupDir ? { backupDir: r.backupDir } : {}),
          targetId: `${serverId}#0`,
        },
      ],
    };
    const log = await this.runLog.open(runId);
    await log.line({ event: 'recover', of: r.runId, serverId, outcome: r.outcome });
    await log.finish(record);
  }

  private keepPlan(
    set: SyncSet,
    source: Endpoint,
    endpoints: Map<string, Promise<Endpoint>>,
    items: StoredPlan['items'],
  ): z.output<typeof syncPlanOutput> {
    const planId = newRunId();
    this.plans.keep({ planId, set, source, endpoints, items });
    return {
      planId,
      createdAt: new Date().toISOString(),
      targets: items.flatMap((it) =>
        it.targets.map((t) =>
          t.ok
            ? {
                targetId: t.id,
                serverId: t.serverId,
                item: set.items[it.index]?.path ?? '',
                ok: true,
                summary: t.plan.summary,
                guards: guardFindings(t.plan, { deleteThreshold: set.deleteThreshold }),
                notes: [...(t.plan.notes ?? [])],
              }
            : {
                targetId: t.id,
                serverId: t.serverId,
                item: set.items[it.index]?.path ?? '',
                ok: false,
                guards: [],
                notes: [],
                status: t.status,
                code: t.code,
                message: t.message,
              },
        ),
      ),
    };
  }

  /**
   * Where each destination of a plan keeps this set's backups (its first item's root): said to the
   * user before the run, as the path the server's own shell would name it.
   */
  backupFolders(planId: string): Record<string, string> {
    const stored = this.plans.get(planId);
    const out: Record<string, string> = {};
    for (const t of stored?.items.flatMap((i) => i.targets) ?? []) {
      if (!t.ok || out[t.serverId]) continue;
      const base = this.deps.stateDir?.(t.serverId) ?? DEFAULT_STATE_DIR;
      out[t.serverId] = `${rootStateDir(base, t.plan.destinationRoot)}/backups/${stored?.set.name ?? ''}/`;
    }
    return out;
  }

  /** A page of one target's plan entries, filtered by action and by a path substring. */
  entries(input: z.output<typeof syncEntriesInput>): z.output<typeof syncEntriesOutput> {
    const t = this.plans.target(input.planId, input.targetId);
    const search = input.search?.toLowerCase();
    const actions = input.actions && input.actions.length > 0 ? new Set(input.actions) : null;
    const excluded = new Set(input.exclude ?? []);
    const matching = t.plan.entries.filter(
      (e) =>
        (!actions || actions.has(e.action)) &&
        (!search || e.path.toLowerCase().includes(search)) &&
        (excluded.size === 0 || e.action === 'keep' || !isUnticked(e.path, excluded)),
    );
    if (input.group) {
      const rows = groupByFolder(matching, new Set(input.collapsed ?? []));
      const page = rows.slice(input.offset, input.offset + input.limit);
      return {
        total: rows.length,
        matched: matching.length,
        entries: page.flatMap((r) => (r.kind === 'entry' ? [{ ...r.entry }] : [])),
        rows: page.map((r) => (r.kind === 'entry' ? { kind: 'entry', entry: { ...r.entry } } : { ...r })),
      };
    }
    return {
      total: matching.length,
      entries: matching.slice(input.offset, input.offset + input.limit).map((e) => ({ ...e })),
    };
  }

  /** One target's counts and byte totals with the unticked paths left out, narrowed as apply narrows it. */
  tickedSummary(input: ParsedInput<'sync.tickedSummary'>): Output<'sync.tickedSummary'> {
    const t = this.plans.target(input.planId, input.targetId);
    const { summary } = narrowPlan(t.plan, new Set(input.exclude)).plan;
    return {
      create: summary.counts.create,
      update: summary.counts.update,
      delete: summary.counts.delete,
      bytesToCopy: summary.bytesToCopy,
      bytesToDelete: summary.bytesToDelete,
      bytesToBackUp: summary.bytesToBackUp,
    };
  }

  /** Starts applying a plan; progress and the end are reported through the deps' callbacks. */
  start(input: z.output<typeof syncApplyInput>): z.output<typeof syncApplyOutput> {
    const stored = this.plans.take(input.planId);
    const runId = newRunId();
    const controller = new AbortController();
    const record: RunRecord = {
      runId,
      setName: stored.set.name,
      startedAt: new Date().toISOString(),
      state: 'running',
      reports: [],
    };
    const done = (async () => {
      const log = await this.runLog.open(runId);
      const line = log.line;
      await line({ event: 'started', runId, set: stored.set.name, planId: input.planId });
      let lastPhase = new Map<string, string>();
      const onProgress = (targetId: string, p: Progress) => {
        if (lastPhase.get(targetId) !== p.phase) void line({ event: 'phase', targetId, phase: p.phase });
        lastPhase = lastPhase.set(targetId, p.phase);
        this.deps.onProgress?.({ ...p, targetId });
      };
      const multi = stored.items.length > 1;
      // Unticked on the Differences page: narrowed here, so the engine applies (and journals) only
      // what stays ticked, and its stale check and guards cover exactly that.
      const leftOut = new Map<string, number>();
      // What the plan leaves different on purpose (Easy): the status tab never calls that in sync.
      const leftDifferent = new Map<string, number>();
      const narrowed = (t: TargetPlan & { serverId: string }): TargetPlan & { serverId: string } => {
        const paths = input.exclude?.find((x) => x.targetId === t.id)?.paths ?? [];
        if (t.ok) leftDifferent.set(t.id, differencesLeft(t.plan));
        if (!t.ok || paths.length === 0) return t;
        const n = narrowPlan(t.plan, new Set(paths));
        leftOut.set(t.id, n.leftOut);
        void line({ event: 'unticked', targetId: t.id, paths, changesLeftOut: n.leftOut });
        return { ...t, plan: n.plan };
      };
      // One roll-out over the whole run: a canary that failed on the first item starts nothing on the next.
      const rolloutState = newRolloutState();
      for (const item of stored.items) {
        const targets = item.targets
          .filter((t) => !input.targetIds || input.targetIds.includes(t.id))
          .map(narrowed);
        const reports = await applyAll(stored.source, targets, {
          setName: stored.set.name,
          runId: multi ? `${runId}-${item.index}` : runId,
          keepRuns: stored.set.keepRuns,
          lock: this.lockOptions(input.breakLock ?? false),
          guards: { deleteThreshold: stored.set.deleteThreshold, confirmed: input.confirm },
          signal: controller.signal,
          onProgress,
          bulk: 'auto',
          ...(stored.set.validateCommand ? { validateCommand: stored.set.validateCommand } : {}),
          ...(stored.set.postApplyCommand ? { postApplyCommand: stored.set.postApplyCommand } : {}),
          ...(stored.set.healthCommand ? { healthCommand: stored.set.healthCommand } : {}),
          ...(stored.set.healthTimeoutSec ? { healthTimeoutSec: stored.set.healthTimeoutSec } : {}),
          rollout: {
            ...stored.set.rollout,
            parallel: this.deps.concurrency ?? stored.set.rollout.parallel,
          },
          rolloutState,
        });
        for (const r of reports) {
          record.reports.push({
            ...r,
            ...(leftOut.has(r.targetId) ? { leftOut: leftOut.get(r.targetId) } : {}),
            ...(leftDifferent.get(r.targetId) ? { leftDifferent: leftDifferent.get(r.targetId) } : {}),
            applied: [...r.applied],
            notApplied: [...r.notApplied],
            errors: [...r.errors],
            mismatches: [...r.mismatches],
            warnings: r.warnings ? [...r.warnings] : undefined,
          });
          await line({ event: 'report', report: r });
        }
      }
      record.state = 'finished';
      record.finishedAt = new Date().toISOString();
      await log.finish(record);
      closeEndpoints(stored);
      this.deps.onFinished?.(record);
      for (const listener of this.finishedListeners) listener(record);
      return record;
    })();
    this.runs.add({ record, controller, done });
    return { runId };
  }

  /** Applies and waits for the end (CLI, scheduler, tests). */
  async apply(input: z.output<typeof syncApplyInput>): Promise<RunRecord> {
    const { runId } = this.start(input);
    return this.wait(runId);
  }

  wait(runId: string): Promise<RunRecord> {
    return this.runs.wait(runId);
  }

  /** Drops a plan no one will apply (the CLI that asked for it is gone), closing its connections. */
  discardPlan(planId: string): void {
    this.plans.discard(planId);
  }

  /** Stops a run between files; the journal and the report say what was and was not applied. */
  cancel(input: z.output<typeof syncCancelInput>): { cancelled: boolean } {
    return { cancelled: this.runs.cancel(input.runId) };
  }

  /**
   * Puts a destination back as it was before a run, from that run's backup there. A restore is a run
   * of its own: under the root's lock, with a journal, a backup of everything it replaces or removes,
   * and a record in the runs list (so it can be restored in turn). A path changed since the run is
   * left as it is and listed, unless `overwrite` (it is then in the restore's backup).
   */
  async restore(input: z.output<typeof syncRestoreInput>): Promise<RestoreResult & { runId: string }> {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(input.runId))
      throw new AppError('BAD_RUN_ID', `"${input.runId}" is not a run id.`);
    const endpoint = await this.deps.connect(input.serverId);
    const runId = newRunId();
    const startedAt = new Date().toISOString();
    try {
      const dirs = await this.backupDirsOf(endpoint, input);
      const base = await resolveStateDir(endpoint, this.deps.stateDir?.(input.serverId));
      const results: Array<RestoreResult & { root: string }> = [];
      for (const [k, backupDir] of dirs.entries()) {
        const one = dirs.length > 1 ? `${runId}-${k}` : runId;
        results.push(await this.restoreOne(endpoint, base, backupDir, one, input));
      }
      const total = {
        runId,
        restored: results.reduce((n, r) => n + r.restored, 0),
        removed: results.reduce((n, r) => n + r.removed, 0),
        errors: results.flatMap((r) => r.errors),
        left: results.flatMap((r) => r.left),
      };
      await this.recordRestore(input, runId, startedAt, endpoint.label, results);
      return total;
    } finally {
      endpoint.close();
    }
  }

  private async restoreOne(
    endpoint: Endpoint,
    base: string,
    backupDir: string,
    runId: string,
    input: z.output<typeof syncRestoreInput>,
  ): Promise<RestoreResult & { root: string }> {
    const manifest = await readManifest(endpoint, backupDir);
    const rootState = rootStateDir(base, manifest.root);
    const held = await takeLock(endpoint, rootState, runId, this.lockOptions(false));
    try {
      const journal = new JournalFile(endpoint, journalPath(rootState, runId));
      const at = new Date().toISOString();
      const head = {
        version: 1 as const,
        runId,
        setName: manifest.setName,
        root: manifest.root,
        stagingDir: `${manifest.root}/.configsync-staging-restore-${manifest.runId}`,
        backupDir: backupDirOf(rootState, manifest.setName, runId),
        startedAt: at,
        updatedAt: at,
        message: `restore of run ${input.runId}`,
        dirs: [],
      };
      // What it means to put back and remove, then what it did, as a sync run's journal lists them.
      const writesOf = (entries: ReadonlyArray<ManifestEntry>): JournalWrite[] =>
        entries
          .filter((e) => e.type !== 'dir')
          .map((e) => ({
            path: e.path,
            type: e.type,
            mode: e.mode,
            mtimeMs: e.mtimeMs,
            ...(e.linkTarget !== undefined ? { linkTarget: e.linkTarget } : {}),
            replaces: null,
          }));
      await journal.write({
        ...head,
        phase: 'prepared',
        writes: writesOf(manifest.entries),
        deletes: manifest.created.filter((c) => c.type !== 'dir'),
      });
      const r = await restoreBackup(endpoint, backupDir, {
        expect: 'left',
        ...(input.overwrite ? { overwrite: true } : {}),
        backUpTo: { dir: head.backupDir, runId, setName: manifest.setName },
      });
      await journal.write({
        ...head,
        phase: 'done',
        writes: writesOf(r.put ?? []),
        deletes: [...(r.gone ?? [])],
        left: [...r.left],
      });
      return { ...r, root: manifest.root };
    } finally {
      await held.release().catch(() => undefined);
    }
  }

  /** The restore's record beside the sync runs' (History lists it; its backup can be restored in turn). */
  private async recordRestore(
    input: z.output<typeof syncRestoreInput>,
    runId: string,
    startedAt: string,
    destination: string,
    results: ReadonlyArray<RestoreResult & { root: string }>,
  ): Promise<void> {
    const reports = results.map((r, k) => {
      const ok = r.errors.length === 0;
      const message = `Restore of run ${input.runId}: ${r.restored} put back, ${r.removed} removed${r.left.length > 0 ? `, ${r.left.length} changed since the run left as they are` : ''}.`;
      return {
        ...emptyReport(runId, destination, ok ? 'completed' : 'completed-with-errors', message),
        startedAt,
        filesWritten: r.restored,
        filesDeleted: r.removed,
        errors: [...r.errors, ...r.left],
        applied: [],
        notApplied: [],
        mismatches: [],
        warnings: undefined,
        verified: ok,
        ...(r.backupDir ? { backupDir: r.backupDir } : {}),
        targetId: `${input.serverId}#${k}`,
      };
    });
    const record: RunRecord = {
      runId,
      setName: input.setName,
      startedAt,
      finishedAt: new Date().toISOString(),
      state: 'finished',
      reports,
    };
    const log = await this.runLog.open(runId);
    await log.line({ event: 'restore', of: input.runId, serverId: input.serverId });
    await log.finish(record);
  }

  /**
   * The backup folders a run left on one server entry: named by the run's record (two entries on one
   * host have roots, and backups, of their own), or looked for under every root when no record says.
   */
  private async backupDirsOf(
    endpoint: Endpoint,
    input: z.output<typeof syncRestoreInput>,
  ): Promise<string[]> {
    const records = await this.listRuns();
    const named = records
      .flatMap((r) => r.reports)
      .filter(
        (r) =>
          r.backupDir &&
          r.targetId.startsWith(`${input.serverId}#`) &&
          (r.runId === input.runId || r.runId.startsWith(`${input.runId}-`)),
      )
      .map((r) => r.backupDir as string);
    const present: string[] = [];
    for (const d of new Set(named)) if (await endpoint.stat(`${d}/manifest.json`)) present.push(d);
    if (present.length > 0) return present;
    const found = await findBackupDir(endpoint, this.places(input.serverId), input.setName, input.runId);
    if (!found)
      throw new AppError(
        'BACKUP_MISSING',
        `No backup of run ${input.runId} (set ${input.setName}) on ${endpoint.label}.`,
      );
    return [found.backupDir];
  }

  /**
   * Runs of this session and the newest `limit` recorded in the logs folder, newest first (the folder
   * is listed and only those records are read).
   */
  async listRuns(limit = 200): Promise<RunRecord[]> {
    const byId = new Map<string, RunRecord>();
    for (const r of await this.runLog.records(limit)) byId.set(r.runId, r);
    for (const record of this.runs.records()) byId.set(record.runId, record);
    return [...byId.values()].sort((a, b) => (a.runId < b.runId ? 1 : -1)).slice(0, Math.max(limit, 1));
  }

  /** The ids of the runs under way in this process (their logs are never pruned). */
  activeRunIds(): ReadonlySet<string> {
    return new Set(
      this.runs
        .records()
        .filter((r) => r.state === 'running')
        .map((r) => r.runId),
    );
  }

  dispose(): void {
    this.runs.abortAll();
    this.plans.dispose();
  }

  private async resolve(serverId: string, path: string): Promise<string> {
    return this.deps.resolvePath ? this.deps.resolvePath(serverId, path) : path;
  }
}
