import { afterEach, describe, expect, it, vi } from 'vitest';
import { ProgressReporter } from '../../../src-main/engine/progress.js';
import type { Progress } from '../../../src-shared/model/sync.js';

describe('ProgressReporter', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends at most one sample per 100 ms, the latest one, and every phase change', () => {
    vi.useFakeTimers({ now: 0 });
    const got: Array<Progress & { at: number }> = [];
    const r = new ProgressReporter({ runId: 'r', destination: 'd', filesTotal: 1000, bytesTotal: 1e6 }, (p) =>
      got.push({ ...p, at: Date.now() }),
    );
    r.phase('transferring');
    for (let i = 1; i <= 1000; i++) {
      vi.advanceTimersByTime(1); // 1000 updates over one simulated second
      r.update({ filesDone: i, bytesDone: i * 1000, currentPath: `f${i}` });
    }
    vi.runAllTimers();
    for (let i = 1; i < got.length; i++)
      expect((got[i]?.at ?? 0) - (got[i - 1]?.at ?? 0)).toBeGreaterThanOrEqual(100);
    expect(got.length).toBeLessThanOrEqual(12);
    expect(got.length).toBeGreaterThanOrEqual(9);
    expect(got.at(-1)?.filesDone).toBe(1000);
    expect(got.at(-1)?.currentPath).toBe('f1000');
    expect(got.at(-1)?.bytesPerSecond).toBe(1_000_000);
    expect(got[0]?.phase).toBe('transferring');
    r.phase('swapping');
    expect(got.at(-1)?.phase).toBe('swapping');
  });
});
