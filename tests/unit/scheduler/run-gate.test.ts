import { describe, expect, it } from 'vitest';
import { RunGate } from '../../../src-main/scheduler/run-gate.js';
import { AppError } from '../../../src-main/errors/app-error.js';

/** A task that runs until released, recording when it starts. */
function controllable(log: string[], name: string) {
  let release!: (v: string) => void;
  const done = new Promise<string>((r) => (release = r));
  return {
    task: () => {
      log.push(`start ${name}`);
      return done.then((v) => {
        log.push(`end ${name}`);
        return v;
      });
    },
    release,
  };
}

describe('RunGate', () => {
  it('runs different keys at the same time', async () => {
    const gate = new RunGate<string>();
    const log: string[] = [];
    const a = controllable(log, 'a');
    const b = controllable(log, 'b');
    const pa = gate.run('set-a', a.task);
    const pb = gate.run('set-b', b.task);
    await Promise.resolve();
    await Promise.resolve();
    expect(log).toEqual(['start a', 'start b']);
    expect(gate.busyKeys().sort()).toEqual(['set-a', 'set-b']);
    a.release('A');
    b.release('B');
    expect(await Promise.all([pa, pb])).toEqual(['A', 'B']);
    expect(gate.isBusy('set-a')).toBe(false);
  });

  it('coalesces every trigger during a run into ONE follow-up run of the last task, never overlapping', async () => {
    const gate = new RunGate<string>();
    const log: string[] = [];
    const first = controllable(log, 'first');
    const second = controllable(log, 'second');
    const third = controllable(log, 'third');
    const p1 = gate.run('k', first.task);
    const p2 = gate.run('k', second.task);
    const p3 = gate.run('k', third.task);
    await new Promise((r) => setImmediate(r));
    expect(log).toEqual(['start first']);
    first.release('1');
    expect(await p1).toBe('1');
    await new Promise((r) => setImmediate(r));
    expect(log).toEqual(['start first', 'end first', 'start third']);
    third.release('3');
    // The merged triggers share the follow-up's result; the second task never ran.
    expect(await Promise.all([p2, p3])).toEqual(['3', '3']);
    expect(log).toEqual(['start first', 'end first', 'start third', 'end third']);
    expect(gate.isBusy('k')).toBe(false);
  });

  it('a trigger arriving during the follow-up gets another follow-up', async () => {
    const gate = new RunGate<number>();
    let running = 0;
    let maxRunning = 0;
    let runs = 0;
    const releases: Array<() => void> = [];
    const task = () =>
      new Promise<number>((resolve) => {
        running++;
        runs++;
        maxRunning = Math.max(maxRunning, running);
        const n = runs;
        releases.push(() => {
          running--;
          resolve(n);
        });
      });
    const p1 = gate.run('k', task);
    const p2 = gate.run('k', task);
    await new Promise((r) => setImmediate(r));
    releases.shift()?.();
    await p1;
    await new Promise((r) => setImmediate(r));
    const p3 = gate.run('k', task); // during the follow-up
    releases.shift()?.();
    expect(await p2).toBe(2);
    await new Promise((r) => setImmediate(r));
    releases.shift()?.();
    expect(await p3).toBe(3);
    expect(maxRunning).toBe(1);
  });

  it("'reject' refuses at once with RUN_IN_PROGRESS while a run is under way, and works when idle", async () => {
    const gate = new RunGate<string>();
    const log: string[] = [];
    const a = controllable(log, 'a');
    const p = gate.run('k', a.task);
    const err = await gate.run('k', async () => 'manual', 'reject').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('RUN_IN_PROGRESS');
    a.release('A');
    await p;
    expect(await gate.run('k', async () => 'manual', 'reject')).toBe('manual');
  });

  it('a failing run frees the key, rejects its caller, and the follow-up still runs', async () => {
    const gate = new RunGate<string>();
    let fail!: (e: Error) => void;
    const p1 = gate.run('k', () => new Promise<string>((_, rej) => (fail = rej)));
    const p2 = gate.run('k', async () => 'after');
    await new Promise((r) => setImmediate(r));
    fail(new Error('boom'));
    await expect(p1).rejects.toThrow('boom');
    expect(await p2).toBe('after');
    expect(gate.isBusy('k')).toBe(false);
  });

  it('drain waits for runs and their follow-ups', async () => {
    const gate = new RunGate<string>();
    const log: string[] = [];
    const a = controllable(log, 'a');
    const b = controllable(log, 'b');
    void gate.run('k', a.task);
    void gate.run('k', b.task);
    let drained = false;
    const d = gate.drain().then(() => (drained = true));
    a.release('A');
    await new Promise((r) => setImmediate(r));
    expect(drained).toBe(false);
    b.release('B');
    await d;
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b']);
  });
});
