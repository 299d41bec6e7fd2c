import type {
  PathError,
  Plan,
  PlanEntry,
  Progress,
  RunReport,
  RunStatus,
} from '../../src-shared/model/sync.js';
import type { Endpoint } from '../transport/endpoint.js';
import { ON_DESTINATION } from './plan.js';
import { trace } from '../trace.js';
import type { GuardOptions } from './guards.js';
import type { LockOptions } from './lock.js';
import type { Journal, JournalFile, JournalPhase, JournalRetime, JournalWrite } from './journal.js';
import type { ProgressReporter } from './progress.js';
import type { ErrorCode } from '../../src-shared/errors.js';

export type ApplyOptions = {
  /** The sync set's name: backups live under `<stateDir>/backups/<setName>/<runId>/`. */
  readonly setName: string;
  readonly runId?: string;
  /**
   * The folder under which each destination root has its own state folder (lock, journals,
   * backups: `<stateDir>/roots/<hash of the root>`); default `~/.configsync` there.
   */
  readonly stateDir?: string;
  /** Who the run's lock names, and whether a stale lock may be broken (the user confirmed). */
  readonly lock?: LockOptions;
  /** Backups kept per set (default 10). */
  readonly keepRuns?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: Progress) => void;
  /** Run on the destination in the staging folder before anything is swapped in; non-zero stops the run. */
  readonly validateCommand?: string;
  /** Run on the destination in the root after the swap (e.g. reload a service). */
  readonly postApplyCommand?: string;
  /**
   * Run on the destination in the root after the swap and the post-apply command (a probe: `curl -fsS
   * localhost/health`); non-zero, or no answer within `healthTimeoutSec`, rolls that destination back
   * from this run's backup.
   */
  readonly healthCommand?: string;
  /** Seconds the health command may take (default 60). */
  readonly healthTimeoutSec?: number;
  readonly guards?: GuardOptions;
  /**
   * The bulk (tar) or the per-file (SFTP) transfer. Default: bulk when both sides have their fast path
   * on; `auto`: bulk only for a run worth a stream of its own (see worthAStream).
   */
  readonly bulk?: boolean | 'auto';
};

import type { OwnerMapper } from './metadata.js';
import type { BackupManifest } from './backup.js';

export type StagedWrite = JournalWrite & { readonly size: number };

/** Everything one run on one destination carries from phase to phase. */
export type RunContext = {
  readonly plan: Plan;
  readonly source: Endpoint;
  readonly destination: Endpoint;
  readonly options: ApplyOptions;
  readonly runId: string;
  readonly setName: string;
  readonly startedAt: Date;
  readonly root: string;
  /** This root's own state folder on the destination (see rootStateDir). */
  readonly stateDir: string;
  readonly journalPath: string;
  readonly backupDir: string;
  readonly stagingDir: string;
  /** Files and symlinks staged then renamed in; folders made or set; extras deleted. */
  readonly writes: ReadonlyArray<StagedWrite>;
  readonly dirs: ReadonlyArray<JournalWrite>;
  readonly deletes: Journal['deletes'];
  /** Files of the same content on both sides: only their modified time is set, in place. */
  readonly retimes: ReadonlyArray<JournalRetime>;
  readonly changedPaths: ReadonlyArray<string>;
  /** One tar stream (or two) rather than file by file over SFTP. */
  readonly bulk: boolean;
  /** Destination ids for the source's owners and groups (by name or id; none where they cannot be set). */
  readonly owner: OwnerMapper;
  readonly progress: ProgressReporter;
  readonly journalFile: JournalFile;
  /**
   * The backup's manifest as this run last wrote it (set by the backup): its later records are added
   * to this copy, not to one read back and parsed again (tens of MB for 100,000 files).
   */
  manifest?: BackupManifest;
  /** The journal as last written (each phase rewrites it). */
  journal: Journal;
};

export const isChange = (e: PlanEntry) =>
  e.action === 'create' || e.action === 'update' || e.action === 'delete';

/** Records that the run reached `phase` (with anything else the journal should now say). */
export async function mark(
  ctx: RunContext,
  phase: JournalPhase,
  extra: Partial<Journal> = {},
): Promise<void> {
  ctx.journal = { ...ctx.journal, ...extra, phase };
  await ctx.journalFile.write(ctx.journal);
  trace(`${ctx.destination.label}: journal ${phase}`);
}

export type ReportParts = {
  readonly applied?: ReadonlyArray<string>;
  readonly errors?: PathError[];
  readonly mismatches?: PathError[];
  readonly warnings?: PathError[];
  readonly message?: string;
  /** The error code behind a run that did not complete (DESTINATION_LOCKED, PLAN_STALE...). */
  readonly code?: ErrorCode;
};

/**
 * Entries on the destination a run could neither carry nor replace (a FIFO, socket or device there, a
 * name it cannot hold): left as they are, so the destination is not an exact copy after the run.
 */
export function badDestinationEntries(plan: Plan): PathError[] {
  return plan.entries
    .filter((e) => e.action === 'skip' && e.reason.startsWith(ON_DESTINATION))
    .map((e) => ({
      path: e.path,
      message: `left on the destination: ${e.reason.slice(ON_DESTINATION.length)}`,
    }));
}

/**
 * The run's report: what reached the destination (`applied`) is counted from `r`, whatever the status.
 * A run that completed but left bad entries on the destination says so (BAD_ENTRY, each listed).
 */
export function report(ctx: RunContext, status: RunStatus, r0: ReportParts): RunReport {
  const bad =
    status === 'completed' || status === 'completed-with-errors' ? badDestinationEntries(ctx.plan) : [];
  const r: ReportParts =
    bad.length === 0 || r0.code
      ? r0
      : {
          ...r0,
          code: 'BAD_ENTRY',
          warnings: [...(r0.warnings ?? []), ...bad],
          message:
            r0.message ??
            `${bad.length} entr${bad.length === 1 ? 'y' : 'ies'} on the destination could not be carried and ${bad.length === 1 ? 'was' : 'were'} left as ${bad.length === 1 ? 'it is' : 'they are'} (first: ${bad[0]?.path}: ${bad[0]?.message}).`,
        };
  const applied = new Set(r.applied ?? []);
  const finishedAt = new Date();
  ctx.progress.flush();
  const { writes, deletes } = ctx;
  const timesSet = ctx.retimes.filter((t) => applied.has(t.path)).length;
  return {
    runId: ctx.runId,
    destination: ctx.destination.label,
    status,
    ...(r.message ? { message: r.message } : {}),
    ...(r.code ? { code: r.code } : {}),
    startedAt: ctx.startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: finishedAt.getTime() - ctx.startedAt.getTime(),
    counts: ctx.plan.summary.counts,
    filesWritten: writes.filter((w) => applied.has(w.path)).length,
    ...(timesSet > 0 ? { timesSet } : {}),
    filesDeleted: deletes.filter((d) => applied.has(d.path)).length,
    bytesWritten: writes
      .filter((w) => applied.has(w.path) && w.type === 'file')
      .reduce((n, w) => n + w.size, 0),
    applied: ctx.changedPaths.filter((p) => applied.has(p)),
    notApplied: ctx.changedPaths.filter((p) => !applied.has(p)),
    errors: r.errors ?? [],
    mismatches: r.mismatches ?? [],
    ...(r.warnings && r.warnings.length > 0 ? { warnings: r.warnings } : {}),
    verified: status === 'completed',
    fastPath: ctx.bulk,
    backupDir: ctx.backupDir,
    journalPath: ctx.journalPath,
  };
}
