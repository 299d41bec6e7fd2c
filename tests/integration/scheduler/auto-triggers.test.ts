import { afterEach, describe, expect, it } from 'vitest';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AutoSyncTriggers } from '../../../src-main/scheduler/auto-triggers.js';
import { RunExecutor } from '../../../src-main/scheduler/run-executor.js';
import { RunGate } from '../../../src-main/scheduler/run-gate.js';
import { systemClock } from '../../../src-main/scheduler/clock.js';
import type { RunEvent, RunOutcome } from '../../../src-main/scheduler/run-outcome.js';
import { syncSetKey } from '../../../src-shared/model/schedule.js';
import type { RunTrigger } from '../../../src-shared/model/history.js';
import { makeTempDir } from '../../support/temp.js';

describe('automatic sync of a watched local source (real folder, real gate)', () => {
  let cleanup: (() => Promise<void>) | undefined;
  let triggers: AutoSyncTriggers | undefined;
  afterEach(async () => {
    await triggers?.stop();
    await cleanup?.();
  });

  it('a burst overlapping a scheduled run of the same set waits for it: one follow-up run, never two at once', async () => {
    const tmp = await makeTempDir('configsync-auto-');
    cleanup = tmp.cleanup;
    const root = tmp.dir;
    await mkdir(join(root, 'conf.d'));
    await writeFile(join(root, 'app.yml'), 'v: 1\n');

    const events: RunEvent[] = [];
    let sawTrigger!: () => void;
    const triggered = new Promise<void>((r) => (sawTrigger = r));
    const report = (e: RunEvent) => {
      events.push(e);
      if (e.type === 'triggered') sawTrigger();
    };
    const gate = new RunGate<RunOutcome>();
    const executor = new RunExecutor({ clock: systemClock, gate, report });
    let active = 0;
    let maxActive = 0;
    const runs: Array<{ trigger: RunTrigger; paths: ReadonlyArray<string> }> = [];
    const runWaiters: Array<() => void> = [];
    const nextRun = () => new Promise<void>((r) => runWaiters.push(r));
    let releaseScheduled!: () => void;
    const scheduledDone = new Promise<void>((r) => (releaseScheduled = r));

    const body = async (trigger: RunTrigger, paths: ReadonlyArray<string>): Promise<RunOutcome> => {
      active++;
      maxActive = Math.max(maxActive, active);
      runs.push({ trigger, paths: [...paths].sort() });
      runWaiters.shift()?.();
      if (trigger === 'schedule') await scheduledDone;
      active--;
      return { result: 'ok', message: '' };
    };
    triggers = new AutoSyncTriggers({
      clock: systemClock,
      executor,
      report,
      debounceMs: 200,
      run: (_set, t, p) => body(t, p),
    });
    await triggers.configure([{ setId: 'web', trigger: 'on-change', source: { kind: 'local', root } }]);

    // A scheduled run of the set is under way (as the Scheduler would start it)...
    const scheduledStarted = nextRun();
    const scheduled = executor.execute(syncSetKey('web'), 'schedule', () => body('schedule', []));
    await scheduledStarted;

    // ...when an editor saves twice and adds a file.
    await writeFile(join(root, '.app.yml.tmp'), 'v: 2\n');
    await rename(join(root, '.app.yml.tmp'), join(root, 'app.yml'));
    await writeFile(join(root, '.app.yml.tmp'), 'v: 3\n');
    await rename(join(root, '.app.yml.tmp'), join(root, 'app.yml'));
    await writeFile(join(root, 'conf.d', 'extra.conf'), 'x\n');

    // The burst's one trigger reaches the gate while the scheduled run still holds it.
    await triggered;
    expect(gate.isBusy(syncSetKey('web'))).toBe(true);
    expect(runs).toHaveLength(1);
    const followUp = nextRun();
    releaseScheduled();
    await scheduled;
    await followUp;
    await gate.drain();

    expect(runs.map((r) => r.trigger)).toEqual(['schedule', 'watch']);
    expect(runs[1]!.paths).toEqual(expect.arrayContaining(['app.yml', 'conf.d/extra.conf']));
    expect(maxActive).toBe(1);
    expect(events.filter((e) => e.type === 'triggered')).toHaveLength(1);
  });

  it('each separate burst is one run with its own paths', async () => {
    const tmp = await makeTempDir('configsync-auto-');
    cleanup = tmp.cleanup;
    const root = tmp.dir;
    const executor = new RunExecutor({
      clock: systemClock,
      gate: new RunGate<RunOutcome>(),
      report: () => undefined,
    });
    const runs: string[][] = [];
    const waiters: Array<() => void> = [];
    const next = () => new Promise<void>((r) => waiters.push(r));
    triggers = new AutoSyncTriggers({
      clock: systemClock,
      executor,
      report: () => undefined,
      debounceMs: 200,
      run: async (_s, _t, paths) => {
        runs.push([...paths].sort());
        waiters.shift()?.();
        return { result: 'ok', message: '' };
      },
    });
    await triggers.configure([
      {
        setId: 'web',
        trigger: 'on-change',
        source: { kind: 'local', root, ignored: (p) => p.endsWith('~') },
      },
    ]);
    const first = next();
    await writeFile(join(root, 'a.conf'), '1');
    await writeFile(join(root, 'b.conf'), '1');
    await writeFile(join(root, 'a.conf~'), 'backup');
    await first;
    const second = next();
    await writeFile(join(root, 'c.conf'), '1');
    await second;
    expect(runs).toEqual([['a.conf', 'b.conf'], ['c.conf']]);
  });
});
