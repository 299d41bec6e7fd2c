import type { RolloutOrder } from '../../src-shared/model/sync.js';

export type RolloutPolicy = {
  readonly order: RolloutOrder;
  /** Destinations applied at once ('all' and the rest after a canary); 'one-at-a-time' is 1. */
  readonly parallel: number;
  /** Once this many destinations failed, no further one starts (those under way finish); 0: never stop. */
  readonly stopAfterFailures: number;
};

/**
 * Why the roll-out stopped, kept across the items of one run: a later item starts no destination once
 * an earlier one stopped the roll-out, and failures add up over the run.
 */
export type RolloutState = { failures: number; stopped: string | null };

export function newRolloutState(): RolloutState {
  return { failures: 0, stopped: null };
}

/**
 * Runs `work` over the destinations in roll-out order and returns the results in their order. A
 * destination not started because the roll-out stopped gets `notStarted(item, why)` instead: it is
 * never touched, and its report says why.
 */
export async function rollOut<T, R>(
  items: ReadonlyArray<T>,
  policy: RolloutPolicy,
  state: RolloutState,
  work: (item: T) => Promise<R>,
  failed: (result: R) => boolean,
  notStarted: (item: T, why: string) => R,
  labelOf: (item: T) => string,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  const settle = (i: number, r: R) => {
    out[i] = r;
    if (!failed(r)) return;
    state.failures++;
    if (policy.stopAfterFailures > 0 && state.failures >= policy.stopAfterFailures && !state.stopped)
      state.stopped = `The roll-out stopped after ${state.failures} failed destination${state.failures === 1 ? '' : 's'} (stop after ${policy.stopAfterFailures}); this one was not started.`;
  };
  let next = 0;
  if (policy.order === 'canary' && items.length > 0 && !state.stopped) {
    const canary = items[0] as T;
    const r = await work(canary);
    settle(0, r);
    if (failed(r))
      state.stopped ??= `The canary "${labelOf(canary)}" failed, so the other destinations were not started.`;
    next = 1;
  }
  const limit = policy.order === 'one-at-a-time' ? 1 : Math.max(1, policy.parallel);
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      const item = items[i] as T;
      if (state.stopped) {
        out[i] = notStarted(item, state.stopped);
        continue;
      }
      settle(i, await work(item));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length - next)) }, worker));
  return out;
}
