import { z } from 'zod';
import { errorCode } from '../envelope.js';
import {
  DEFAULT_DELETE_THRESHOLD,
  DEFAULT_EXCLUDES,
  DEFAULT_FAN_OUT,
  rolloutOrders,
  DEFAULT_KEEP_RUNS,
  DEFAULT_TOLERANCE_MS,
  guardCodes,
  planActions,
  runPhases,
  runStatuses,
  type PlanEntry,
  type PlanSummary,
  type Progress,
  type RunReport,
} from '../../model/sync.js';

export const syncMode = z.enum(['mirror', 'update']);

/**
 * The order destinations are applied in (Ansible's `serial` and `max_fail_percentage`, in ConfigSync's
 * words): all at once up to `parallel`, one at a time, or canary (the first destination alone; when it
 * fails, the others are not started; then the rest up to `parallel`). `stopAfterFailures` > 0 starts no
 * further destination once that many have failed.
 */
export const rollout = z.object({
  order: z.enum(rolloutOrders).default('all'),
  parallel: z
    .number()
    .int()
    .min(1, 'At least 1 destination at once')
    .max(64, 'At most 64 destinations at once')
    .default(DEFAULT_FAN_OUT),
  stopAfterFailures: z.number().int().min(0).max(10_000).default(0),
});
export type Rollout = z.output<typeof rollout>;
export const compareMethod = z.enum(['time-size', 'checksum']);
export const planAction = z.enum(planActions);
export const guardCode = z.enum(guardCodes);
export const entryType = z.enum(['file', 'dir', 'symlink']);

/** A named set of items kept identical from a source server to its destinations. */
export const syncSet = z.object({
  id: z.string().min(1).max(100),
  /** Names the backup folder too: letters, digits, `.`, `_`, `-`. */
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'use letters, digits, ".", "_" and "-"'),
  /** Each item is a folder path, the same on every server (the server's ${VARS} allowed). */
  items: z
    .array(z.object({ path: z.string().min(1).max(4096) }))
    .min(1)
    .max(100),
  include: z.array(z.string().max(1000)).max(500).default([]),
  exclude: z
    .array(z.string().max(1000))
    .max(500)
    .default([...DEFAULT_EXCLUDES]),
  mode: syncMode.default('mirror'),
  compare: compareMethod.default('time-size'),
  toleranceMs: z.number().int().min(0).max(3_600_000).default(DEFAULT_TOLERANCE_MS),
  keepRuns: z.number().int().min(1).max(1000).default(DEFAULT_KEEP_RUNS),
  deleteThreshold: z.number().min(0).max(1).default(DEFAULT_DELETE_THRESHOLD),
  validateCommand: z.string().max(4000).optional(),
  postApplyCommand: z.string().max(4000).optional(),
  /**
   * Run on each destination after its swap and the post-apply command (a probe); non-zero, or no
   * answer within `healthTimeoutSec` (default 60), rolls that destination back from the run's backup.
   */
  healthCommand: z.string().max(4000).optional(),
  healthTimeoutSec: z.number().int().min(1, 'At least 1 second').max(3600, 'At most 3600 seconds').optional(),
  /** Owners and groups: by name like rsync (default), by numeric id, or left as they are. */
  owners: z.enum(['name', 'numeric', 'ignore']).default('name'),
  /** Symlinks that point out of the root are skipped (and listed) instead of copied as they are. */
  skipEscapingLinks: z.boolean().default(false),
  /** xattrs and POSIX ACLs; absent: carried when the destination is reached as root. */
  xattrs: z.boolean().optional(),
  rollout: rollout.default({ order: 'all', parallel: DEFAULT_FAN_OUT, stopAfterFailures: 0 }),
});
export type SyncSetInput = z.input<typeof syncSet>;
export type SyncSet = z.output<typeof syncSet>;

