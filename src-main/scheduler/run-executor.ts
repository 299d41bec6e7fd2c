import type { RunTrigger } from '../../src-shared/model/history.js';
import { sleep, type Clock } from './clock.js';
import { defaultRetryPolicy, noRetry, retryDelayMs, type RetryPolicy } from './retry-policy.js';
import type { RunGate, WhenBusy } from './run-gate.js';
import { outcomeOfError, type ReportFn, type RunOutcome } from './run-outcome.js';

export type ExecutorDeps = {
  readonly clock: Clock;
  readonly gate: RunGate<RunOutcome>;
  readonly report: ReportFn;
  readonly retry?: RetryPolicy;
};

export type ExecuteOptions = {
  readonly whenBusy?: WhenBusy;
  /** false: one attempt only (a manual run reports its failure to the user instead). */
  readonly retry?: boolean;
  readonly entryId?: string;
};

/**
 * Runs a task for a key through the shared gate, reports what happens, and retries failures with
 * exponential backoff. The gate is not held while waiting to retry, so other triggers of the key
 * run meanwhile. A trigger merged into another trigger's run (coalesced) leaves the retries to it.
 */
export class RunExecutor {
  private readonly stopper = new AbortController();
  private readonly policy: RetryPolicy;

  constructor(private readonly deps: ExecutorDeps) {
    this.policy = deps.retry ?? defaultRetryPolicy;
  }

  get gate(): RunGate<RunOutcome> {
    return this.deps.gate;
  }

  /** Never rejects except with RUN_IN_PROGRESS when whenBusy is 'reject'; failures come back as outcomes. */
  async execute(
    key: string,
    trigger: RunTrigger,
    task: () => Promise<RunOutcome>,
    options: ExecuteOptions = {},
  ): Promise<RunOutcome> {
    const policy = options.retry === false ? noRetry : this.policy;
    const { report } = this.deps;
    const entry = options.entryId !== undefined ? { entryId: options.entryId } : {};
    for (let attempt = 1; ; attempt++) {
      let ran = false;
      const outcome = await this.deps.gate.run(
        key,
        async () => {
          ran = true;
          report({ type: 'run-started', key, trigger, attempt, ...entry });
          let result: RunOutcome;
          try {
            result = await task();
          } catch (err) {
            result = outcomeOfError(err);
          }
          report({ type: 'run-finished', key, trigger, attempt, outcome: result, ...entry });
          return result;
        },
        options.whenBusy ?? 'coalesce',
      );
      if (!ran) {
        report({ type: 'coalesced', key, trigger });
        return outcome;
      }
      if (outcome.result === 'ok' || outcome.retryable === false) return outcome;
      if (attempt >= policy.maxAttempts || this.stopper.signal.aborted) {
        if (policy.maxAttempts > 1) report({ type: 'gave-up', key, trigger, attempts: attempt, outcome });
        return outcome;
      }
      const delayMs = retryDelayMs(policy, attempt);
      report({ type: 'retry-scheduled', key, trigger, attempt, delayMs, outcome });
      if (!(await sleep(this.deps.clock, delayMs, this.stopper.signal))) return outcome;
    }
  }

  /** Cancels pending retry waits (runs under way finish); then waits for the gate to empty. */
  async stop(): Promise<void> {
    this.stopper.abort();
    await this.deps.gate.drain();
  }
}
