import type { Logger } from 'pino';
import type { HistoryStore } from '../services/history/history-store.js';
import { pruneRunLogs } from './prune-runs.js';
import type { Retention } from './retention.js';

export type HousekeepingDeps = {
  readonly logsDir: string;
  readonly history: HistoryStore;
  /** Read at each pass, so a changed setting applies to the next one. */
  readonly retention: () => Retention;
  /** Runs under way in this process (their files are never pruned). */
  readonly activeRuns: () => ReadonlySet<string>;
  readonly logger: Logger;
  readonly now?: () => number;
  /** At most one pass per this many ms (default 10 minutes); the first pass always runs. */
  readonly minIntervalMs?: number;
};

/**
 * Prunes run logs, run records and history lines by age and count (the store's retention settings),
 * after a run has finished, at most once every few minutes: a one-shot CLI run prunes once, a
 * long-running app or scheduler after its runs. A failed pass is a warning in the app log, never an
 * error of the run.
 */
export class Housekeeping {
  private last = -Infinity;
  private pass: Promise<void> = Promise.resolve();

  constructor(private readonly deps: HousekeepingDeps) {}

  /** Starts a pass unless one ran recently; idle() waits for it. */
  afterRun(): void {
    const now = (this.deps.now ?? Date.now)();
    if (now - this.last < (this.deps.minIntervalMs ?? 10 * 60_000)) return;
    this.last = now;
    this.pass = this.pass.then(() => this.runPass(now));
  }

  /** One pass now, whatever the interval (tests, and `configsync retention --prune`). */
  async runNow(): Promise<{ readonly runs: number; readonly historyLines: number }> {
    const now = (this.deps.now ?? Date.now)();
    this.last = now;
    let result = { runs: 0, historyLines: 0 };
    this.pass = this.pass.then(async () => {
      result = await this.prune(now);
    });
    await this.pass;
    return result;
  }

  idle(): Promise<void> {
    return this.pass;
  }

  private async runPass(now: number): Promise<void> {
    try {
      await this.prune(now);
    } catch (err) {
      this.deps.logger.warn({ err }, 'pruning old run logs and history failed');
    }
  }

  private async prune(now: number): Promise<{ runs: number; historyLines: number }> {
    const r = this.deps.retention();
    const { removed } = await pruneRunLogs(
      this.deps.logsDir,
      { keep: r.runs, days: r.runDays },
      now,
      this.deps.activeRuns(),
    );
    const history = await this.deps.history.prune(
      { maxRecords: r.historyRecords, maxAgeDays: r.historyDays },
      now,
    );
    if (removed.length > 0 || history.removed > 0)
      this.deps.logger.info(
        { runsRemoved: removed.length, historyLinesRemoved: history.removed },
        'pruned old run logs and history',
      );
    return { runs: removed.length, historyLines: history.removed };
  }
}
