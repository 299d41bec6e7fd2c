import { describe, expect, it } from 'vitest';
import { SignaturePoller } from '../../../src-main/scheduler/remote-poller.js';
import { Debouncer } from '../../../src-main/scheduler/debouncer.js';
import { FakeClock, settle } from './fake-clock.js';

describe('SignaturePoller with a controlled clock', () => {
  function setup(values: Array<string | Error>) {
    const clock = new FakeClock(0);
    const polledAt: number[] = [];
    const changes: number[] = [];
    const errors: string[] = [];
    const poller = new SignaturePoller({
      clock,
      intervalMs: 30_000,
      signature: async () => {
        polledAt.push(clock.now());
        const v = values.shift() ?? 'unchanged-forever';
        if (v instanceof Error) throw v;
        return v;
      },
      onChange: () => changes.push(clock.now()),
      onError: (e) => errors.push((e as Error).message),
    });
    return { clock, poller, polledAt, changes, errors };
  }

  it('takes a baseline, polls every interval, and fires once per change within one period', async () => {
    const { clock, poller, polledAt, changes } = setup(['a', 'a', 'b', 'b', 'c', 'c']);
    await poller.start();
    await clock.advance(29_999);
    expect(polledAt).toEqual([0]);
    await clock.advance(1);
    expect(polledAt).toEqual([0, 30_000]);
    expect(changes).toEqual([]);
    await clock.advance(30_000);
    expect(changes).toEqual([60_000]);
    await clock.advance(90_000);
    expect(changes).toEqual([60_000, 120_000]);
    poller.stop();
    expect(clock.pendingTimers).toBe(0);
  });

  it('a failed poll is reported and does not lose a change', async () => {
    const { clock, poller, changes, errors } = setup(['a', new Error('connection lost'), 'b']);
    await poller.start();
    await clock.advance(30_000);
    expect(errors).toEqual(['connection lost']);
    expect(changes).toEqual([]);
    await clock.advance(30_000);
    expect(changes).toEqual([60_000]);
    poller.stop();
  });

  it('never overlaps polls: the next one is timed from the end of a slow one', async () => {
    const clock = new FakeClock(0);
    let release!: () => void;
    let inFlight = 0;
    let maxInFlight = 0;
    let calls = 0;
    const poller = new SignaturePoller({
      clock,
      intervalMs: 1000,
      signature: () => {
        calls++;
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        if (calls === 1) return Promise.resolve((inFlight--, 'x'));
        return new Promise<string>((r) => (release = () => (inFlight--, r('x'))));
      },
      onChange: () => undefined,
    });
    await poller.start();
    await clock.advance(5000); // the second poll hangs for all of it
    expect(calls).toBe(2);
    release();
    await settle();
    await clock.advance(999);
    expect(calls).toBe(2);
    await clock.advance(1);
    expect(calls).toBe(3);
    expect(maxInFlight).toBe(1);
    poller.stop();
  });
});

describe('Debouncer', () => {
  it('one call per burst, after the quiet time; a never-ending burst still fires by maxWait', async () => {
    const clock = new FakeClock(0);
    const calls: Array<[number, string[]]> = [];
    const d = new Debouncer<string>(clock, 200, (items) => calls.push([clock.now(), items]), 1000);
    d.poke('a');
    await clock.advance(150);
    d.poke('b');
    d.poke('a');
    await clock.advance(199);
    expect(calls).toEqual([]);
    await clock.advance(1);
    expect(calls).toEqual([[350, ['a', 'b']]]);
    for (let t = 0; t < 12; t++) {
      d.poke(`f${t}`);
      await clock.advance(100);
    }
    expect(calls[1]?.[0]).toBe(1350);
    d.cancel();
  });
});
