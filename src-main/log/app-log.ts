import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pino, stdTimeFunctions, type Logger } from 'pino';
import { createStream } from 'rotating-file-stream';

/** The app log's file name in `<data>/logs/`; rotated copies are app.log.1 (newest) … app.log.N. */
export const APP_LOG_FILE = 'app.log';

export type AppLogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
const levels: ReadonlyArray<AppLogLevel> = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

export type AppLogOptions = {
  /** Which process writes (electron, browser, cli, scheduler): on every line as `shell`. */
  readonly shell: string;
  /** Default: $CONFIGSYNC_LOG_LEVEL, else 'info'. */
  readonly level?: AppLogLevel;
  /** Size at which app.log is rotated (rotating-file-stream's units: B, K, M, G). Default 10M. */
  readonly maxSize?: string;
  /** Rotated copies kept (app.log.1 … app.log.N). Default 5. */
  readonly keep?: number;
};

/** The fields a line may carry so that a reader can find what concerns one run or one server. */
export type LogContext = {
  readonly runId?: string;
  readonly server?: string;
  readonly set?: string;
  readonly [key: string]: unknown;
};

export type AppLog = {
  readonly path: string;
  readonly logger: Logger;
  /** Flushes and closes the file (the CLI at exit, the shells at quit). */
  close(): Promise<void>;
};

export function levelFrom(value: string | undefined): AppLogLevel | undefined {
  return levels.find((l) => l === value?.toLowerCase());
}

/**
 * Opens `<data>/logs/app.log` for this process: JSON lines by pino (time, level, shell, pid, message,
 * and the run id, server and set a line concerns), rotated by size with a fixed number of copies
 * (logrotate's numbering). Several processes of one store (the app, the CLI, a scheduler service) append
 * to the same file; each write is one line, appended.
 */
export function openAppLog(dataDir: string, options: AppLogOptions): AppLog {
  const dir = join(dataDir, 'logs');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stream = createStream(APP_LOG_FILE, {
    path: dir,
    size: options.maxSize ?? '10M',
    rotate: options.keep ?? 5,
    mode: 0o600,
  });
  // A failed write to the log must never stop the app; the console is what is left.
  stream.on('error', (err) => process.stderr.write(`configsync: the app log failed: ${err.message}\n`));
  const logger = pino(
    {
      level: options.level ?? levelFrom(process.env.CONFIGSYNC_LOG_LEVEL) ?? 'info',
      base: { shell: options.shell, pid: process.pid },
      timestamp: stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    stream,
  );
  let closed: Promise<void> | null = null;
  return {
    path: join(dir, APP_LOG_FILE),
    logger,
    close() {
      closed ??= new Promise<void>((resolve) => {
        stream.once('finish', () => resolve());
        stream.once('error', () => resolve());
        stream.end();
      });
      return closed;
    },
  };
}

/** One line at `level` with an error's message and stack as `err` (pino's serializer). */
export function logError(logger: Logger, message: string, err?: unknown, context: LogContext = {}): void {
  if (err === undefined || err === '') logger.error(context, message);
  else logger.error({ ...context, err: err instanceof Error ? err : new Error(String(err)) }, message);
}
