import { performance } from 'node:perf_hooks';

/**
 * `CONFIGSYNC_TRACE=1` prints where a run's time goes to stderr: milliseconds since the process
 * started, then what just happened. Off, it costs one property read. `CONFIGSYNC_TRACE=full` also
 * prints each remote command whole (and the script it is given on stdin), not its first characters;
 * `CONFIGSYNC_TRACE=mem` adds the process's resident and heap memory to each line.
 */
const on = Boolean(process.env.CONFIGSYNC_TRACE);
const full = process.env.CONFIGSYNC_TRACE === 'full';
const mem = process.env.CONFIGSYNC_TRACE === 'mem';

/** A command's stdin in a trace line, under CONFIGSYNC_TRACE=full only (off, it is not even decoded). */
export function traceStdin(label: string, stdin: Buffer | string | undefined): void {
  if (full && stdin !== undefined && stdin.length > 0) trace(`${label}: stdin ${stdin.toString()}`);
}

/** A command as a trace line shows it: whole under CONFIGSYNC_TRACE=full, else its first `n` characters. */
export function traced(command: string, n: number): string {
  return full ? command : command.slice(0, n);
}

/** Under CONFIGSYNC_TRACE=mem: the highest resident memory seen since the last line (sampled every 20 ms). */
let peak = 0;
if (mem) setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20).unref();

export function trace(what: string): void {
  if (!on) return;
  const m = mem ? process.memoryUsage() : null;
  const memory = m
    ? ` rss ${mb(m.rss)} (peak ${mb(Math.max(peak, m.rss))}) heap ${mb(m.heapUsed)} ext ${mb(m.external)}`
    : '';
  peak = 0;
  process.stderr.write(`[trace ${performance.now().toFixed(0).padStart(6)} ms${memory}] ${what}\n`);
}

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0).padStart(4)} MB`;
