import { describe, expect, it } from 'vitest';
import {
  describeScheduleTime,
  nextRunAfter,
  nextRunsAfter,
  toCronExpression,
} from '../../../src-main/scheduler/cron.js';
import { ANY, scheduleEntry, scheduleTime, type ScheduleTime } from '../../../src-shared/model/schedule.js';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

describe('schedule time validation', () => {
  it('accepts numbers in range and ANY', () => {
    expect(scheduleTime.parse([0, 1, ANY, ANY, ANY])).toEqual([0, 1, 'ANY', 'ANY', 'ANY']);
    expect(scheduleTime.parse([59, 23, 31, 12, 6])).toEqual([59, 23, 31, 12, 6]);
  });

  it.each([
    [[60, 1, ANY, ANY, ANY], 'minute must be 0–59 or ANY'],
    [[-1, 1, ANY, ANY, ANY], 'minute must be 0–59 or ANY'],
    [[1.5, 1, ANY, ANY, ANY], 'minute must be 0–59 or ANY'],
    [['*', 1, ANY, ANY, ANY], 'minute must be 0–59 or ANY'],
    [[0, 24, ANY, ANY, ANY], 'hour must be 0–23 or ANY'],
    [[0, 1, 0, ANY, ANY], 'day must be 1–31 or ANY'],
    [[0, 1, 32, ANY, ANY], 'day must be 1–31 or ANY'],
    [[0, 1, ANY, 13, ANY], 'month must be 1–12 or ANY'],
    [[0, 1, ANY, 0, ANY], 'month must be 1–12 or ANY'],
    [[0, 1, ANY, ANY, 7], 'weekday must be 0–6 or ANY'],
    [[0, 1, 31, 4, ANY], 'day 31 never occurs in April'],
    [[0, 1, 30, 2, ANY], 'day 30 never occurs in February'],
  ])('%j is refused with "%s"', (time, message) => {
    const r = scheduleTime.safeParse(time);
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.message)).toEqual([message]);
  });

  it('allows 29 February (leap years) and a day with a weekday in any month', () => {
    expect(scheduleTime.safeParse([0, 0, 29, 2, ANY]).success).toBe(true);
    expect(scheduleTime.safeParse([0, 0, 31, 2, 1]).success).toBe(true);
  });

  it('defaults catchUp off and enabled on', () => {
    const e = scheduleEntry.parse({
      id: 'a',
      operation: { kind: 'health-check' },
      time: [0, 1, ANY, ANY, ANY],
    });
    expect(e).toMatchObject({ catchUp: false, enabled: true });
    expect(
      scheduleEntry.safeParse({ id: 'a', operation: { kind: 'sync-set' }, time: [0, 1, ANY, ANY, ANY] })
        .success,
    ).toBe(false);
  });
});

describe('cron conversion and readings', () => {
  it('turns ANY into * and keeps numbers', () => {
    expect(toCronExpression([0, 1, ANY, ANY, ANY])).toBe('0 1 * * *');
    expect(toCronExpression([30, 16, 8, ANY, ANY])).toBe('30 16 8 * *');
    expect(toCronExpression([15, 9, ANY, ANY, 1])).toBe('15 9 * * 1');
  });

  it('reads entries in words', () => {
    expect(describeScheduleTime([0, 1, ANY, ANY, ANY])).toBe('At 01:00 AM');
    expect(describeScheduleTime([30, 16, 8, ANY, ANY])).toBe('At 04:30 PM, on day 8 of the month');
    expect(describeScheduleTime([15, 9, ANY, ANY, 1])).toBe('At 09:15 AM, only on Monday');
    expect(describeScheduleTime([ANY, ANY, ANY, ANY, ANY])).toBe('Every minute');
  });
});

