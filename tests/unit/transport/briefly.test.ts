import { describe, expect, it } from 'vitest';
import { briefly } from '../../../src-main/transport/process-util.js';

describe('briefly', () => {
  it('keeps a short stderr as it is, trimmed', () => {
    expect(briefly('  tar: x: Cannot open\n')).toBe('tar: x: Cannot open');
    expect(briefly('')).toBe('');
  });

  it('keeps the first lines of a long one and says how many more there were', () => {
    const lines = Array.from(
      { length: 2000 },
      (_, i) => `tar: ./f${i}: Cannot write: No space left on device`,
    );
    const out = briefly(lines.join('\n'));
    expect(out.split('\n')).toEqual([lines[0], lines[1], lines[2], '(and 1997 more lines)']);
  });

  it('cuts an overlong line', () => {
    const out = briefly('x'.repeat(5000));
    expect(out).toHaveLength(301);
    expect(out.endsWith('…')).toBe(true);
  });
});
