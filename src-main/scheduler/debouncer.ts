import type { Clock, TimerHandle } from './clock.js';

/**
 * Collects a burst of changes into one call: fires `quietMs` after the last poke, or `maxWaitMs` after
 * the first one when the changes never stop (a log that is written every second still gets synced).
 */
export class Debouncer<T> {
  private timer: TimerHandle | null = null;
  private firstAt = 0;
  private items = new Set<T>();

  constructor(
    private readonly clock: Clock,
    private readonly quietMs: number,
    private readonly fire: (items: T[]) => void,
    private readonly maxWaitMs = Math.max(quietMs * 15, 30_000),
  ) {}

  poke(item: T): void {
    const now = this.clock.now();
    if (this.items.size === 0) this.firstAt = now;
    this.items.add(item);
    if (this.timer !== null) this.clock.clearTimer(this.timer);
    const wait = Math.min(this.quietMs, Math.max(0, this.firstAt + this.maxWaitMs - now));
    this.timer = this.clock.setTimer(wait, () => this.flush());
  }

  cancel(): void {
    if (this.timer !== null) this.clock.clearTimer(this.timer);
    this.timer = null;
    this.items = new Set();
  }

  private flush(): void {
    this.timer = null;
    const items = [...this.items];
    this.items = new Set();
    if (items.length > 0) this.fire(items);
  }
}
