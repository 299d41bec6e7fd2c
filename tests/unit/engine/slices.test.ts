import { describe, expect, it } from 'vitest';
import { performance } from 'node:perf_hooks';
import { every, runAtOnce, runSliced, sortStrings, turn } from '../../../src-main/slices.js';
import { longestBlock } from '../../support/event-loop.js';
import { plan, planSliced } from '../../../src-main/engine/plan.js';
import type { FileEntry, FileIndex, PlanOptions } from '../../../src-shared/model/sync.js';

/** A deterministic stream of numbers in [0, 1). */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Busy work of about `ms` milliseconds. */
const spin = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};

describe('slices', () => {
  it('sortStrings sorts as Array.prototype.sort does (UTF-16 code units), odd names and duplicates too', () => {
    const rnd = mulberry32(7);
    const alphabet = ['a', 'B', 'z', '/', '.', '-', ' ', '\t', 'é', '日', '\u{1f600}', '\uffff', '0', '~'];
    for (const n of [0, 1, 2, 4095, 4096, 4097, 20_000]) {
      const items = Array.from({ length: n }, () =>
        Array.from(
          { length: 1 + Math.floor(rnd() * 6) },
          () => alphabet[Math.floor(rnd() * alphabet.length)],
        ).join(''),
      );
      expect(runAtOnce(sortStrings(items))).toEqual([...items].sort());
    }
  });

  it('a sliced loop gives the event loop its turns; works sliced at once take one slice per turn', async () => {
    // Two loops of ~200 ms each, at once: without slicing the loop is held 400 ms; with it, one slice.
    function* steps(): Generator<void, void> {
      for (let i = 0; i < 20_000; i++) {
        spin(0.01);
        if (every(i)) yield;
      }
    }
    const work = () => runSliced(steps(), 10);
    const { blockMs: gap } = await longestBlock(() => Promise.all([work(), work()]));
    // One slice (10 ms, checked every 512 steps of 10 µs: up to ~15 ms) and the timer's own lateness,
    // which on a shared 2-core machine with other tests beside it reached 40 ms once; held the
    // whole time, the loop would block ~400 ms.
    expect(gap).toBeLessThan(100);
  });

  it('runSliced runs a generator to the same result as runAtOnce, yielding to the loop between slices', async () => {
    function* steps(): Generator<void, number> {
      let sum = 0;
      for (let i = 0; i < 400; i++) {
        spin(0.5);
        sum += i;
        yield;
      }
      return sum;
    }
    let turns = 0;
    const counting = setInterval(() => turns++, 1);
    const sliced = await runSliced(steps(), 10);
    clearInterval(counting);
    expect(sliced).toBe(runAtOnce(steps()));
    expect(turns).toBeGreaterThan(5);
    await turn();
  });

  it('planSliced gives the plan plan() gives, for a large random pair of trees', async () => {
    const rnd = mulberry32(11);
    const T = 1_700_000_000_000;
    const tree = (keep: number): FileEntry[] => {
      const out: FileEntry[] = [];
      for (let g = 0; g < 30; g++) {
        if (rnd() > keep) continue;
        out.push({ path: `g${g}`, type: 'dir', size: 0, mtimeMs: T, mode: 0o755 });
        for (let i = 0; i < 300; i++)
          if (rnd() < keep)
            out.push({
              path: `g${g}/f${i}`,
              type: 'file',
              size: Math.floor(rnd() * 3),
              mtimeMs: T + Math.floor(rnd() * 2) * 5000,
              mode: rnd() < 0.9 ? 0o644 : 0o600,
            });
      }
      return out.sort((a, b) => (a.path < b.path ? -1 : 1));
    };
    const idx = (root: string, entries: FileEntry[]): FileIndex => ({ root, exists: true, entries });
    const options: PlanOptions = { mode: 'mirror', compare: 'time-size', toleranceMs: 2000 };
    const s = idx('/s', tree(0.9));
    const d = idx('/d', tree(0.9));
    // Separate copies: plan() and planSliced() each remember their own pair's plan.
    const d2 = idx('/d', [...d.entries]);
    const sliced = await planSliced(s, d, options);
    expect(sliced.entries.length).toBeGreaterThan(5000);
    expect(sliced).toEqual(plan(s, d2, options));
  });
});
