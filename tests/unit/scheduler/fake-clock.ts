import type { Clock, TimerHandle } from '../../../src-main/scheduler/clock.js';

type Timer = { id: number; at: number; fn: () => void };

/** Promise continuations and I/O callbacks queued so far get to run (one macrotask turn each). */
export async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((r) => setImmediate(r));
}

/** A clock that moves only when told; timers fire in time order as it moves. */
export class FakeClock implements Clock {
  private timers: Timer[] = [];
  private seq = 0;

  constructor(private current: number) {}

  now(): number {
    return this.current;
  }

  setTimer(ms: number, fn: () => void): TimerHandle {
    const timer = { id: ++this.seq, at: this.current + Math.max(0, ms), fn };
    this.timers.push(timer);
    return timer.id;
  }

  clearTimer(handle: TimerHandle): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }

  get pendingTimers(): number {
    return this.timers.length;
  }

  /** Moves time forward by `ms`, firing each due timer at its own time and letting promises settle between. */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    await settle();
    for (;;) {
      const due = this.timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.current = Math.max(this.current, due.at);
      due.fn();
      await settle();
    }
    this.current = target;
    await settle();
  }

  /** Moves time forward without firing anything: a suspended machine or a stalled process. */
  jump(ms: number): void {
    this.current += ms;
  }

  /** Moves to an absolute time (ISO string or epoch ms). */
  advanceTo(when: string | number): Promise<void> {
    const at = typeof when === 'string' ? Date.parse(when) : when;
    return this.advance(at - this.current);
  }
}
