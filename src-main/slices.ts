import { performance } from 'node:perf_hooks';

/**
 * The longest stretch of work a loop over a large tree (100,000s of entries: scanning, sorting,
 * planning) runs before it gives the event loop a turn. The main process serves the app's window, its
 * IPC and the sockets of every other run on that one loop, so a plan of a large tree must not hold it
 * (the bench measures the longest block during a 100k-file plan; the target is 50 ms).
 */
export const SLICE_MS = 5;

/** How many steps a loop takes between looks at the clock (a look costs about as much as a step). */
const STEPS = 512;

/** Works waiting for their next slice, served one per turn of the event loop, in order. */
const waiting: Array<() => void> = [];
let pumping = false;

function pump(): void {
  const next = waiting.shift();
  pumping = waiting.length > 0;
  if (pumping) setImmediate(pump);
  next?.();
}

/**
 * One turn of the event loop: what is waiting (I/O, timers, IPC) runs before the work goes on. Works
 * that slice at once (the source's scan beside each destination's) take turns, one slice per turn of
 * the loop: ten scans at once hold it no longer than one.
 */
export function turn(): Promise<void> {
  return new Promise((resolve) => {
    waiting.push(resolve);
    if (!pumping) {
      pumping = true;
      setImmediate(pump);
    }
  });
}

/**
 * Work written as a generator that yields between steps (a pure function keeps its synchronous form):
 * run to its end at once.
 */
export function runAtOnce<T>(work: Generator<void, T>): T {
  for (;;) {
    const r = work.next();
    if (r.done) return r.value;
  }
}

/** The same work, giving the event loop a turn about every `sliceMs`. */
export async function runSliced<T>(work: Generator<void, T>, sliceMs = SLICE_MS): Promise<T> {
  let since = performance.now();
  for (;;) {
    const r = work.next();
    if (r.done) return r.value;
    if (performance.now() - since >= sliceMs) {
      await turn();
      since = performance.now();
    }
  }
}

/** Yields every STEPS-th call: `if (every(i)) yield;` in a generator's loop. */
export const every = (i: number): boolean => i % STEPS === STEPS - 1;

/**
 * Strings sorted by UTF-16 code units (as Array.prototype.sort without a comparator), in slices: runs
 * of about 4,096 are sorted natively, then merged pairwise, yielding between steps. A sort of 100,000
 * paths at once held the event loop for 15–70 ms here.
 */
export function* sortStrings(items: ReadonlyArray<string>): Generator<void, string[]> {
  const RUN = 4096;
  let runs: string[][] = [];
  for (let i = 0; i < items.length; i += RUN) {
    runs.push(items.slice(i, i + RUN).sort());
    yield;
  }
  if (runs.length === 0) return [];
  while (runs.length > 1) {
    const next: string[][] = [];
    for (let r = 0; r < runs.length; r += 2) {
      const a = runs[r] as string[];
      const b = runs[r + 1];
      if (!b) {
        next.push(a);
        continue;
      }
      const out = new Array<string>(a.length + b.length);
      let i = 0;
      let j = 0;
      let k = 0;
      while (i < a.length && j < b.length) {
        const x = a[i] as string;
        const y = b[j] as string;
        out[k++] = y < x ? (j++, y) : (i++, x);
        if (every(k)) yield;
      }
      while (i < a.length) out[k++] = a[i++] as string;
      while (j < b.length) out[k++] = b[j++] as string;
      next.push(out);
      yield;
    }
    runs = next;
  }
  return runs[0] as string[];
}
