import type { Clock, TimerHandle } from './clock.js';

export type PollerOptions = {
  readonly clock: Clock;
  readonly intervalMs: number;
  /** A cheap fingerprint of the remote source (e.g. remoteListingSignature); a new value means a change. */
  readonly signature: () => Promise<string>;
  readonly onChange: () => void;
  readonly onError?: (err: unknown) => void;
};

/**
 * Polls a remote source for changes by comparing listing signatures every interval. The next poll is
 * timed from the end of the previous one, so a slow host never piles polls up. A failed poll is
 * reported and the previous signature kept, so the next good poll still sees a change.
 */
export class SignaturePoller {
  private last: string | null = null;
  private timer: TimerHandle | null = null;
  private running = false;

  constructor(private readonly options: PollerOptions) {}

  /** Takes the baseline signature (a failure is reported; the first good poll then sets it) and starts polling. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      this.last = await this.options.signature();
    } catch (err) {
      this.options.onError?.(err);
    }
    this.schedule();
  }

  stop(): void {
    this.running = false;
    if (this.timer !== null) this.options.clock.clearTimer(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = this.options.clock.setTimer(this.options.intervalMs, () => void this.poll());
  }

  private async poll(): Promise<void> {
    this.timer = null;
    try {
      const current = await this.options.signature();
      if (!this.running) return;
      const changed = this.last !== null && current !== this.last;
      this.last = current;
      if (changed) this.options.onChange();
    } catch (err) {
      if (this.running) this.options.onError?.(err);
    }
    this.schedule();
  }
}
