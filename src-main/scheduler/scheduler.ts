import { operationKey, type ScheduleEntry, type ScheduleOperation } from '../../src-shared/model/schedule.js';
import type { Clock, TimerHandle } from './clock.js';
import { nextRunAfter } from './cron.js';
import type { LastRunStore } from './last-run-store.js';
import type { RunExecutor } from './run-executor.js';
import type { ReportFn, RunOutcome } from './run-outcome.js';

/** What a scheduled run is told about why it runs. */
export type ScheduledRunContext = {
  readonly entryId: string;
  /** The entry's time that fired (for a catch-up, the first time that was missed). */
  readonly scheduledAt: number;
  readonly catchUp: boolean;
};

export type SchedulerDeps = {
  readonly clock: Clock;
  /** Shared with the automatic triggers and manual runs: one run per key at a time, retries, reports. */
  readonly executor: RunExecutor;
  readonly lastRuns: LastRunStore;
  readonly report: ReportFn;
  readonly run: (operation: ScheduleOperation, context: ScheduledRunContext) => Promise<RunOutcome>;
  /** IANA zone the entries are read in; the machine's zone when absent. */
  readonly timeZone?: string;
  /**
   * A time noticed later than this (the machine slept, the process stalled) counts as missed, and runs
   * only for entries with catchUp. Default 5 minutes.
   */
  readonly lateGraceMs?: number;
};

/** The timer never sleeps longer than this, so a changed wall clock or a resumed machine is seen soon. */
const MAX_SLEEP_MS = 60 * 60_000;

/**
 * Fires schedule entries at their times. Two triggers of one operation never run at once: the
 * executor's gate coalesces a trigger that arrives during a run into one follow-up run. Times that
 * passed while the app was closed run once at start for entries with catchUp, and are reported as
 * missed otherwise. An occurrence is recorded as handled when it fires, before its run finishes, so
 * a crash mid-run does not repeat it at the next start.
 */
export class Scheduler {
  private entries: ReadonlyArray<ScheduleEntry> = [];
  private readonly next = new Map<string, number | null>();
  private timer: TimerHandle | null = null;
  private started = false;
  private readonly inFlight = new Set<Promise<RunOutcome>>();

  constructor(private readonly deps: SchedulerDeps) {}

  /** Replaces the entries (after an edit); entries that are new or newly enabled start from now. */
  setEntries(entries: ReadonlyArray<ScheduleEntry>): void {
    const before = new Map(this.entries.map((e) => [e.id, e]));
    const ids = new Set(entries.map((e) => e.id));
    for (const id of before.keys()) {
      if (ids.has(id)) continue;
      this.next.delete(id);
      this.deps.lastRuns.delete(id);
    }
    this.entries = [...entries];
    if (!this.started) return;
    const now = this.deps.clock.now();
    for (const entry of this.entries) {
      const old = before.get(entry.id);
      if (!old || (entry.enabled && !old.enabled) || this.deps.lastRuns.get(entry.id) === undefined)
        this.deps.lastRuns.set(entry.id, now);
      this.next.set(entry.id, entry.enabled ? nextRunAfter(entry.time, now, this.deps.timeZone) : null);
    }
    this.arm();
  }

  /** Runs the catch-up of missed times, then waits for the next one. */
  start(): void {
    if (this.started) return;
    this.started = true;
    const now = this.deps.clock.now();
    const { lastRuns, timeZone } = this.deps;
    for (const entry of this.entries) {
      const handled = lastRuns.get(entry.id);
      if (entry.enabled && handled !== undefined) {
        const missedAt = nextRunAfter(entry.time, handled, timeZone);
        if (missedAt !== null && missedAt <= now) this.missed(entry, missedAt, now);
      }
      lastRuns.set(entry.id, now);
      this.next.set(entry.id, entry.enabled ? nextRunAfter(entry.time, now, timeZone) : null);
    }
    this.arm();
  }

  /** Stops firing; runs under way go on (await idle() for them). */
  stop(): void {
    this.started = false;
    if (this.timer !== null) this.deps.clock.clearTimer(this.timer);
    this.timer = null;
  }

  /** Resolves when every run this scheduler started has finished (retries included). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** When an entry fires next (epoch ms), null when disabled, never again, or not started. */
  nextRunOf(entryId: string): number | null {
    return this.next.get(entryId) ?? null;
  }

  private missed(entry: ScheduleEntry, missedAt: number, now: number): void {
    const key = operationKey(entry.operation);
    if (entry.catchUp) {
      this.deps.report({ type: 'catch-up', key, entryId: entry.id, missedAt });
      this.fire(entry, missedAt, true);
    } else {
      this.deps.report({ type: 'missed', key, entryId: entry.id, scheduledAt: missedAt });
    }
    this.deps.lastRuns.set(entry.id, now);
  }

  private tick(): void {
    this.timer = null;
    if (!this.started) return;
    const now = this.deps.clock.now();
    const grace = this.deps.lateGraceMs ?? 5 * 60_000;
    for (const entry of this.entries) {
      const due = this.next.get(entry.id);
      if (!entry.enabled || due === null || due === undefined || due > now) continue;
      if (now - due > grace) this.missed(entry, due, now);
      else {
        this.deps.lastRuns.set(entry.id, now);
        this.fire(entry, due, false);
      }
      this.next.set(entry.id, nextRunAfter(entry.time, now, this.deps.timeZone));
    }
    this.arm();
  }

  private arm(): void {
    const { clock } = this.deps;
    if (this.timer !== null) clock.clearTimer(this.timer);
    this.timer = null;
    if (!this.started) return;
    let earliest: number | null = null;
    for (const at of this.next.values())
      if (at !== null && (earliest === null || at < earliest)) earliest = at;
    if (earliest === null) return;
    const delay = Math.min(Math.max(0, earliest - clock.now()), MAX_SLEEP_MS);
    this.timer = clock.setTimer(delay, () => this.tick());
  }

  private fire(entry: ScheduleEntry, scheduledAt: number, catchUp: boolean): void {
    const { operation } = entry;
    const context: ScheduledRunContext = { entryId: entry.id, scheduledAt, catchUp };
    const run = this.deps.executor.execute(
      operationKey(operation),
      'schedule',
      () => this.deps.run(operation, context),
      {
        entryId: entry.id,
      },
    );
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run));
  }
}
