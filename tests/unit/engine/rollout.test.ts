import { describe, expect, it } from 'vitest';
import { newRolloutState, rollOut, type RolloutPolicy } from '../../../src-main/engine/rollout.js';

/** Runs the roll-out over named destinations; `fails` fail. Records the most that were in flight at once. */
async function roll(policy: RolloutPolicy, names: string[], fails: ReadonlySet<string>) {
  let inFlight = 0;
  let most = 0;
  const started: string[] = [];
  const results = await rollOut(
    names,
    policy,
    newRolloutState(),
    async (n) => {
      started.push(n);
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      return { n, ok: !fails.has(n), why: '' };
    },
    (r) => !r.ok,
    (n, why) => ({ n, ok: false, why }),
    (n) => n,
  );
  return { results, most, started };
}

describe('roll-out order', () => {
  const names = ['a', 'b', 'c', 'd', 'e', 'f'];

  it('all at once is bounded by parallel; one at a time is one', async () => {
    expect((await roll({ order: 'all', parallel: 3, stopAfterFailures: 0 }, names, new Set())).most).toBe(3);
    expect(
      (await roll({ order: 'one-at-a-time', parallel: 3, stopAfterFailures: 0 }, names, new Set())).most,
    ).toBe(1);
  });

  it('canary: the first alone, then the rest; a failed canary starts nothing else', async () => {
    const ok = await roll({ order: 'canary', parallel: 4, stopAfterFailures: 0 }, names, new Set());
    expect(ok.started[0]).toBe('a');
    expect(ok.started).toHaveLength(6);
    const bad = await roll({ order: 'canary', parallel: 4, stopAfterFailures: 0 }, names, new Set(['a']));
    expect(bad.started).toEqual(['a']);
    expect(bad.results.slice(1).map((r) => r.why)).toEqual(
      Array(5).fill('The canary "a" failed, so the other destinations were not started.'),
    );
  });

  it('stop after N failures: no destination starts after the Nth failure, results stay in order', async () => {
    const r = await roll(
      { order: 'one-at-a-time', parallel: 1, stopAfterFailures: 2 },
      names,
      new Set(['b', 'c', 'e']),
    );
    expect(r.started).toEqual(['a', 'b', 'c']);
    expect(r.results.map((x) => x.n)).toEqual(names);
    expect(r.results[3]?.why).toMatch(/stopped after 2 failed destinations/);
    // 0 never stops.
    const all = await roll(
      { order: 'all', parallel: 2, stopAfterFailures: 0 },
      names,
      new Set(['a', 'b', 'c']),
    );
    expect(all.started).toHaveLength(6);
  });
});
