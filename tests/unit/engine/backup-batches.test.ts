import { describe, expect, it } from 'vitest';
import { backupBatches } from '../../../src-main/engine/backup.js';

const files = (n: number, size: number) => Array.from({ length: n }, (_, i) => ({ path: `f${i}`, size }));

describe('backupBatches: the backup copied in a few bulk commands, each a progress point', () => {
  it('keeps a small backup to one command', () => {
    expect(backupBatches(files(150, 1000))).toHaveLength(1);
    expect(backupBatches(files(1, 5 * 1024 * 1024))).toHaveLength(1);
    expect(backupBatches([])).toEqual([]);
  });

  it('splits a large one in at most 8 batches, every entry once and in order', () => {
    const items = files(2000, 1024);
    const batches = backupBatches(items);
    expect(batches.length).toBeGreaterThan(1);
    expect(batches.length).toBeLessThanOrEqual(8);
    expect(batches.flat()).toEqual(items);
    for (const b of batches) expect(b.length).toBeGreaterThanOrEqual(200);
  });

  it('splits by bytes: a few large files get batches of their own', () => {
    const items = [
      ...files(10, 100),
      { path: 'big1', size: 40e6 },
      { path: 'big2', size: 40e6 },
      ...files(10, 100),
    ];
    const batches = backupBatches(items);
    expect(batches.length).toBeGreaterThan(1);
    expect(batches.flat()).toEqual(items);
    expect(batches.some((b) => b.some((e) => e.path === 'big1') && b.some((e) => e.path === 'big2'))).toBe(
      false,
    );
  });
});
