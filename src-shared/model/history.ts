import { z } from 'zod';

/** Who or what started a run. */
export const runTrigger = z.enum(['manual', 'schedule', 'watch', 'poll', 'cli']);
export type RunTrigger = z.infer<typeof runTrigger>;

/** How one destination came out of a run: unreachable (not contacted), refused (a guard stopped it). */
export const destinationStatus = z.enum(['ok', 'failed', 'unreachable', 'refused', 'cancelled']);
export type DestinationStatus = z.infer<typeof destinationStatus>;

const count = z.number().int().min(0);

export const destinationCounts = z.object({
  created: count,
  updated: count,
  deleted: count,
  unchanged: count,
});
export type DestinationCounts = z.infer<typeof destinationCounts>;

export const destinationResult = z.object({
  serverId: z.string().min(1),
  status: destinationStatus,
  counts: destinationCounts,
  bytes: count,
  durationMs: count,
  message: z.string(),
  /** The run's log for this destination, null when none was written. */
  logPath: z.string().nullable(),
  /**
   * Paths still different from the source after the run (absent: none, as in older lines): changes
   * left unticked, and what an Easy run keeps (extra and newer files on the destination).
   */
  left: count.optional(),
});
export type DestinationResult = z.infer<typeof destinationResult>;

/** One line of history.jsonl: a finished run of a sync set. Times are epoch milliseconds. */
export const runRecord = z.object({
  id: z.string().min(1),
  setId: z.string().min(1),
  trigger: runTrigger,
  startedAt: z.number().int(),
  finishedAt: z.number().int(),
  destinations: z.array(destinationResult),
  /** A failure of the run as a whole (source unreachable, cancelled before any destination). */
  error: z.string().optional(),
  /** What the run did: a synchronization (absent, as in older lines), or a restore of an earlier run. */
  kind: z.enum(['sync', 'restore', 'recover']).optional(),
  /** For a restore: the run whose changes it undid (that run is then shown "restored at …"). */
  restores: z.string().optional(),
  /** For a recovery: the interrupted run it completed or rolled back (shown "recovered at …"). */
  recovers: z.string().optional(),
});
export type RunRecord = z.infer<typeof runRecord>;

/** When a run was undone by a later restore on a server (the newest such restore), or null. */
export function restoredAt(
  records: ReadonlyArray<RunRecord>,
  runId: string,
  serverId?: string,
): number | null {
  let at: number | null = null;
  for (const r of records)
    if (
      r.kind === 'restore' &&
      r.restores === runId &&
      r.destinations.some((d) => d.status === 'ok' && (serverId === undefined || d.serverId === serverId))
    )
      at = Math.max(at ?? 0, r.finishedAt);
  return at;
}

/** When an interrupted run was recovered (completed or rolled back) on a server, or null. */
export function recoveredAt(records: ReadonlyArray<RunRecord>, runId: string): number | null {
  let at: number | null = null;
  for (const r of records)
    if (r.kind === 'recover' && r.recovers === runId && r.destinations.some((d) => d.status === 'ok'))
      at = Math.max(at ?? 0, r.finishedAt);
  return at;
}

export const runResult = z.enum(['ok', 'partial', 'failed']);
export type RunResult = z.infer<typeof runResult>;

/** ok: no error and every destination ok; failed: a run error or no destination ok; partial otherwise. */
export function runResultOf(record: RunRecord): RunResult {
  if (record.error !== undefined) return 'failed';
  const ok = record.destinations.filter((d) => d.status === 'ok').length;
  if (ok === record.destinations.length) return 'ok';
  return ok === 0 ? 'failed' : 'partial';
}

export const historyQuery = z.object({
  serverId: z.string().min(1).optional(),
  setId: z.string().min(1).optional(),
  result: runResult.optional(),
  trigger: runTrigger.optional(),
  limit: z.number().int().min(1).max(1000).default(50),
  offset: z.number().int().min(0).default(0),
});
export type HistoryQuery = z.output<typeof historyQuery>;

/** Newest first; `total` counts every match, before limit/offset. */
export const historyPage = z.object({ total: z.number().int(), records: z.array(runRecord) });
export type HistoryPage = z.infer<typeof historyPage>;

/** Applies a query's filters and paging to records in file order (oldest first); pure. */
export function queryHistory(records: ReadonlyArray<RunRecord>, query: HistoryQuery): HistoryPage {
  const matches = records.filter(
    (r) =>
      (query.setId === undefined || r.setId === query.setId) &&
      (query.trigger === undefined || r.trigger === query.trigger) &&
      (query.serverId === undefined || r.destinations.some((d) => d.serverId === query.serverId)) &&
      (query.result === undefined || runResultOf(r) === query.result),
  );
  const newestFirst = [...matches].reverse();
  return { total: matches.length, records: newestFirst.slice(query.offset, query.offset + query.limit) };
}
