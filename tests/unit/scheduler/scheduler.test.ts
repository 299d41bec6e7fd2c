import { describe, expect, it } from 'vitest';
import { Scheduler, type ScheduledRunContext } from '../../../src-main/scheduler/scheduler.js';
import { RunExecutor } from '../../../src-main/scheduler/run-executor.js';
import { RunGate } from '../../../src-main/scheduler/run-gate.js';
import { MemoryLastRunStore } from '../../../src-main/scheduler/last-run-store.js';
import type { RunEvent, RunOutcome } from '../../../src-main/scheduler/run-outcome.js';
import { ANY, type ScheduleEntry, type ScheduleOperation } from '../../../src-shared/model/schedule.js';
import { FakeClock, settle } from './fake-clock.js';

type Call = { op: ScheduleOperation; ctx: ScheduledRunContext; at: string };

function setup(
  start: string,
  options: { timeZone?: string; store?: MemoryLastRunStore; run?: () => Promise<RunOutcome> } = {},
) {
  const clock = new FakeClock(Date.parse(start));
  const events: RunEvent[] = [];
  const calls: Call[] = [];
  const lastRuns = options.store ?? new MemoryLastRunStore();
  const report = (e: RunEvent) => events.push(e);
  const executor = new RunExecutor({
    clock,
    gate: new RunGate<RunOutcome>(),
    report,
    retry: { maxAttempts: 3, baseDelayMs: 60_000, factor: 2, maxDelayMs: 600_000 },
  });
  const scheduler = new Scheduler({
    clock,
    executor,
    lastRuns,
    report,
    timeZone: options.timeZone ?? 'UTC',
    run: async (op, ctx) => {
      calls.push({ op, ctx, at: new Date(clock.now()).toISOString() });
      return options.run ? options.run() : { result: 'ok', message: 'done' };
    },
  });
  return { clock, events, calls, scheduler, lastRuns, executor };
}

const entry = (
  id: string,
  time: ScheduleEntry['time'],
  operation: ScheduleOperation,
  extra: Partial<ScheduleEntry> = {},
): ScheduleEntry => ({
  id,
  time,
  operation,
  catchUp: false,
  enabled: true,
  ...extra,
});

