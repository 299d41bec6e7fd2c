import { z } from 'zod';
import { autoSyncTrigger, scheduleEntry, scheduleTime } from '../../model/schedule.js';

/** An entry as the Schedules view shows it: with its cron form, its reading in words and its next run. */
export const scheduleEntryView = scheduleEntry.extend({
  cron: z.string(),
  reading: z.string(),
  /** Epoch ms; null when disabled or when it never matches again. */
  nextRunAt: z.number().nullable(),
});

/** `schedules.*`: CTPView-style schedule entries of the scheduled operations. */
export const scheduleMethods = {
  'schedules.list': {
    input: z.object({}).strict(),
    output: z.object({ timeZone: z.string(), entries: z.array(scheduleEntryView) }),
  },
  /** Adds the entry, or replaces the one with the same id. */
  'schedules.save': {
    input: scheduleEntry.strict(),
    output: scheduleEntryView,
  },
  'schedules.remove': {
    input: z.object({ id: z.string().min(1) }).strict(),
    output: z.object({ removed: z.boolean() }),
  },
  /** The reading and next runs of a time being edited, before it is saved. */
  'schedules.preview': {
    input: z.object({ time: scheduleTime, count: z.number().int().min(1).max(20).default(5) }).strict(),
    output: z.object({ cron: z.string(), reading: z.string(), nextRuns: z.array(z.number()) }),
  },
  /** Automatic synchronization per sync set (Off, On change, Every N seconds); sets never set are Off. */
  'autoSync.list': {
    input: z.object({}).strict(),
    output: z.object({
      /** Whether this process runs the triggers (the CLI does only in `configsync scheduler`). */
      running: z.boolean(),
      sets: z.array(z.object({ setId: z.string(), setName: z.string(), trigger: autoSyncTrigger })),
    }),
  },
  'autoSync.set': {
    input: z.object({ setId: z.string().min(1), trigger: autoSyncTrigger }).strict(),
    output: z.object({ setId: z.string(), trigger: autoSyncTrigger }),
  },
} as const;
