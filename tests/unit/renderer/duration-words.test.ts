import { describe, expect, it } from 'vitest';
import { durationWords } from '../../../src-shared/duration-words.js';
import { entriesToCsv } from '../../../src-renderer/wizards/synchronize/export-entries.js';

describe('words for the user', () => {
  it('says a time difference as a person would', () => {
    expect(durationWords(4200)).toBe('4.2 s');
    expect(durationWords(-42_000)).toBe('42 s');
    expect(durationWords(192_000)).toBe('3 min 12 s');
    expect(durationWords(3_600_000)).toBe('1 h');
    expect(durationWords(7_500_000)).toBe('2 h 5 min');
    expect(durationWords(12 * 86_400_000 + 3 * 3_600_000)).toBe('12 days 3 h');
    // The issue's own figure: "differs by 60428945 s".
    expect(durationWords(60_428_945_000)).toBe('1 year 334 days');
  });

  it('names actions in the CSV as the Differences page does', () => {
    const csv = entriesToCsv([
      { path: 'a', action: 'keep', reason: 'same' },
      { path: 'b', action: 'skip-newer-on-destination', reason: 'newer there' },
      { path: 'c', action: 'delete', reason: 'only on the destination' },
    ]);
    expect(
      csv
        .split('\r\n')
        .slice(1, 4)
        .map((l) => l.split(',')[0]),
    ).toEqual(['unchanged', 'skip', 'delete']);
  });
});