export const entryMeta = z.object({
  type: entryType,
  size: z.number(),
  mtimeMs: z.number(),
  nsec: z.number().int().optional(),
  mode: z.number().int(),
  linkTarget: z.string().optional(),
  hash: z.string().optional(),
  linkId: z.string().optional(),
  uid: z.number().int().optional(),
  gid: z.number().int().optional(),
  user: z.string().optional(),
  group: z.string().optional(),
});

export const planEntry = z.object({
  path: z.string(),
  action: planAction,
  reason: z.string(),
  source: entryMeta.optional(),
  destination: entryMeta.optional(),
  sameContent: z.literal(true).optional(),
});

/** Counts per plan action; a record written before an action existed reads that action as 0. */
const actionCounts = z.preprocess(
  (v) => (v !== null && typeof v === 'object' ? { skip: 0, ...v } : v),
  z.record(planAction, z.number().int()),
);

export const planSummary = z.object({
  counts: actionCounts,
  bytesToCopy: z.number(),
  bytesToDelete: z.number(),
  bytesToBackUp: z.number(),
  destinationFiles: z.number().int(),
  sourceFiles: z.number().int(),
});

export const pathError = z.object({ path: z.string(), message: z.string() });

export const runReport = z.object({
  runId: z.string(),
  destination: z.string(),
  status: z.enum(runStatuses),
  message: z.string().optional(),
  code: errorCode.optional(),
  startedAt: z.string(),
  finishedAt: z.string(),
  durationMs: z.number(),
  counts: actionCounts,
  filesWritten: z.number().int(),
  timesSet: z.number().int().optional(),
  filesDeleted: z.number().int(),
  bytesWritten: z.number(),
  applied: z.array(z.string()),
  notApplied: z.array(z.string()),
  errors: z.array(pathError),
  mismatches: z.array(pathError),
  warnings: z.array(pathError).optional(),
  verified: z.boolean(),
  fastPath: z.boolean(),
  backupDir: z.string().optional(),
  journalPath: z.string().optional(),
});

export const progress = z.object({
  runId: z.string(),
  destination: z.string(),
  phase: z.enum(runPhases),
  filesDone: z.number().int(),
  filesTotal: z.number().int(),
  bytesDone: z.number(),
  bytesTotal: z.number(),
  currentPath: z.string(),
  bytesPerSecond: z.number(),
});

/** One destination × item of a plan: its summary and what the guards say, or why it could not be planned. */
export const planTarget = z.object({
  targetId: z.string(),
  serverId: z.string(),
  item: z.string(),
  ok: z.boolean(),
  summary: planSummary.optional(),
  guards: z.array(z.object({ code: guardCode, message: z.string() })).default([]),
  status: z.enum(runStatuses).optional(),
  code: errorCode.optional(),
  message: z.string().optional(),
  /** Said once for this destination before anything runs (owners it cannot set...). */
  notes: z.array(z.string()).default([]),
});

export const syncPlanInput = z
  .object({
    set: syncSet,
    sourceServerId: z.string().min(1),
    destinationServerIds: z.array(z.string().min(1)).min(1).max(200),
    /** An apply follows at once: destinations with changes start their command sessions when planned. */
    applyNext: z.boolean().optional(),
  })
  .strict();
export const syncPlanOutput = z.object({
  planId: z.string(),
  createdAt: z.string(),
  targets: z.array(planTarget),
});

export const syncEntriesInput = z
  .object({
    planId: z.string(),
    targetId: z.string(),
    offset: z.number().int().min(0).default(0),
    limit: z.number().int().min(1).max(1000).default(200),
    actions: z.array(planAction).optional(),
    search: z.string().max(1000).optional(),
    /** Unticked paths (a folder: all below it): their changes are left out of the answer. */
    exclude: z.array(z.string().max(4096)).max(100_000).optional(),
    /** Rows grouped by folder, each folder headed by its counts (`rows`, and `total` counts rows). */
    group: z.boolean().optional(),
    /** Folders shown by their header only (with `group`). */
    collapsed: z.array(z.string().max(4096)).max(100_000).optional(),
  })
  .strict();
