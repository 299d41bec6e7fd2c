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
import { newRunId } from '../../engine/apply.js';
import type { RestoreResult } from '../../engine/backup.js';
import { newRolloutState } from '../../engine/rollout.js';
import { DEFAULT_FAN_OUT } from '../../../src-shared/model/sync.js';
import { applyAll, planAll, type FanOutTarget, type TargetPlan } from '../../engine/fan-out.js';
import { guardFindings } from '../../engine/guards.js';
import { resolveRoot } from '../../engine/scan.js';
import type { RecoverResult } from '../../engine/recover.js';
import { describeInterrupted, interruptedRuns, recoverInterrupted } from './interrupted-runs.js';
import type { JournalHead } from '../../engine/journal.js';
import type { Endpoint } from '../../transport/endpoint.js';
import { AppError } from '../../errors/app-error.js';
import { closeEndpoints, PlanStore, type StoredPlan } from './plan-store.js';
import { RunLog, type RunRecord } from './run-log.js';
import { RunRegistry } from './run-registry.js';
import { restoreRun } from './restore-run.js';

export type { RunRecord } from './run-log.js';
export type SyncProgressEvent = z.output<typeof syncProgressEvent>;

export type SyncServiceDeps = {
  /** Opens (within its contact timeout) the endpoint of a server of the server list. */
  readonly connect: (serverId: string) => Promise<Endpoint>;
  /** Expands a server's ${VARS} in an item path; default: the path as is. */
  readonly resolvePath?: (serverId: string, path: string) => Promise<string> | string;
  /** Where journal and backups live on a server; default `~/.configsync` there. */
  readonly stateDir?: (serverId: string) => string | undefined;
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
      /** Each destination's unfinished journals, read while its tree is listed (not after the plan). */
      const journals = new Map<string, Promise<JournalHead[]>>();
      const connectOnce = (id: string) => {
        let p = endpoints.get(id);
        if (!p) {
          endpoints.set(id, (p = this.deps.connect(id).then(opened)));
          const found = p.then((ep) => interruptedRuns(ep, this.deps.stateDir?.(id), () => false));
          found.catch(() => undefined);
          journals.set(id, found);
        }
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
              (targets.find((t) => t.id === `${id}#${index}`) as { root: string }).root = await resolveRoot(
                ep,
                raw,
              );
              return ep;
            },
          });
        }
        const planned = await untilAborted(
          planAll(src, sourceRoot, targets, {
            planOptions: { mode: set.mode, compare: set.compare, toleranceMs: set.toleranceMs },
            filter: { include: set.include, exclude: set.exclude },
            // Planning only reads: as many at once as the roll-out allows, and never fewer than the default.
            concurrency: this.deps.concurrency ?? Math.max(DEFAULT_FAN_OUT, set.rollout.parallel),
          }),
        );
        if (signal?.aborted) throw cancelled();
        items.push({
          index,
          sourceRoot,
          targets: await Promise.all(
            planned.targets.map((t) => {
              const serverId = t.id.replace(/#\d+$/, '');
              return this.refuseInterrupted({ ...t, serverId }, journals.get(serverId));
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

  /** A destination holding an interrupted run is reported as such instead of planned (see interrupted-runs.ts). */
  private async refuseInterrupted<T extends TargetPlan & { serverId: string }>(
    t: T,
    found?: Promise<JournalHead[]>,
  ): Promise<T | (TargetPlan & { serverId: string })> {
    if (!t.ok) return t;
    // Runs this process is carrying out are not interrupted: asked now, not when the journals were read.
    const journals = (
      await (found ?? interruptedRuns(t.endpoint, this.deps.stateDir?.(t.serverId), () => false))
    ).filter((j) => !this.runs.isRunning(j.runId));
    if (journals.length === 0) return t;
    return {
      id: t.id,
      label: t.label,
      serverId: t.serverId,
      ok: false,
      status: 'failed',
      code: 'INTERRUPTED_RUN',
      message: describeInterrupted(journals),
    };
  }

  /** Ends the interrupted runs on a destination from their journals (complete by default, or roll back). */
  async recover(serverId: string, prefer: 'complete' | 'rollback'): Promise<RecoverResult[]> {
    const endpoint = await this.deps.connect(serverId);
    try {
      return await recoverInterrupted(
        endpoint,
        this.deps.stateDir?.(serverId),
        (id) => this.runs.isRunning(id),
        prefer,
      );
    } finally {
      endpoint.close();
    }
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
              }
            : {
                targetId: t.id,
                serverId: t.serverId,
                item: set.items[it.index]?.path ?? '',
                ok: false,
                guards: [],
                status: t.status,
                code: t.code,
                message: t.message,
              },
        ),
      ),
    };
  }

  /** A page of one target's plan entries, filtered by action and by a path substring. */
  entries(input: z.output<typeof syncEntriesInput>): z.output<typeof syncEntriesOutput> {
    const t = this.plans.target(input.planId, input.targetId);
    const search = input.search?.toLowerCase();
    const actions = input.actions && input.actions.length > 0 ? new Set(input.actions) : null;
    const matching = t.plan.entries.filter(
      (e) => (!actions || actions.has(e.action)) && (!search || e.path.toLowerCase().includes(search)),
    );
    return {
      total: matching.length,
      entries: matching.slice(input.offset, input.offset + input.limit).map((e) => ({ ...e })),
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
      // One roll-out over the whole run: a canary that failed on the first item starts nothing on the next.
      const rolloutState = newRolloutState();
      for (const item of stored.items) {
        const targets = item.targets.filter((t) => !input.targetIds || input.targetIds.includes(t.id));
        const reports = await applyAll(stored.source, targets, {
          setName: stored.set.name,
          runId: multi ? `${runId}-${item.index}` : runId,
          keepRuns: stored.set.keepRuns,
          guards: { deleteThreshold: stored.set.deleteThreshold, confirmed: input.confirm },
          signal: controller.signal,
          onProgress,
          bulk: 'auto',
          ...(stored.set.validateCommand ? { validateCommand: stored.set.validateCommand } : {}),
          ...(stored.set.postApplyCommand ? { postApplyCommand: stored.set.postApplyCommand } : {}),
          rollout: {
            ...stored.set.rollout,
            parallel: this.deps.concurrency ?? stored.set.rollout.parallel,
          },
          rolloutState,
        });
        for (const r of reports) {
          record.reports.push({
            ...r,
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

  /** Stops a run between files; the journal and the report say what was and was not applied. */
  cancel(input: z.output<typeof syncCancelInput>): { cancelled: boolean } {
    return { cancelled: this.runs.cancel(input.runId) };
  }

  /** Puts a destination back as it was before a run, from that run's backup there (restore-run.ts). */
  restore(input: z.output<typeof syncRestoreInput>): Promise<RestoreResult> {
    return restoreRun(this.deps, input);
  }

  /** Runs of this session and those recorded in the logs folder, newest first. */
  async listRuns(): Promise<RunRecord[]> {
    const byId = new Map<string, RunRecord>();
    for (const r of await this.runLog.records()) byId.set(r.runId, r);
    for (const record of this.runs.records()) byId.set(record.runId, record);
    return [...byId.values()].sort((a, b) => (a.runId < b.runId ? 1 : -1));
  }

  dispose(): void {
    this.runs.abortAll();
    this.plans.dispose();
  }

  private async resolve(serverId: string, path: string): Promise<string> {
    return this.deps.resolvePath ? this.deps.resolvePath(serverId, path) : path;
  }
}
