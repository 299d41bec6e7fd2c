import { join } from 'node:path';
import type {
  DestinationResult,
  DestinationStatus,
  RunRecord,
  RunTrigger,
} from '../../../src-shared/model/history.js';
import type { RunStatus } from '../../../src-shared/model/sync.js';
import type { RunRecord as SyncRunRecord } from '../sync/sync-service.js';
import { assertNever } from '../../../src-shared/assert-never.js';

/** What the sync service's record does not know: which set (it has the name only) and who started it. */
export type RunOrigin = { readonly setId: string; readonly trigger: RunTrigger };

/** The engine's per-destination status in the history's words. */
export function destinationStatusOf(status: RunStatus): DestinationStatus {
  switch (status) {
    case 'completed':
      return 'ok';
    case 'completed-with-errors':
    case 'failed':
    case 'sudo-refused':
      return 'failed';
    case 'cancelled':
      return 'cancelled';
    case 'refused':
      return 'refused';
    case 'unreachable':
      return 'unreachable';
    default:
      return assertNever(status);
  }
}

/** The worse of two statuses: one failed item makes the server's result failed. */
const rank: Readonly<Record<DestinationStatus, number>> = {
  ok: 0,
  cancelled: 1,
  refused: 2,
  failed: 3,
  unreachable: 4,
};

const left = (d: DestinationResult | undefined) => d?.left ?? 0;

/** The server id of a target id `serverId#itemIndex`. */
export function serverOfTarget(targetId: string): string {
  return targetId.replace(/#\d+$/, '');
}

/**
 * Turns a finished sync run (one report per server × item, targetId `serverId#itemIndex`) into one
 * history line with one result per server: counts and bytes summed over the items, the worst status.
 */
export function historyRecordOf(record: SyncRunRecord, origin: RunOrigin, logsDir: string): RunRecord {
  const byServer = new Map<string, DestinationResult>();
  for (const r of record.reports) {
    const serverId = serverOfTarget(r.targetId);
    const status = destinationStatusOf(r.status);
    const previous = byServer.get(serverId);
    const message = [previous?.message, r.message].filter((m): m is string => !!m).join('; ');
    byServer.set(serverId, {
      serverId,
      status: previous && rank[previous.status] > rank[status] ? previous.status : status,
      counts: {
        created: (previous?.counts.created ?? 0) + (r.counts.create ?? 0),
        updated: (previous?.counts.updated ?? 0) + (r.counts.update ?? 0),
        deleted: (previous?.counts.deleted ?? 0) + (r.counts.delete ?? 0),
        unchanged: (previous?.counts.unchanged ?? 0) + (r.counts.keep ?? 0),
      },
      bytes: (previous?.bytes ?? 0) + Math.max(0, Math.round(r.bytesWritten)),
      durationMs: Math.max(previous?.durationMs ?? 0, Math.max(0, Math.round(r.durationMs))),
      message,
      logPath: join(logsDir, `${record.runId}.log`),
      ...(left(previous) + (r.leftOut ?? 0) + (r.leftDifferent ?? 0) > 0
        ? { left: left(previous) + (r.leftOut ?? 0) + (r.leftDifferent ?? 0) }
        : {}),
    });
  }
  const startedAt = Date.parse(record.startedAt);
  const finishedAt = record.finishedAt ? Date.parse(record.finishedAt) : startedAt;
  return {
    id: record.runId,
    setId: origin.setId,
    trigger: origin.trigger,
    startedAt,
    finishedAt,
    destinations: [...byServer.values()],
    ...(record.reports.length === 0 ? { error: 'No destination was part of the run.' } : {}),
  };
}