export const folderRow = z.object({
  kind: z.literal('folder'),
  path: z.string(),
  entries: z.number().int(),
  counts: z.record(planAction, z.number().int()),
  collapsed: z.boolean(),
});
export const groupRow = z.discriminatedUnion('kind', [
  folderRow,
  z.object({ kind: z.literal('entry'), entry: planEntry }),
]);
export const syncEntriesOutput = z.object({
  total: z.number().int(),
  entries: z.array(planEntry),
  rows: z.array(groupRow).optional(),
  /** With `group`: how many entries match (total then counts rows, folder headers included). */
  matched: z.number().int().optional(),
});

export const syncApplyInput = z
  .object({
    planId: z.string(),
    confirm: z.array(guardCode).default([]),
    targetIds: z.array(z.string()).optional(),
    /** Per target, the paths the user unticked (a folder: all below it): the run leaves them as they are. */
    exclude: z
      .array(z.object({ targetId: z.string(), paths: z.array(z.string().max(4096)).max(100_000) }).strict())
      .optional(),
    /** The user confirmed: a destination lock whose holder is gone may be broken. */
    breakLock: z.boolean().optional(),
  })
  .strict();
export const syncApplyOutput = z.object({ runId: z.string() });

export const syncCancelInput = z.object({ runId: z.string() }).strict();
export const syncCancelOutput = z.object({ cancelled: z.boolean() });

/**
 * Sudo passwords for this call only, by server id (servers whose sudo asks for one): kept in memory
 * while the call connects, never stored or logged.
 */
export const sudoPasswords = z.record(z.string().min(1).max(100), z.string().min(1).max(1024));

export const syncRestoreInput = z
  .object({
    serverId: z.string(),
    setName: z.string(),
    runId: z.string(),
    /** Put back even paths changed since the run (each is backed up first); default: leave and list them. */
    overwrite: z.boolean().optional(),
    sudoPasswords: sudoPasswords.optional(),
  })
  .strict();
export const syncRestoreOutput = z.object({
  restored: z.number().int(),
  removed: z.number().int(),
  errors: z.array(pathError),
  /** Paths changed since the run, left as they are. */
  left: z.array(pathError).optional(),
  /** The restore's own run (its record and its backup of what it replaced: restorable in turn). */
  runId: z.string().optional(),
});

export const runRecord = z.object({
  runId: z.string(),
  setName: z.string(),
  startedAt: z.string(),
  finishedAt: z.string().optional(),
  state: z.enum(['running', 'finished']),
  reports: z.array(
    runReport.extend({
      targetId: z.string(),
      /** Changes of the plan the user unticked, left as they were (absent: none). */
      leftOut: z.number().int().optional(),
      /** Paths the plan left different on purpose (an Easy run's extra and newer files; absent: none). */
      leftDifferent: z.number().int().optional(),
    }),
  ),
});
export const syncRunsInput = z.object({}).strict();
export const syncRunsOutput = z.object({ runs: z.array(runRecord) });

/** Event payloads: a progress sample of one target, and the end of a run. */
export const syncProgressEvent = progress.extend({ targetId: z.string() });
export const syncFinishedEvent = runRecord;

// The model's hand-written types and these schemas must describe the same shapes.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Mutable<T> = { -readonly [K in keyof T]: T[K] extends ReadonlyArray<infer U> ? U[] : T[K] };
export const schemasMatchModel: [
  Same<z.output<typeof planEntry>, Mutable<PlanEntry>>,
  Same<z.output<typeof planSummary>, Mutable<PlanSummary>>,
  Same<z.output<typeof progress>, Mutable<Progress>>,
] = [true, true, true];
export const runReportMatchesModel: z.output<typeof runReport> extends Mutable<RunReport> ? true : false =
  true;
