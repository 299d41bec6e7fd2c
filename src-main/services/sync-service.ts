import { appendFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { z } from 'zod';
import type {
  runRecord,
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
} from '../../src-shared/contract/schemas/sync.js';
import type { Progress } from '../../src-shared/model/sync.js';
import { newRunId } from '../engine/apply.js';
import { backupDirOf, restoreBackup, type RestoreResult } from '../engine/backup.js';
import { newRolloutState } from '../engine/rollout.js';
import { DEFAULT_FAN_OUT } from '../../src-shared/model/sync.js';
import { applyAll, planAll, type FanOutTarget, type TargetPlan } from '../engine/fan-out.js';
import { guardFindings } from '../engine/guards.js';
import { resolveRoot } from '../engine/scan.js';
import { resolveStateDir } from '../engine/state-dir.js';
import type { RecoverResult } from '../engine/recover.js';
import { describeInterrupted, interruptedRuns, recoverInterrupted } from './interrupted-runs.js';
import type { JournalHead } from '../engine/journal.js';
import type { Endpoint } from '../transport/endpoint.js';
import { AppError } from '../errors/app-error.js';

export type RunRecord = z.output<typeof runRecord>;
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

type StoredPlan = {
  readonly planId: string;
  readonly set: SyncSet;
  readonly source: Endpoint;
  readonly endpoints: Map<string, Promise<Endpoint>>;
  readonly items: ReadonlyArray<{
    readonly index: number;
    readonly sourceRoot: string;
    readonly targets: ReadonlyArray<TargetPlan & { serverId: string }>;
  }>;
};

const MAX_PLANS = 20;

/** The sync service behind the `sync.*` methods: plan, page through a plan, apply, cancel, restore, history. */
export class SyncService {
  private readonly plans = new Map<string, StoredPlan>();
  private readonly runs = new Map<
    string,
    { record: RunRecord; controller: AbortController; done: Promise<RunRecord> }
  >();

  constructor(private readonly deps: SyncServiceDeps) {}

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
    ).filter((j) => !this.isRunning(j.runId));
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
        (id) => this.isRunning(id),
        prefer,
      );
    } finally {
      endpoint.close();
    }
  }

  private isRunning(journalRunId: string): boolean {
    for (const [runId, run] of this.runs)
      if (run.record.state === 'running' && (journalRunId === runId || journalRunId.startsWith(`${runId}-`)))
        return true;
    return false;
  }

  private keepPlan(
    set: SyncSet,
    source: Endpoint,
    endpoints: Map<string, Promise<Endpoint>>,
    items: StoredPlan['items'],
  ): z.output<typeof syncPlanOutput> {
    const planId = newRunId();
    this.remember({ planId, set, source, endpoints, items });
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
    const t = this.target(input.planId, input.targetId);
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
    const stored = this.plans.get(input.planId);
    if (!stored) throw new AppError('PLAN_UNKNOWN', 'That plan is no longer available; plan again.');
    this.plans.delete(input.planId);
    const runId = newRunId();
    const controller = new AbortController();
    const record: RunRecord = {
      runId,
      setName: stored.set.name,
      startedAt: new Date().toISOString(),
      state: 'running',
      reports: [],
    };
    const log = join(this.deps.logsDir, `${runId}.log`);
    const done = (async () => {
      await mkdir(this.deps.logsDir, { recursive: true });
      const line = (o: object) =>
        appendFile(log, `${JSON.stringify({ at: new Date().toISOString(), ...o })}\n`).catch(() => undefined);
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
      await writeFile(join(this.deps.logsDir, `${runId}.json`), JSON.stringify(record, null, 1));
      await line({ event: 'finished' });
      this.close(stored);
      this.deps.onFinished?.(record);
      return record;
    })();
    this.runs.set(runId, { record, controller, done });
    done.catch(() => undefined);
    return { runId };
  }

  /** Applies and waits for the end (CLI, scheduler, tests). */
  async apply(input: z.output<typeof syncApplyInput>): Promise<RunRecord> {
    const { runId } = this.start(input);
    return this.wait(runId);
  }

  wait(runId: string): Promise<RunRecord> {
    const run = this.runs.get(runId);
    if (!run) throw new AppError('RUN_UNKNOWN', `No run ${runId} is known.`);
    return run.done;
  }

  /** Stops a run between files; the journal and the report say what was and was not applied. */
  cancel(input: z.output<typeof syncCancelInput>): { cancelled: boolean } {
    const run = this.runs.get(input.runId);
    if (!run || run.record.state !== 'running') return { cancelled: false };
    run.controller.abort();
    return { cancelled: true };
  }

  /** Puts a destination back as it was before a run, from that run's backup there. */
  async restore(input: z.output<typeof syncRestoreInput>): Promise<RestoreResult> {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(input.runId))
      throw new AppError('BAD_RUN_ID', `"${input.runId}" is not a run id.`);
    const endpoint = await this.deps.connect(input.serverId);
    try {
      const stateDir = await resolveStateDir(endpoint, this.deps.stateDir?.(input.serverId));
      return await restoreBackup(endpoint, backupDirOf(stateDir, input.setName, input.runId));
    } finally {
      endpoint.close();
    }
  }

  /** Runs of this session and those recorded in the logs folder, newest first. */
  async listRuns(): Promise<RunRecord[]> {
    const byId = new Map<string, RunRecord>();
    const names = await readdir(this.deps.logsDir).catch(() => [] as string[]);
    for (const n of names.filter((x) => x.endsWith('.json'))) {
      try {
        const r = JSON.parse(await readFile(join(this.deps.logsDir, n), 'utf8')) as RunRecord;
        byId.set(r.runId, r);
      } catch {
        // A half-written record of a run that was killed: its log file still tells the story.
      }
    }
    for (const { record } of this.runs.values()) byId.set(record.runId, record);
    return [...byId.values()].sort((a, b) => (a.runId < b.runId ? 1 : -1));
  }

  dispose(): void {
    for (const run of this.runs.values()) run.controller.abort();
    for (const p of this.plans.values()) this.close(p);
    this.plans.clear();
  }

  private async resolve(serverId: string, path: string): Promise<string> {
    return this.deps.resolvePath ? this.deps.resolvePath(serverId, path) : path;
  }

  private target(planId: string, targetId: string): Extract<TargetPlan, { ok: true }> {
    const stored = this.plans.get(planId);
    if (!stored) throw new AppError('PLAN_UNKNOWN', 'That plan is no longer available; plan again.');
    const t = stored.items.flatMap((i) => i.targets).find((x) => x.id === targetId);
    if (!t) throw new AppError('TARGET_UNKNOWN', `No target ${targetId} in that plan.`);
    if (!t.ok) throw new AppError(t.code, t.message);
    return t;
  }

  private remember(p: StoredPlan): void {
    this.plans.set(p.planId, p);
    while (this.plans.size > MAX_PLANS) {
      const oldest = this.plans.keys().next().value as string;
      const dropped = this.plans.get(oldest);
      this.plans.delete(oldest);
      if (dropped) this.close(dropped);
    }
  }

  private close(p: StoredPlan): void {
    p.source.close();
    for (const e of p.endpoints.values()) void e.then((ep) => ep.close()).catch(() => undefined);
  }
}
