import { trace } from '../trace.js';
import type { Progress, RunPhase } from '../../src-shared/model/sync.js';

export const PROGRESS_INTERVAL_MS = 100;

/**
 * Collects progress and hands it on at most once per interval (≤ 10 a second), so a tree of many
 * small files cannot flood the UI; a phase change is always sent at once so no phase goes unseen.
 */
export class ProgressReporter {
  private state: Progress;
  private lastEmit = -Infinity;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private transferStart: number | null = null;

  constructor(
    base: { runId: string; destination: string; filesTotal: number; bytesTotal: number },
    private readonly sink: ((p: Progress) => void) | undefined,
    private readonly now: () => number = Date.now,
  ) {
    this.state = {
      ...base,
      phase: 'preparing',
      filesDone: 0,
      bytesDone: 0,
      currentPath: '',
      bytesPerSecond: 0,
    };
  }

  get current(): Progress {
    return this.state;
  }

  phase(phase: RunPhase, totals?: { filesTotal: number; bytesTotal: number }): void {
    trace(`${this.state.destination}: ${phase}`);
    this.state = { ...this.state, phase, filesDone: 0, bytesDone: 0, currentPath: '', ...(totals ?? {}) };
    this.transferStart = this.now();
    this.emitNow();
  }

  update(change: { filesDone?: number; bytesDone?: number; currentPath?: string }): void {
    const elapsed = this.transferStart === null ? 0 : (this.now() - this.transferStart) / 1000;
    const bytesDone = change.bytesDone ?? this.state.bytesDone;
    this.state = {
      ...this.state,
      ...change,
      bytesPerSecond: elapsed > 0 ? Math.round(bytesDone / elapsed) : 0,
    };
    this.schedule();
  }

  /**
   * A phase that runs now but is shown once `show()` is called (it overlaps the phase shown now): its
   * updates are kept until then, so the bars only move forward and each phase is shown whole.
   */
  later(phase: RunPhase, totals: { filesTotal: number; bytesTotal: number }): LaterPhase {
    let pending: { filesDone?: number; bytesDone?: number; currentPath?: string } = {};
    let shown = false;
    return {
      update: (change) => {
        if (shown) return this.update(change);
        pending = { ...pending, ...change };
      },
      show: () => {
        if (shown) return;
        shown = true;
        this.phase(phase, totals);
        if (Object.keys(pending).length > 0) this.update(pending);
      },
    };
  }

  /** Sends what is pending now (end of a run). */
  flush(): void {
    if (this.timer) this.emitNow();
  }

  private schedule(): void {
    if (!this.sink || this.timer) return;
    const wait = this.lastEmit + PROGRESS_INTERVAL_MS - this.now();
    if (wait <= 0) return this.emitNow();
    this.timer = setTimeout(() => this.emitNow(), wait);
  }

  private emitNow(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.lastEmit = this.now();
    this.sink?.(this.state);
  }
}

/** See ProgressReporter.later. */
export type LaterPhase = {
  update(change: { filesDone?: number; bytesDone?: number; currentPath?: string }): void;
  /** From now on the phase is the one shown, where it has got to. */
  show(): void;
};
