import type { z } from 'zod';
import type { syncApplyInput } from '../../src-shared/contract/schemas/sync.js';
import { syncSetKey } from '../../src-shared/model/schedule.js';
import type { RunTrigger } from '../../src-shared/model/history.js';
import { AppError } from '../errors/app-error.js';
import type { RunOrigin } from '../services/history/history-record.js';
import type { ServerService } from '../services/servers/server-service.js';
import type { RunRecord as SyncRunRecord, SyncService } from '../services/sync/sync-service.js';
import type { SyncSetService } from '../services/sync/sync-set-service.js';
import { pickParticipants } from '../services/sync/participants.js';
import type { RunExecutor } from './run-executor.js';
import type { RunOutcome } from './run-outcome.js';

export type SetRunnerDeps = {
  readonly sync: SyncService;
  readonly sets: SyncSetService;
  readonly servers: ServerService;
  readonly executor: RunExecutor;
  /** Asked before an automatic run that may have nothing to do: true when every secondary is in sync already. */
  readonly inSync?: (setId: string) => Promise<boolean>;
  /** A run that failed before it reached any destination (no primary, source unreachable). */
  readonly onFailedStart?: (setId: string, trigger: RunTrigger, startedAt: number, error: string) => void;
};

const MAX_PLANS = 100;

/** A finished sync run as the scheduler's executor sees it: refused guards are not retried. */
export function outcomeOfRun(record: SyncRunRecord): RunOutcome {
  const statuses = record.reports.map((r) => r.status);
  const done = statuses.filter((s) => s === 'completed').length;
  const message = record.reports
    .filter((r) => r.status !== 'completed')
    .map((r) => `${r.targetId.replace(/#\d+$/, '')}: ${r.status}${r.message ? ` (${r.message})` : ''}`)
    .join('; ');
  if (statuses.length > 0 && done === statuses.length)
    return { result: 'ok', message: `Applied to ${done} destination(s).` };
  return {
    result: done === 0 ? 'failed' : 'partial',
    message: message || 'No destination was applied.',
    ...(statuses.includes('refused') ? { retryable: false } : {}),
  };
}

/**
 * Runs of a sync set, whoever asks: every one goes through the shared gate under the set's key, so a
 * manual run, a schedule and a watcher never run one set twice at once. Remembers which set a plan
 * is of and who started each run, so the history can say so.
 */
export class SetRunner {
  private readonly planSets = new Map<string, string>();
  private readonly origins = new Map<string, RunOrigin>();

  constructor(private readonly deps: SetRunnerDeps) {}

  /** Called with every `sync.plan` answer (the wizard's, the CLI's). */
  rememberPlan(planId: string, setId: string): void {
    this.planSets.set(planId, setId);
    while (this.planSets.size > MAX_PLANS) this.planSets.delete(this.planSets.keys().next().value as string);
  }

  /** Who started a run and of which set; forgotten once asked. */
  takeOrigin(runId: string): RunOrigin | undefined {
    const origin = this.origins.get(runId);
    this.origins.delete(runId);
    return origin;
  }

  /**
   * `sync.apply` of a plan the user reviewed: refused with RUN_IN_PROGRESS while the set is running
   * (the user sees why), never retried; answers with the run id as soon as the run has started.
   */
  async applyPlan(input: z.output<typeof syncApplyInput>, trigger: RunTrigger): Promise<{ runId: string }> {
    const setId = this.planSets.get(input.planId);
    if (!setId) return this.deps.sync.start(input);
    let started!: (runId: string) => void;
    let refused!: (err: unknown) => void;
    const runId = new Promise<string>((resolve, reject) => {
      started = resolve;
      refused = reject;
    });
    this.deps.executor
      .execute(
        syncSetKey(setId),
        trigger,
        async () => {
          let id: string;
          try {
            id = this.deps.sync.start(input).runId;
          } catch (err) {
            refused(err);
            throw err;
          }
          this.origins.set(id, { setId, trigger });
          started(id);
          return outcomeOfRun(await this.deps.sync.wait(id));
        },
        { whenBusy: 'reject', retry: false },
      )
      .catch(refused);
    this.planSets.delete(input.planId);
    return { runId: await runId };
  }

  /**
   * Plans the set from the primary to every secondary and applies it, guards unconfirmed (a refused
   * guard is reported, not overridden). Meant to run inside the executor (the caller holds the gate).
   * With `skipWhenInSync`, a run whose plan would change nothing is not started.
   */
  async runSet(
    setId: string,
    trigger: RunTrigger,
    options: { skipWhenInSync?: boolean } = {},
  ): Promise<RunOutcome> {
    const startedAt = Date.now();
    try {
      if (options.skipWhenInSync && this.deps.inSync && (await this.deps.inSync(setId)))
        return { result: 'ok', message: 'Already in sync.' };
      const set = this.deps.sets.get(setId);
      const who = pickParticipants(this.deps.servers.committed(), undefined, undefined);
      // The apply follows at once (its sessions are started as the plan ends, as for `sync --yes`).
      const plan = await this.deps.sync.plan({ set, ...who, applyNext: true });
      const { runId } = this.deps.sync.start({ planId: plan.planId, confirm: [] });
      this.origins.set(runId, { setId, trigger });
      return outcomeOfRun(await this.deps.sync.wait(runId));
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.deps.onFailedStart?.(setId, trigger, startedAt, message);
      const permanent =
        err instanceof AppError && ['SET_UNKNOWN', 'NO_PRIMARY', 'NO_DESTINATIONS'].includes(err.code);
      return { result: 'failed', message, ...(permanent ? { retryable: false } : {}) };
    }
  }
}
