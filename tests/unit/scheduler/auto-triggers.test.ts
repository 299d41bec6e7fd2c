import { describe, expect, it } from 'vitest';
import { AutoSyncTriggers, type AutoTriggerSpec } from '../../../src-main/scheduler/auto-triggers.js';
import { RunExecutor } from '../../../src-main/scheduler/run-executor.js';
import { RunGate } from '../../../src-main/scheduler/run-gate.js';
import type { RunEvent, RunOutcome } from '../../../src-main/scheduler/run-outcome.js';
import type { ChangeHandler } from '../../../src-main/scheduler/source-watch.js';
import type { RunTrigger } from '../../../src-shared/model/history.js';
import { FakeClock, settle } from './fake-clock.js';

function setup() {
  const clock = new FakeClock(0);
  const events: RunEvent[] = [];
  const runs: Array<{ setId: string; trigger: RunTrigger; paths: ReadonlyArray<string>; at: number }> = [];
  const report = (e: RunEvent) => events.push(e);
  const executor = new RunExecutor({
    clock,
    gate: new RunGate<RunOutcome>(),
    report,
    retry: { maxAttempts: 1, baseDelayMs: 0, factor: 1, maxDelayMs: 0 },
  });
  const triggers = new AutoSyncTriggers({
    clock,
    executor,
    report,
    remotePollMs: 10_000,
    run: async (setId, trigger, paths) => (
      runs.push({ setId, trigger, paths, at: clock.now() }),
      { result: 'ok', message: '' }
    ),
  });
  return { clock, events, runs, triggers };
}

describe('AutoSyncTriggers (controlled clock)', () => {
  it('{every: N}: a run every N seconds, through the executor', async () => {
    const { clock, runs, triggers } = setup();
    await triggers.configure([
      { setId: 'web', trigger: { every: 60 }, source: { kind: 'remote', signature: async () => 'x' } },
    ]);
    await clock.advance(180_000);
    expect(runs.map((r) => [r.setId, r.trigger, r.at])).toEqual([
      ['web', 'schedule', 60_000],
      ['web', 'schedule', 120_000],
      ['web', 'schedule', 180_000],
    ]);
    await triggers.stop();
    expect(clock.pendingTimers).toBe(0);
  });

  it("'on-change' on a remote source without a push watch polls the signature and runs once per change", async () => {
    const { clock, runs, triggers } = setup();
    let sig = 'v1';
    await triggers.configure([
      { setId: 'dns', trigger: 'on-change', source: { kind: 'remote', signature: async () => sig } },
    ]);
    await clock.advance(30_000);
    expect(runs).toEqual([]);
    sig = 'v2';
    await clock.advance(10_000);
    expect(runs.map((r) => [r.trigger, r.at])).toEqual([['poll', 40_000]]);
    await clock.advance(50_000);
    expect(runs).toHaveLength(1);
    await triggers.stop();
  });

  it("'on-change' with a push watch uses it; when it ends, polling takes over and it is reported", async () => {
    const { clock, events, runs, triggers } = setup();
    let push!: ChangeHandler;
    let end!: (reason: string) => void;
    let closed = 0;
    let sig = 'a';
    const spec: AutoTriggerSpec = {
      setId: 'web',
      trigger: 'on-change',
      source: {
        kind: 'remote',
        signature: async () => sig,
        watch: async (onChange, onEnd) => {
          push = onChange;
          end = onEnd;
          return { close: async () => void closed++ };
        },
      },
    };
    await triggers.configure([spec]);
    await clock.advance(60_000);
    expect(runs).toEqual([]); // no polling while the push watch is up
    push(['nginx.conf']);
    await settle();
    expect(runs.map((r) => [r.trigger, r.paths])).toEqual([['watch', ['nginx.conf']]]);
    end('The inotifywait watch on /etc/app ended.');
    await settle();
    expect(events.filter((e) => e.type === 'trigger-error')).toEqual([
      {
        type: 'trigger-error',
        key: 'sync-set:web',
        message: 'The inotifywait watch on /etc/app ended. Polling instead.',
      },
    ]);
    sig = 'b';
    await clock.advance(10_000);
    expect(runs.map((r) => r.trigger)).toEqual(['watch', 'poll']);
    // Same spec again: left running; 'off': stopped.
    await triggers.configure([spec]);
    expect(closed).toBe(0);
    await triggers.configure([{ ...spec, trigger: 'off' }]);
    expect(closed).toBe(1);
    expect(triggers.activeSets()).toEqual([]);
    await clock.advance(60_000);
    expect(runs).toHaveLength(2);
  });

  it('a push watch that is not available (null) falls back to polling', async () => {
    const { clock, runs, triggers } = setup();
    let sig = 1;
    await triggers.configure([
      {
        setId: 's',
        trigger: 'on-change',
        source: { kind: 'remote', signature: async () => String(sig), watch: async () => null },
      },
    ]);
    sig = 2;
    await clock.advance(10_000);
    expect(runs.map((r) => r.trigger)).toEqual(['poll']);
    await triggers.stop();
  });
});
