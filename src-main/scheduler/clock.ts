/** An opaque timer handle: whatever the clock's setTimer returned. */
export type TimerHandle = unknown;

/**
 * Time as the scheduler and triggers see it. Injected so tests move time forward by hand instead of
 * waiting, and so nothing in them reads Date.now() or setTimeout directly.
 */
export type Clock = {
  now(): number;
  setTimer(ms: number, fn: () => void): TimerHandle;
  clearTimer(handle: TimerHandle): void;
};

/** Node's setTimeout caps delays at 2^31-1 ms; longer waits must be split by the caller. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer: (ms, fn) => setTimeout(fn, Math.max(0, Math.min(ms, MAX_TIMER_MS))),
  clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** A wait on the clock that ends early (resolving false) when the signal aborts. */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => {
      clock.clearTimer(handle);
      resolve(false);
    };
    const handle = clock.setTimer(ms, () => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