describe('next run (UTC)', () => {
  const next = (t: ScheduleTime, from: string) => iso(nextRunAfter(t, at(from), 'UTC'));

  it('01:00 every day: later today, or tomorrow once passed; strictly after the reference', () => {
    expect(next([0, 1, ANY, ANY, ANY], '2025-06-10T00:30:00Z')).toBe('2025-06-10T01:00:00.000Z');
    expect(next([0, 1, ANY, ANY, ANY], '2025-06-10T01:00:00Z')).toBe('2025-06-11T01:00:00.000Z');
  });

  it('16:30 on the 8th', () => {
    expect(next([30, 16, 8, ANY, ANY], '2025-06-08T16:31:00Z')).toBe('2025-07-08T16:30:00.000Z');
  });

  it('the 31st skips the months without one', () => {
    expect(
      nextRunsAfter([0, 0, 31, ANY, ANY], at('2025-01-31T00:00:00Z'), 3, 'UTC').map((m) => iso(m)),
    ).toEqual(['2025-03-31T00:00:00.000Z', '2025-05-31T00:00:00.000Z', '2025-07-31T00:00:00.000Z']);
  });

  it('29 February waits for the next leap year', () => {
    expect(next([0, 12, 29, 2, ANY], '2025-01-01T00:00:00Z')).toBe('2028-02-29T12:00:00.000Z');
    expect(next([0, 12, 29, 2, ANY], '2024-02-28T00:00:00Z')).toBe('2024-02-29T12:00:00.000Z');
  });

  it('weekday entries: Mondays 09:15 (2025-06-11 is a Wednesday)', () => {
    expect(
      nextRunsAfter([15, 9, ANY, ANY, 1], at('2025-06-11T10:00:00Z'), 2, 'UTC').map((m) => iso(m)),
    ).toEqual(['2025-06-16T09:15:00.000Z', '2025-06-23T09:15:00.000Z']);
    // Sunday is 0.
    expect(next([0, 8, ANY, ANY, 0], '2025-06-11T10:00:00Z')).toBe('2025-06-15T08:00:00.000Z');
  });

  it('day and weekday both given: either matching is enough (cron rules)', () => {
    // The 20th (a Friday) or any Monday, whichever comes first after Wednesday 11 June.
    expect(
      nextRunsAfter([0, 6, 20, ANY, 1], at('2025-06-11T10:00:00Z'), 3, 'UTC').map((m) => iso(m)),
    ).toEqual(['2025-06-16T06:00:00.000Z', '2025-06-20T06:00:00.000Z', '2025-06-23T06:00:00.000Z']);
  });
});

describe('next run in a named time zone', () => {
  it('01:00 Europe/Berlin is 00:00 UTC in winter and 23:00 UTC the day before in summer', () => {
    expect(iso(nextRunAfter([0, 1, ANY, ANY, ANY], at('2025-01-15T12:00:00Z'), 'Europe/Berlin'))).toBe(
      '2025-01-16T00:00:00.000Z',
    );
    expect(iso(nextRunAfter([0, 1, ANY, ANY, ANY], at('2025-07-15T12:00:00Z'), 'Europe/Berlin'))).toBe(
      '2025-07-15T23:00:00.000Z',
    );
  });

  it('a time skipped by the spring change runs right after the gap, once', () => {
    // 30 March 2025, Berlin: 02:00 CET jumps to 03:00 CEST; 02:30 does not exist that day.
    const runs = nextRunsAfter([30, 2, ANY, ANY, ANY], at('2025-03-29T12:00:00Z'), 2, 'Europe/Berlin').map(
      (m) => iso(m),
    );
    expect(runs).toEqual(['2025-03-30T01:00:00.000Z', '2025-03-31T00:30:00.000Z']);
  });

  it('New York 16:30 on the 8th', () => {
    expect(iso(nextRunAfter([30, 16, 8, ANY, ANY], at('2025-06-01T00:00:00Z'), 'America/New_York'))).toBe(
      '2025-06-08T20:30:00.000Z',
    );
  });
});
