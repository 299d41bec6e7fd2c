import { describe, expect, it } from 'vitest';
import { RunExecutor } from '../../../src-main/scheduler/run-executor.js';
import { RunGate } from '../../../src-main/scheduler/run-gate.js';
import type { RunEvent, RunOutcome } from '../../../src-main/scheduler/run-outcome.js';
import { FakeClock, settle } from './fake-clock.js';

const policy = { maxAttempts: 3, baseDelayMs: 1000, factor: 2, maxDelayMs: 60_000 };

function setup() {
  const clock = new FakeClock(Date.parse('2025-06-10T00:00:00Z'));
  const events: RunEvent[] = [];
  const executor = new RunExecutor({
    clock,
    gate: new RunGate<RunOutcome>(),
    report: (e) => events.push(e),
    retry: policy,
  });
  return { clock, events, executor };
}

describe('RunExecutor', () => {
  it('retries a failure with exponential backoff on the clock, then succeeds', async () => {
    const { clock, events, executor } = setup();
    const outcomes: RunOutcome[] = [
      { result: 'failed', message: 'host down' },
      { result: 'partial', message: '1 of 2' },
      { result: 'ok', message: 'done' },
    ];
    const startedAt: number[] = [];
    const p = executor.execute('sync-set:s1', 'watch', async () => {
      startedAt.push(clock.now());
      return outcomes.shift()!;
    });
    await settle();
    expect(startedAt).toHaveLength(1);
    await clock.advance(999);
    expect(startedAt).toHaveLength(1);
    await clock.advance(1);
    expect(startedAt).toHaveLength(2);
    await clock.advance(2000);
    expect(await p).toEqual({ result: 'ok', message: 'done' });
    expect(startedAt.map((t) => t - startedAt[0]!)).toEqual([0, 1000, 3000]);
    expect(
      events
        .filter((e) => e.type === 'retry-scheduled')
        .map((e) => (e.type === 'retry-scheduled' ? e.delayMs : 0)),
    ).toEqual([1000, 2000]);
  });

  it('gives up after maxAttempts and reports it; a thrown error is an outcome', async () => {
    const { clock, events, executor } = setup();
    let calls = 0;
    const p = executor.execute('backup-config', 'schedule', async () => {
      calls++;
      throw new Error('disk full');
    });
    await clock.advance(10_000);
    expect(await p).toEqual({ result: 'failed', message: 'disk full' });
    expect(calls).toBe(3);
    expect(events.at(-1)).toMatchObject({ type: 'gave-up', attempts: 3, key: 'backup-config' });
  });

  it('does not retry a non-retryable outcome, nor when retry is off', async () => {
    const { events, executor } = setup();
    let calls = 0;
    const refused = await executor.execute('k', 'schedule', async () => {
      calls++;
      return { result: 'failed', message: 'deletion guard', retryable: false };
    });
    expect(refused.message).toBe('deletion guard');
    await executor.execute('k', 'manual', async () => (calls++, { result: 'failed', message: 'x' }), {
      retry: false,
    });
    expect(calls).toBe(2);
    expect(events.some((e) => e.type === 'retry-scheduled' || e.type === 'gave-up')).toBe(false);
  });

  it('a trigger merged into another run reports coalesced and leaves retries to that run', async () => {
    const { events, executor } = setup();
    let release!: () => void;
    let calls = 0;
    const task = () => {
      calls++;
      return new Promise<RunOutcome>((r) => (release = () => r({ result: 'ok', message: `run ${calls}` })));
    };
    const a = executor.execute('k', 'schedule', task);
    const b = executor.execute('k', 'watch', task);
    const c = executor.execute('k', 'watch', task);
    await settle();
    release();
    expect((await a).message).toBe('run 1');
    await settle();
    release();
    expect((await b).message).toBe('run 2');
    expect((await c).message).toBe('run 2');
    expect(calls).toBe(2);
    expect(events.filter((e) => e.type === 'coalesced')).toHaveLength(1);
  });

  it('stop() cancels a pending retry wait', async () => {
    const { clock, executor } = setup();
    let calls = 0;
    const p = executor.execute('k', 'poll', async () => (calls++, { result: 'failed', message: 'no' }));
    await settle();
    expect(clock.pendingTimers).toBe(1);
    await executor.stop();
    expect(await p).toEqual({ result: 'failed', message: 'no' });
    expect(clock.pendingTimers).toBe(0);
    expect(calls).toBe(1);
  });
});
