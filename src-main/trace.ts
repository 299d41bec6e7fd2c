import { performance } from 'node:perf_hooks';

/**
 * `CONFIGSYNC_TRACE=1` prints where a run's time goes to stderr: milliseconds since the process
 * started, then what just happened. Off, it costs one property read.
 */
const on = Boolean(process.env.CONFIGSYNC_TRACE);

export function trace(what: string): void {
  if (on) process.stderr.write(`[trace ${performance.now().toFixed(0).padStart(6)} ms] ${what}\n`);
}
