import type { z } from 'zod';
import type { scheduleMethods } from '../../src-shared/contract/methods/schedules.js';
import type { ScheduleEntry } from '../../src-shared/model/schedule.js';
import type { Clock } from './clock.js';
import { describeScheduleTime, nextRunAfter, nextRunsAfter, toCronExpression } from './cron.js';
import type { Scheduler } from './scheduler.js';

type Methods = Pick<
  typeof scheduleMethods,
  'schedules.list' | 'schedules.save' | 'schedules.remove' | 'schedules.preview'
>;
/** The handlers of `schedules.*`, the same shape the router's Handlers type asks for. */
export type ScheduleHandlers = {
  readonly [M in keyof Methods]: (
    input: z.output<Methods[M]['input']>,
  ) => Promise<z.output<Methods[M]['output']>>;
};

/** Where the entries live (the settings store); load/save of the whole list. */
export type ScheduleStorage = {
  load(): ReadonlyArray<ScheduleEntry>;
  save(entries: ReadonlyArray<ScheduleEntry>): void;
};

export type ScheduleHandlerDeps = {
  readonly storage: ScheduleStorage;
  readonly scheduler: Scheduler;
  readonly clock: Clock;
  /** The zone entries are read in (the scheduler's); shown to the user. */
  /** The zone schedules run in (asked when needed). */
  readonly timeZone: () => string;
  /** Refuses an entry whose operation names something that does not exist (an unknown sync set). */
  readonly checkOperation?: (entry: ScheduleEntry) => void;
};

/** `schedules.*` over the storage; every change is handed to the running scheduler at once. */
export function scheduleHandlers(deps: ScheduleHandlerDeps): ScheduleHandlers {
  const view = (entry: ScheduleEntry) => ({
    ...entry,
    cron: toCronExpression(entry.time),
    reading: describeScheduleTime(entry.time),
    // A scheduler that is not running (the one-shot CLI) still says when the entry would fire.
    nextRunAt:
      deps.scheduler.nextRunOf(entry.id) ??
      (entry.enabled ? nextRunAfter(entry.time, deps.clock.now(), deps.timeZone()) : null),
  });
  const store = (entries: ReadonlyArray<ScheduleEntry>) => {
    deps.storage.save(entries);
    deps.scheduler.setEntries(entries);
  };
  return {
    'schedules.list': async () => ({ timeZone: deps.timeZone(), entries: deps.storage.load().map(view) }),
    'schedules.save': async (entry) => {
      deps.checkOperation?.(entry);
      const entries = deps.storage.load();
      const index = entries.findIndex((e) => e.id === entry.id);
      store(index < 0 ? [...entries, entry] : entries.map((e, i) => (i === index ? entry : e)));
      return view(entry);
    },
    'schedules.remove': async ({ id }) => {
      const entries = deps.storage.load();
      const kept = entries.filter((e) => e.id !== id);
      if (kept.length !== entries.length) store(kept);
      return { removed: kept.length !== entries.length };
    },
    'schedules.preview': async ({ time, count }) => ({
      cron: toCronExpression(time),
      reading: describeScheduleTime(time),
      nextRuns: nextRunsAfter(time, deps.clock.now(), count, deps.timeZone()),
    }),
  };
}
