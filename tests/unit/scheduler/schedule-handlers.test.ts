import { describe, expect, it } from 'vitest';
import { scheduleHandlers } from '../../../src-main/scheduler/schedule-handlers.js';
import { Scheduler } from '../../../src-main/scheduler/scheduler.js';
import { RunExecutor } from '../../../src-main/scheduler/run-executor.js';
import { RunGate } from '../../../src-main/scheduler/run-gate.js';
import { MemoryLastRunStore } from '../../../src-main/scheduler/last-run-store.js';
import type { RunOutcome } from '../../../src-main/scheduler/run-outcome.js';
import { scheduleMethods } from '../../../src-shared/contract/methods/schedules.js';
import { ANY, type ScheduleEntry, type ScheduleOperation } from '../../../src-shared/model/schedule.js';
import { FakeClock } from './fake-clock.js';

describe('schedules.* handlers', () => {
  it('save / list / preview / remove, with readings and next runs, and the scheduler follows', async () => {
    const clock = new FakeClock(Date.parse('2025-06-10T00:30:00Z'));
    let saved: ReadonlyArray<ScheduleEntry> = [];
    const ran: ScheduleOperation[] = [];
    const scheduler = new Scheduler({
      clock,
      executor: new RunExecutor({ clock, gate: new RunGate<RunOutcome>(), report: () => undefined }),
      lastRuns: new MemoryLastRunStore(),
      report: () => undefined,
      timeZone: 'UTC',
      run: async (op) => (ran.push(op), { result: 'ok', message: '' }),
    });
    scheduler.start();
    const h = scheduleHandlers({
      storage: { load: () => saved, save: (e) => (saved = e) },
      scheduler,
      clock,
      timeZone: () => 'UTC',
    });

    const input = scheduleMethods['schedules.save'].input.parse({
      id: 'nightly',
      operation: { kind: 'sync-set', setId: 'web' },
      time: [0, 1, ANY, ANY, ANY],
    });
    const view = await h['schedules.save'](input);
    expect(scheduleMethods['schedules.save'].output.parse(view)).toMatchObject({
      cron: '0 1 * * *',
      reading: 'At 01:00 AM',
      nextRunAt: Date.parse('2025-06-10T01:00:00Z'),
      catchUp: false,
    });
    expect((await h['schedules.list']({})).entries.map((e) => e.id)).toEqual(['nightly']);

    const preview = await h['schedules.preview']({ time: [30, 16, 8, ANY, ANY], count: 2 });
    expect(preview).toEqual({
      cron: '30 16 8 * *',
      reading: 'At 04:30 PM, on day 8 of the month',
      nextRuns: [Date.parse('2025-07-08T16:30:00Z'), Date.parse('2025-08-08T16:30:00Z')],
    });

    await clock.advanceTo('2025-06-10T01:00:00Z');
    expect(ran).toEqual([{ kind: 'sync-set', setId: 'web' }]);

    expect(await h['schedules.remove']({ id: 'nightly' })).toEqual({ removed: true });
    expect(await h['schedules.remove']({ id: 'nightly' })).toEqual({ removed: false });
    expect(saved).toEqual([]);
    await clock.advanceTo('2025-06-12T00:00:00Z');
    expect(ran).toHaveLength(1);
  });

  it('the save input refuses an out-of-range field with the field named', () => {
    const r = scheduleMethods['schedules.save'].input.safeParse({
      id: 'x',
      operation: { kind: 'health-check' },
      time: [0, 25, ANY, ANY, ANY],
    });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toBe('hour must be 0–23 or ANY');
  });
});
