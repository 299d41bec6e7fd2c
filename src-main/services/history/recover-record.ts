import type { RunRecord, RunTrigger } from '../../../src-shared/model/history.js';

/** What one recovery of an interrupted run did on one server (as the sync service reports it). */
export type RecoveryOutcome = {
  readonly runId: string;
  readonly recoveryRunId: string;
  readonly outcome: 'nothing-to-do' | 'rolled-back' | 'completed' | 'superseded';
  readonly errors: ReadonlyArray<{ readonly path: string; readonly message: string }>;
  readonly left?: ReadonlyArray<{ readonly path: string; readonly message: string }>;
  readonly written?: number;
  readonly removed?: number;
};

/** A recover's report of one run, as the sync service answers it (a run it ended has a recoveryRunId). */
export type RecoveredRun = Omit<RecoveryOutcome, 'recoveryRunId' | 'left'> & {
  readonly recoveryRunId?: string | undefined;
  readonly left?: RecoveryOutcome['left'] | undefined;
  readonly setName?: string | undefined;
};

/** A recover that ended runs on a server, as the sync handlers hand it to what follows every run. */
export type RecoverDone = {
  readonly serverId: string;
  readonly trigger: RunTrigger;
  readonly startedAt: number;
  readonly recovered: ReadonlyArray<RecoveredRun>;
};

/**
 * A recovery as a run of its own in the history: on which server, of which interrupted run, how it
 * ended it and what it left. The recovered run is then "recovered at …" (see recoveredAt).
 */
export function recoverRecord(input: {
  readonly serverId: string;
  readonly setId: string;
  readonly trigger: RunTrigger;
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly recovery: RecoveryOutcome;
}): RunRecord {
  const r = input.recovery;
  const left = r.left?.length ?? 0;
  const how =
    r.outcome === 'completed' ? 'completed' : r.outcome === 'superseded' ? 'superseded' : 'rolled back';
  return {
    id: r.recoveryRunId,
    kind: 'recover',
    recovers: r.runId,
    setId: input.setId,
    trigger: input.trigger,
    startedAt: input.startedAt,
    finishedAt: input.finishedAt,
    destinations: [
      {
        serverId: input.serverId,
        status: r.errors.length === 0 ? 'ok' : 'failed',
        counts: { created: 0, updated: r.written ?? 0, deleted: r.removed ?? 0, unchanged: 0 },
        bytes: 0,
        durationMs: Math.max(0, input.finishedAt - input.startedAt),
        message: `Recovery of run ${r.runId}: ${how}${r.errors.length ? `, ${r.errors.length} failed (first: ${r.errors[0]?.path}: ${r.errors[0]?.message})` : ''}${left ? `, ${left} changed since the run left as they are` : ''}.`,
        logPath: null,
      },
    ],
  };
}
