import type { RunTrigger } from '../../src-shared/model/history.js';

/**
 * What an injected run function reports back. `partial` (some destinations failed) and `failed` are
 * retried with backoff unless `retryable` is false (a refused guard does not get better by retrying).
 */
export type RunOutcome = {
  readonly result: 'ok' | 'partial' | 'failed';
  readonly message: string;
  readonly retryable?: boolean;
};

/** Everything the scheduler and the automatic triggers tell the rest of the app (logs, notices, status). */
export type RunEvent =
  | {
      readonly type: 'run-started';
      readonly key: string;
      readonly trigger: RunTrigger;
      readonly attempt: number;
      readonly entryId?: string;
    }
  | {
      readonly type: 'run-finished';
      readonly key: string;
      readonly trigger: RunTrigger;
      readonly attempt: number;
      readonly outcome: RunOutcome;
      readonly entryId?: string;
    }
  | {
      readonly type: 'retry-scheduled';
      readonly key: string;
      readonly trigger: RunTrigger;
      readonly attempt: number;
      readonly delayMs: number;
      readonly outcome: RunOutcome;
    }
  | {
      readonly type: 'gave-up';
      readonly key: string;
      readonly trigger: RunTrigger;
      readonly attempts: number;
      readonly outcome: RunOutcome;
    }
  | { readonly type: 'coalesced'; readonly key: string; readonly trigger: RunTrigger }
  /** An automatic trigger saw a change (or its period came) and asks for a run. */
  | {
      readonly type: 'triggered';
      readonly key: string;
      readonly trigger: RunTrigger;
      readonly paths: ReadonlyArray<string>;
    }
  | { readonly type: 'missed'; readonly key: string; readonly entryId: string; readonly scheduledAt: number }
  | { readonly type: 'catch-up'; readonly key: string; readonly entryId: string; readonly missedAt: number }
  | { readonly type: 'trigger-error'; readonly key: string; readonly message: string };

export type ReportFn = (event: RunEvent) => void;

/** A thrown error as an outcome: the message is kept, and it counts as retryable. */
export function outcomeOfError(err: unknown): RunOutcome {
  return { result: 'failed', message: err instanceof Error ? err.message : String(err) };
}
