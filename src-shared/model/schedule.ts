import { z } from 'zod';
import { assertNever } from '../assert-never.js';

/**
 * Schedules are written CTPView-style: five fields [minute, hour, day, month, weekday], each a number
 * or 'ANY'. [0, 1, ANY, ANY, ANY] is 01:00 every day; [30, 16, 8, ANY, ANY] is 16:30 on the 8th.
 * Weekday 0 is Sunday. When both day and weekday are given, either one matching is enough (as in cron).
 */
export const ANY = 'ANY' as const;

function field(name: string, min: number, max: number) {
  const message = `${name} must be ${min}–${max} or ANY`;
  return z.union([z.literal(ANY), z.number(message).int(message).min(min, message).max(max, message)], {
    error: message,
  });
}

export const scheduleMinute = field('minute', 0, 59);
export const scheduleHour = field('hour', 0, 23);
export const scheduleDay = field('day', 1, 31);
export const scheduleMonth = field('month', 1, 12);
export const scheduleWeekday = field('weekday', 0, 6);

const monthNames = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
/** The most days a month ever has (February counts its leap day: an entry on the 29th runs in leap years). */
const maxDaysInMonth = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** [minute, hour, day, month, weekday]; a date that never exists (31 April, 30 February) is refused. */
export const scheduleTime = z
  .tuple([scheduleMinute, scheduleHour, scheduleDay, scheduleMonth, scheduleWeekday])
  .superRefine(([, , day, month, weekday], ctx) => {
    if (day === ANY || month === ANY || weekday !== ANY) return;
    const max = maxDaysInMonth[month - 1] ?? 31;
    if (day > max)
      ctx.addIssue({
        code: 'custom',
        path: [2],
        message: `day ${day} never occurs in ${monthNames[month - 1]}`,
      });
  });
export type ScheduleTime = z.infer<typeof scheduleTime>;

const id = z.string().trim().min(1).max(64);

/** What an entry runs. The key of an operation (see operationKey) is what may never run twice at once. */
export const scheduleOperation = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('sync-set'), setId: id }),
  z.object({ kind: z.literal('backup-config') }),
  z.object({ kind: z.literal('health-check') }),
  z.object({ kind: z.literal('drift-check') }),
]);
export type ScheduleOperation = z.infer<typeof scheduleOperation>;
export type OperationKind = ScheduleOperation['kind'];

/** One scheduled time of one operation; an operation may have several entries. */
export const scheduleEntry = z.object({
  id,
  operation: scheduleOperation,
  time: scheduleTime,
  /** Run once at start when a time passed while the app was closed. */
  catchUp: z.boolean().default(false),
  enabled: z.boolean().default(true),
});
export type ScheduleEntry = z.output<typeof scheduleEntry>;

/** The run-gate key of a sync set: scheduler, automatic triggers and manual runs all use this one. */
export function syncSetKey(setId: string): string {
  return `sync-set:${setId}`;
}

/** The key under which runs of an operation are serialised (never two at once). */
export function operationKey(op: ScheduleOperation): string {
  switch (op.kind) {
    case 'sync-set':
      return syncSetKey(op.setId);
    case 'backup-config':
    case 'health-check':
    case 'drift-check':
      return op.kind;
    default:
      return assertNever(op);
  }
}

/**
 * Automatic synchronization of a sync set: 'off'; 'on-change' (local source watched, remote source
 * watched with inotifywait or polled by listing signature); or {every: seconds}, a run every period
 * whatever changed, which also repairs files edited behind the app's back on a secondary.
 */
export const autoSyncTrigger = z.union([
  z.literal('off'),
  z.literal('on-change'),
  z.object({
    every: z
      .number()
      .int()
      .min(5, 'every must be at least 5 seconds')
      .max(7 * 86_400, 'every must be at most 7 days'),
  }),
]);
export type AutoSyncTrigger = z.infer<typeof autoSyncTrigger>;
