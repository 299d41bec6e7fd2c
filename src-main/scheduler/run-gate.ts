import { AppError } from '../errors/app-error.js';
import { assertNever } from '../../src-shared/assert-never.js';

type Deferred<T> = { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void };

function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

type Slot<T> = { running: Promise<T>; followUp: { task: () => Promise<T>; done: Deferred<T> } | null };

/**
 * What to do when a run of the same key is under way:
 * - 'coalesce': wait and run once more after it. All triggers that arrive during one run share ONE
 *   follow-up run (the last task given is the one run), so a burst of triggers costs at most one
 *   extra run, and a change made during a run is never missed.
 * - 'reject': fail at once with RUN_IN_PROGRESS (a manual run the user is waiting on).
 */
export type WhenBusy = 'coalesce' | 'reject';

/**
 * One run at a time per key (a sync set, or an operation like 'backup-config'). The scheduler, the
 * automatic triggers and manual runs share one gate, so a watcher burst overlapping a scheduled run
 * never gives two concurrent runs of one set.
 */
export class RunGate<T> {
  private readonly slots = new Map<string, Slot<T>>();

  isBusy(key: string): boolean {
    return this.slots.has(key);
  }

  /** Keys with a run under way. */
  busyKeys(): string[] {
    return [...this.slots.keys()];
  }

  run(key: string, task: () => Promise<T>, whenBusy: WhenBusy = 'coalesce'): Promise<T> {
    const slot = this.slots.get(key);
    if (!slot) return this.start(key, task);
    switch (whenBusy) {
      case 'reject':
        return Promise.reject(
          new AppError(
            'RUN_IN_PROGRESS',
            `A run of ${key} is already in progress; try again when it has finished.`,
          ),
        );
      case 'coalesce':
        if (slot.followUp) {
          slot.followUp.task = task;
          return slot.followUp.done.promise;
        }
        slot.followUp = { task, done: deferred<T>() };
        return slot.followUp.done.promise;
      default:
        return assertNever(whenBusy);
    }
  }

  /** Resolves when no run (and no follow-up) of any key is left. */
  async drain(): Promise<void> {
    for (;;) {
      const slot = this.slots.values().next();
      if (slot.done) return;
      await slot.value.running.catch(() => undefined);
      await Promise.resolve();
    }
  }

  private start(key: string, task: () => Promise<T>): Promise<T> {
    const slot: Slot<T> = { running: Promise.resolve().then(task), followUp: null };
    this.slots.set(key, slot);
    // Registered before the caller sees the promise, so the slot is freed (or handed to the follow-up)
    // before any caller's continuation can trigger again.
    slot.running
      .finally(() => {
        this.slots.delete(key);
        const next = slot.followUp;
        if (next) this.start(key, next.task).then(next.done.resolve, next.done.reject);
      })
      .catch(() => undefined);
    return slot.running;
  }
}