describe('Scheduler with a controlled clock', () => {
  it('fires each entry at its time and runs its operation', async () => {
    const { clock, calls, scheduler } = setup('2025-06-10T00:30:00Z');
    scheduler.setEntries([
      entry('nightly', [0, 1, ANY, ANY, ANY], { kind: 'sync-set', setId: 'web' }),
      entry('eighth', [30, 16, 8, ANY, ANY], { kind: 'backup-config' }),
      entry('mondays', [15, 9, ANY, ANY, 1], { kind: 'drift-check' }),
    ]);
    scheduler.start();
    expect(new Date(scheduler.nextRunOf('nightly')!).toISOString()).toBe('2025-06-10T01:00:00.000Z');
    await clock.advanceTo('2025-06-10T00:59:59Z');
    expect(calls).toEqual([]);
    await clock.advanceTo('2025-06-10T01:00:00Z');
    expect(calls.map((c) => [c.at, c.op])).toEqual([
      ['2025-06-10T01:00:00.000Z', { kind: 'sync-set', setId: 'web' }],
    ]);
    // On through 8 July: nightly every day, the 8th once, Mondays 16, 23, 30 June and 7 July.
    await clock.advanceTo('2025-07-08T17:00:00Z');
    const byEntry = (id: string) => calls.filter((c) => c.ctx.entryId === id).map((c) => c.at);
    expect(byEntry('nightly')).toHaveLength(29);
    expect(byEntry('eighth')).toEqual(['2025-07-08T16:30:00.000Z']);
    expect(byEntry('mondays')).toEqual([
      '2025-06-16T09:15:00.000Z',
      '2025-06-23T09:15:00.000Z',
      '2025-06-30T09:15:00.000Z',
      '2025-07-07T09:15:00.000Z',
    ]);
    expect(calls.every((c) => !c.ctx.catchUp)).toBe(true);
    scheduler.stop();
    expect(clock.pendingTimers).toBe(0);
  });

  it('several entries of one operation; a disabled entry never fires', async () => {
    const { clock, calls, scheduler } = setup('2025-06-10T00:00:00Z');
    const op: ScheduleOperation = { kind: 'health-check' };
    scheduler.setEntries([
      entry('morning', [0, 6, ANY, ANY, ANY], op),
      entry('evening', [0, 18, ANY, ANY, ANY], op),
      entry('off', [0, 12, ANY, ANY, ANY], op, { enabled: false }),
    ]);
    scheduler.start();
    await clock.advanceTo('2025-06-11T00:00:00Z');
    expect(calls.map((c) => `${c.ctx.entryId}@${c.at}`)).toEqual([
      'morning@2025-06-10T06:00:00.000Z',
      'evening@2025-06-10T18:00:00.000Z',
    ]);
  });

  it('reads entries in the configured time zone', async () => {
    const { clock, calls, scheduler } = setup('2025-07-15T12:00:00Z', { timeZone: 'Europe/Berlin' });
    scheduler.setEntries([entry('n', [0, 1, ANY, ANY, ANY], { kind: 'backup-config' })]);
    scheduler.start();
    await clock.advanceTo('2025-07-16T00:00:00Z');
    expect(calls.map((c) => c.at)).toEqual(['2025-07-15T23:00:00.000Z']);
  });

  it('29 February years away: the timer re-arms in steps and fires on the day', async () => {
    const { clock, calls, scheduler } = setup('2027-12-31T00:00:00Z');
    scheduler.setEntries([entry('leap', [0, 12, 29, 2, ANY], { kind: 'drift-check' })]);
    scheduler.start();
    await clock.advanceTo('2028-03-01T00:00:00Z');
    expect(calls.map((c) => c.at)).toEqual(['2028-02-29T12:00:00.000Z']);
  });

  it('a run still going at the next time is not run twice at once: the trigger becomes one follow-up', async () => {
    let active = 0;
    let maxActive = 0;
    const releases: Array<() => void> = [];
    const { clock, calls, events, scheduler } = setup('2025-06-10T00:00:30Z', {
      run: () =>
        new Promise<RunOutcome>((resolve) => {
          active++;
          maxActive = Math.max(maxActive, active);
          releases.push(() => {
            active--;
            resolve({ result: 'ok', message: 'ok' });
          });
        }),
    });
    // Every minute, two entries on the same set.
    scheduler.setEntries([
      entry('a', [ANY, ANY, ANY, ANY, ANY], { kind: 'sync-set', setId: 's' }),
      entry('b', [ANY, ANY, ANY, ANY, ANY], { kind: 'sync-set', setId: 's' }),
    ]);
    scheduler.start();
    await clock.advanceTo('2025-06-10T00:03:30Z'); // fires at :01 (a and b), :02, :03 while the first run hangs
    expect(calls).toHaveLength(1);
    releases.shift()!();
    await settle();
    expect(calls).toHaveLength(2); // exactly one follow-up for all the triggers that came meanwhile
    releases.shift()!();
    await settle();
    expect(calls).toHaveLength(2);
    expect(maxActive).toBe(1);
    expect(events.filter((e) => e.type === 'coalesced').length).toBeGreaterThanOrEqual(4);
    scheduler.stop();
    await scheduler.idle();
  });

  it('retries a failed scheduled run with backoff and reports it', async () => {
    const results: RunOutcome[] = [
      { result: 'failed', message: 'unreachable' },
      { result: 'ok', message: 'ok' },
    ];
    const { clock, calls, events, scheduler } = setup('2025-06-10T00:59:00Z', {
      run: async () => results.shift()!,
    });
    scheduler.setEntries([entry('n', [0, 1, ANY, ANY, ANY], { kind: 'sync-set', setId: 'web' })]);
    scheduler.start();
    await clock.advanceTo('2025-06-10T01:10:00Z');
    expect(calls.map((c) => c.at)).toEqual(['2025-06-10T01:00:00.000Z', '2025-06-10T01:01:00.000Z']);
    expect(events.map((e) => e.type)).toEqual([
      'run-started',
      'run-finished',
      'retry-scheduled',
      'run-started',
      'run-finished',
    ]);
    await scheduler.idle();
  });

  describe('catch-up of times missed while the app was closed', () => {
    const daily = (catchUp: boolean) =>
      entry('d', [0, 1, ANY, ANY, ANY], { kind: 'sync-set', setId: 'web' }, { catchUp });

    it('runs ONCE at start (for several missed days) when the entry asks for it', async () => {
      const store = new MemoryLastRunStore();
      store.set('d', Date.parse('2025-06-07T01:00:00Z')); // last handled three days ago
      const { clock, calls, events, scheduler } = setup('2025-06-10T12:00:00Z', { store });
      scheduler.setEntries([daily(true)]);
      scheduler.start();
      await settle();
      expect(calls).toHaveLength(1);
      expect(calls[0]!.ctx).toEqual({
        entryId: 'd',
        scheduledAt: Date.parse('2025-06-08T01:00:00Z'),
        catchUp: true,
      });
      expect(events[0]).toEqual({
        type: 'catch-up',
        key: 'sync-set:web',
        entryId: 'd',
        missedAt: Date.parse('2025-06-08T01:00:00Z'),
      });
      expect(store.get('d')).toBe(clock.now());
      await clock.advanceTo('2025-06-11T01:00:00Z');
      expect(calls.map((c) => c.at)).toEqual(['2025-06-10T12:00:00.000Z', '2025-06-11T01:00:00.000Z']);
    });

    it('reports the miss and does not run without catchUp', async () => {
      const store = new MemoryLastRunStore();
      store.set('d', Date.parse('2025-06-09T01:00:00Z'));
      const { calls, events, scheduler } = setup('2025-06-10T12:00:00Z', { store });
      scheduler.setEntries([daily(false)]);
      scheduler.start();
      await settle();
      expect(calls).toEqual([]);
      expect(events).toEqual([
        {
          type: 'missed',
          key: 'sync-set:web',
          entryId: 'd',
          scheduledAt: Date.parse('2025-06-10T01:00:00Z'),
        },
      ]);
    });

    it('nothing to catch up when no time passed since the last run, or on the very first start', async () => {
      const store = new MemoryLastRunStore();
      store.set('d', Date.parse('2025-06-10T01:00:00Z'));
      const first = setup('2025-06-10T12:00:00Z', { store });
      first.scheduler.setEntries([
        daily(true),
        entry('new', [0, 1, ANY, ANY, ANY], { kind: 'backup-config' }, { catchUp: true }),
      ]);
      first.scheduler.start();
      await settle();
      expect(first.calls).toEqual([]);
      expect(store.get('new')).toBe(Date.parse('2025-06-10T12:00:00Z'));
    });

    it('a second app life picks up what the first one handled (the store carries it)', async () => {
      const store = new MemoryLastRunStore();
      const life1 = setup('2025-06-10T00:00:00Z', { store });
      life1.scheduler.setEntries([daily(true)]);
      life1.scheduler.start();
      await life1.clock.advanceTo('2025-06-10T02:00:00Z');
      expect(life1.calls).toHaveLength(1);
      life1.scheduler.stop();
      // Closed for two days; the 11th and 12th at 01:00 were missed.
      const life2 = setup('2025-06-12T09:00:00Z', { store });
      life2.scheduler.setEntries([daily(true)]);
      life2.scheduler.start();
      await settle();
      expect(life2.calls.map((c) => c.ctx)).toEqual([
        { entryId: 'd', scheduledAt: Date.parse('2025-06-11T01:00:00Z'), catchUp: true },
      ]);
      // Restarting again right away finds nothing more to do.
      const life3 = setup('2025-06-12T09:05:00Z', { store });
      life3.scheduler.setEntries([daily(true)]);
      life3.scheduler.start();
      await settle();
      expect(life3.calls).toEqual([]);
    });

    it('a timer noticed long after its time (machine asleep) counts as missed unless catchUp', async () => {
      const { clock, calls, events, scheduler } = setup('2025-06-10T00:00:00Z');
      scheduler.setEntries([daily(false)]);
      scheduler.start();
      // The process was frozen: the clock jumps 3 hours with the timer unable to fire in between.
      clock.jump(3 * 3600_000);
      await clock.advance(0);
      expect(calls).toEqual([]);
      expect(events.map((e) => e.type)).toEqual(['missed']);
    });
  });

  it('edited entries take effect at once; removed ones are forgotten', async () => {
    const { clock, calls, scheduler, lastRuns } = setup('2025-06-10T00:00:00Z');
    scheduler.setEntries([entry('x', [0, 5, ANY, ANY, ANY], { kind: 'health-check' })]);
    scheduler.start();
    scheduler.setEntries([entry('x', [0, 3, ANY, ANY, ANY], { kind: 'health-check' })]);
    await clock.advanceTo('2025-06-10T04:00:00Z');
    expect(calls.map((c) => c.at)).toEqual(['2025-06-10T03:00:00.000Z']);
    scheduler.setEntries([]);
    expect(lastRuns.get('x')).toBeUndefined();
    expect(clock.pendingTimers).toBe(0);
  });
});
