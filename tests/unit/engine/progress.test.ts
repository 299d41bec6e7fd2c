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

  it('a phase that runs under another is shown once that one is done, where it has got to, never going back', () => {
    vi.useFakeTimers({ now: 0 });
    const got: Progress[] = [];
    const r = new ProgressReporter({ runId: 'r', destination: 'd', filesTotal: 0, bytesTotal: 0 }, (p) =>
      got.push({ ...p }),
    );
    r.phase('backing-up', { filesTotal: 4, bytesTotal: 400 });
    const transfer = r.later('transferring', { filesTotal: 10, bytesTotal: 1000 });
    transfer.update({ filesDone: 3, bytesDone: 300, currentPath: 'c' });
    vi.advanceTimersByTime(200);
    r.update({ filesDone: 4, bytesDone: 400 });
    transfer.update({ filesDone: 6, bytesDone: 600, currentPath: 'f' });
    vi.runAllTimers();
    // Until then only the backup is shown, and it reaches its end.
    expect(got.every((p) => p.phase === 'backing-up')).toBe(true);
    expect(got.at(-1)).toMatchObject({ filesDone: 4, filesTotal: 4 });
    transfer.show();
    vi.runAllTimers();
    expect(got.at(-1)).toMatchObject({
      phase: 'transferring',
      filesDone: 6,
      filesTotal: 10,
      bytesDone: 600,
      currentPath: 'f',
    });
    vi.advanceTimersByTime(200);
    transfer.update({ filesDone: 10, bytesDone: 1000 });
    vi.runAllTimers();
    expect(got.at(-1)).toMatchObject({ phase: 'transferring', filesDone: 10 });
    const transferring = got.filter((p) => p.phase === 'transferring').map((p) => p.filesDone);
    expect(transferring).toEqual([...transferring].sort((a, b) => a - b));
    transfer.show(); // a second call changes nothing
    expect(got.filter((p) => p.phase === 'transferring' && p.filesDone === 0).length).toBeLessThanOrEqual(1);
  });
});
