import { randomBytes } from 'node:crypto';
import type { RunRecord, RunTrigger } from '../../../src-shared/model/history.js';

/** What a restore of one run on one server did, or why it failed. */
export type RestoreOutcome =
  | {
      readonly ok: true;
      readonly restored: number;
      readonly removed: number;
      readonly errors: number;
      readonly firstError?: string;
    }
  | { readonly ok: false; readonly message: string };

/** A restore that ended (or failed), as the sync handlers hand it to what follows every run. */
export type RestoreDone = {
  readonly serverId: string;
  readonly setName: string;
  readonly runId: string;
  readonly trigger: RunTrigger;
  readonly startedAt: number;
  readonly outcome: RestoreOutcome;
};

/** A history id that sorts by time like a run id: `20261201T221500-restore-ab12cd`. */
function restoreId(at: number): string {
  const stamp = new Date(at)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, '');
  return `${stamp}-restore-${randomBytes(3).toString('hex')}`;
}

/**
 * A restore as a run of its own in the history: on which server, of which run, what it put back and
 * removed. History, the status tab and Backups read it; the restored run is then "restored at …".
 */
export function restoreRecord(input: {
  readonly serverId: string;
  readonly setId: string;
  readonly runId: string;
  readonly trigger: RunTrigger;
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly outcome: RestoreOutcome;
}): RunRecord {
  const o = input.outcome;
  const ok = o.ok && o.errors === 0;
  return {
    id: restoreId(input.startedAt),
    kind: 'restore',
    restores: input.runId,
    setId: input.setId,
    trigger: input.trigger,
    startedAt: input.startedAt,
    finishedAt: input.finishedAt,
    destinations: [
      {
        serverId: input.serverId,
        status: ok ? 'ok' : 'failed',
        counts: { created: 0, updated: o.ok ? o.restored : 0, deleted: o.ok ? o.removed : 0, unchanged: 0 },
        bytes: 0,
        durationMs: Math.max(0, input.finishedAt - input.startedAt),
        message: o.ok
          ? `Restore of run ${input.runId}: ${o.restored} put back, ${o.removed} removed${o.errors ? `, ${o.errors} failed (first: ${o.firstError ?? '?'})` : ''}.`
          : `Restore of run ${input.runId} failed: ${o.message}`,
        logPath: null,
      },
    ],
  };
}
