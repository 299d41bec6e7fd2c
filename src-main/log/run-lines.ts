import type { Logger } from 'pino';
import type { RunRecord } from '../services/sync/run-log.js';

/**
 * One app-log line per destination of a finished run, carrying the run id, the server (its name where
 * known) and the set, so `grep RUN app.log` or a filter on `server` finds everything about it. A
 * destination that did not come through is a warning (failed, partial, refused, unreachable) with its message.
 */
export function logRunFinished(
  logger: Logger,
  record: RunRecord,
  serverName: (serverId: string) => string | undefined,
): void {
  for (const r of record.reports) {
    const serverId = r.destination.replace(/#\d+$/, '');
    const fields = {
      runId: record.runId,
      server: serverName(serverId) ?? serverId,
      serverId,
      set: record.setName,
      status: r.status,
      filesWritten: r.filesWritten,
      filesDeleted: r.filesDeleted,
      durationMs: r.durationMs,
      ...(r.errors.length > 0 ? { errors: r.errors.length } : {}),
    };
    const text = `run ${record.runId} to ${fields.server}: ${r.status}${r.message ? ` (${r.message})` : ''}`;
    if (r.status === 'completed') logger.info(fields, text);
    else logger.warn(fields, text);
  }
}
