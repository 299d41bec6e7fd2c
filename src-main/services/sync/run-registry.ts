import { AppError } from '../../errors/app-error.js';
import type { RunRecord } from './run-log.js';

type Run = {
  readonly record: RunRecord;
  readonly controller: AbortController;
  readonly done: Promise<RunRecord>;
};

/** The runs of this process: started, running or finished, to wait for, cancel, or ask about. */
export class RunRegistry {
  private readonly runs = new Map<string, Run>();

  add(run: Run): void {
    this.runs.set(run.record.runId, run);
    run.done.catch(() => undefined);
  }

  wait(runId: string): Promise<RunRecord> {
    const run = this.runs.get(runId);
    if (!run) throw new AppError('RUN_UNKNOWN', `No run ${runId} is known.`);
    return run.done;
  }

  /** Stops a running run between files; false when it is not running. */
  cancel(runId: string): boolean {
    const run = this.runs.get(runId);
    if (!run || run.record.state !== 'running') return false;
    run.controller.abort();
    return true;
  }

  /** True when a journal's run id is (an item of) a run this process is carrying out now. */
  isRunning(journalRunId: string): boolean {
    for (const [runId, run] of this.runs)
      if (run.record.state === 'running' && (journalRunId === runId || journalRunId.startsWith(`${runId}-`)))
        return true;
    return false;
  }

  records(): RunRecord[] {
    return [...this.runs.values()].map((r) => r.record);
  }

  abortAll(): void {
    for (const run of this.runs.values()) run.controller.abort();
  }
}
