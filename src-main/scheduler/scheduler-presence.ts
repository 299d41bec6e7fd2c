import { unwatchFile, watchFile } from 'node:fs';
import { hostname } from 'node:os';
import type { ScheduleEntry } from '../../src-shared/model/schedule.js';
import { nextRunAfter } from './cron.js';
import { SchedulerLease, type SchedulerHolder, type SchedulerKind } from './scheduler-lease.js';

/** Where a store's schedules run, as the status tab and `configsync status` say it. */
export type SchedulerRunner = {
  readonly where: 'this-process' | 'another-process' | 'nowhere';
} & Partial<SchedulerHolder>;

/**
 * This process's side of the one-scheduler-per-store rule: takes the store's lease before its
 * schedules start, remembers who holds it when another process does (refreshed at each retry), and
 * says where the schedules run.
 */
export class SchedulerPresence {
  private readonly lease: SchedulerLease;
  private elsewhere: SchedulerHolder | null = null;
  private mine: SchedulerHolder | null = null;
  private watched: { path: string; listener: () => void } | null = null;

  constructor(
    dataDir: string,
    private kind: SchedulerKind,
    options: { readonly staleMs?: number; readonly retryMs?: number } = {},
  ) {
    this.lease = new SchedulerLease({ dataDir, kind, ...options });
  }

  /** `configsync scheduler --service` says it is the service (before start). */
  setKind(kind: SchedulerKind): void {
    if (this.lease.held) return;
    this.kind = kind;
    this.lease.setKind(kind);
  }

  /** Takes the lease, or notes who holds it; true when this process may run the schedules. */
  async take(onLost: () => void, onYield?: () => void): Promise<boolean> {
    if (await this.lease.acquire(onLost, onYield)) {
      this.elsewhere = null;
      this.mine = { kind: this.kind, pid: process.pid, host: hostname(), since: Date.now() };
      return true;
    }
    this.elsewhere = await this.lease.holder();
    return false;
  }

  /** Stops waiting for the lease (a stopped process). */
  stopWaiting(): void {
    this.lease.stopWaiting();
  }

  /** Reads who holds the lease now (for a process that does not). */
  async refresh(): Promise<void> {
    if (this.lease.held) return;
    this.elsewhere = await this.lease.holder();
  }

  /** Tries again every few seconds; `start` is called when this process may run the schedules. */
  waitForTurn(start: () => Promise<boolean>): void {
    this.lease.waitForTurn(start);
  }

  /**
   * While this process runs the schedules, calls `changed` when the store's file changes (another
   * process saved schedules, sets or servers); checked every `intervalMs` without keeping the process up.
   */
  watchStore(path: string, changed: () => void, intervalMs = 2000): void {
    this.unwatchStore();
    const listener = () => changed();
    watchFile(path, { interval: intervalMs, persistent: false }, listener);
    this.watched = { path, listener };
  }

  unwatchStore(): void {
    if (this.watched) unwatchFile(this.watched.path, this.watched.listener);
    this.watched = null;
  }

  async giveUp(): Promise<void> {
    this.unwatchStore();
    this.mine = null;
    this.elsewhere = null;
    await this.lease.giveUp();
  }

  lost(): void {
    this.unwatchStore();
    this.mine = null;
  }

  runner(running: boolean): SchedulerRunner {
    if (running && this.mine) return { where: 'this-process', ...this.mine };
    if (this.elsewhere) return { where: 'another-process', ...this.elsewhere };
    return { where: 'nowhere' };
  }
}

/** When each enabled entry runs next: the running scheduler's time, or the time it would fire. */
export function nextRunsOf(
  entries: ReadonlyArray<ScheduleEntry>,
  scheduled: (entryId: string) => number | null,
  now: number,
  timeZone: string,
): Array<{ entryId: string; at: number | null }> {
  return entries
    .filter((e) => e.enabled)
    .map((e) => ({ entryId: e.id, at: scheduled(e.id) ?? nextRunAfter(e.time, now, timeZone) }));
}
