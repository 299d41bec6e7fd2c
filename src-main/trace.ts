import { performance } from 'node:perf_hooks';

/**
 * `CONFIGSYNC_TRACE=1` prints where a run's time goes to stderr: milliseconds since the process
 * started, then what just happened. Off, it costs one property read. `CONFIGSYNC_TRACE=full` also
 * prints each remote command whole (and the script it is given on stdin), not its first characters.
 */
const on = Boolean(process.env.CONFIGSYNC_TRACE);
const full = process.env.CONFIGSYNC_TRACE === 'full';

/** A command's stdin in a trace line, under CONFIGSYNC_TRACE=full only (off, it is not even decoded). */
export function traceStdin(label: string, stdin: Buffer | string | undefined): void {
  if (full && stdin !== undefined && stdin.length > 0) trace(`${label}: stdin ${stdin.toString()}`);
}

/** A command as a trace line shows it: whole under CONFIGSYNC_TRACE=full, else its first `n` characters. */
export function traced(command: string, n: number): string {
  return full ? command : command.slice(0, n);
}

export function trace(what: string): void {
  if (on) process.stderr.write(`[trace ${performance.now().toFixed(0).padStart(6)} ms] ${what}\n`);
}
