import { Cron } from 'croner';
import { toString as describeCron } from 'cronstrue';
import { ANY, type ScheduleTime } from '../../src-shared/model/schedule.js';

/** The five-field cron expression of a CTPView-style entry ('ANY' becomes '*'). */
export function toCronExpression(time: ScheduleTime): string {
  return time.map((f) => (f === ANY ? '*' : String(f))).join(' ');
}

/** The entry in words, e.g. "At 01:00 AM" or "At 04:30 PM, on day 8 of the month" (cronstrue). */
export function describeScheduleTime(time: ScheduleTime): string {
  return describeCron(toCronExpression(time), { throwExceptionOnParseError: true });
}

function cronOf(time: ScheduleTime, timeZone: string | undefined): Cron {
  // No callback: croner only computes dates and starts no timer.
  return new Cron(toCronExpression(time), { mode: '5-part', ...(timeZone ? { timezone: timeZone } : {}) });
}

/**
 * The first time strictly after `afterMs` the entry matches, in `timeZone` (an IANA name; the
 * machine's zone when absent), or null when it never matches again. Computed by croner.
 */
export function nextRunAfter(time: ScheduleTime, afterMs: number, timeZone?: string): number | null {
  return cronOf(time, timeZone).nextRun(new Date(afterMs))?.getTime() ?? null;
}

/** The next `count` times after `afterMs`, for showing an entry's upcoming runs. */
export function nextRunsAfter(
  time: ScheduleTime,
  afterMs: number,
  count: number,
  timeZone?: string,
): number[] {
  return cronOf(time, timeZone)
    .nextRuns(count, new Date(afterMs))
    .map((d) => d.getTime());
}

/** True when `timeZone` is an IANA zone name this runtime knows. */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}
