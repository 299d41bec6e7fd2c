import { describe, expect, it } from 'vitest';
import { splitForStreams } from '../../../src-main/engine/stage.js';

const files = (sizes: number[]) =>
  sizes.map((size, i) => ({ path: `d/f${String(i).padStart(4, '0')}`, size }));

describe('splitForStreams', () => {
  it('keeps every path once, in order, in neighbouring runs of about equal weight', () => {
    const ws = files(Array.from({ length: 1000 }, (_, i) => (i % 10) * 1000));
    const parts = splitForStreams(ws, 2);
    expect(parts).toHaveLength(2);
    expect(parts.flat()).toEqual(ws);
    const weight = (p: typeof ws) => p.reduce((n, w) => n + w.size + 4096, 0);
    const [x, y] = parts.map(weight) as [number, number];
    expect(Math.abs(x - y) / (x + y)).toBeLessThan(0.02);
  });

  it('gives one part for one stream, and never an empty part', () => {
    const ws = files([5, 5, 5]);
    expect(splitForStreams(ws, 1)).toEqual([ws]);
    expect(splitForStreams(files([1]), 2)).toEqual([files([1])]);
    expect(splitForStreams([], 2)).toEqual([]);
  });

  it('weighs a big file by its bytes: it does not share a half with many others', () => {
    const ws = files([10_000_000, ...Array.from({ length: 100 }, () => 100)]);
    const parts = splitForStreams(ws, 2);
    expect(parts[0]).toEqual([ws[0]]);
    expect(parts[1]).toHaveLength(100);
  });
});
