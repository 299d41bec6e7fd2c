import { z } from 'zod';
import { destinationStatus, runTrigger } from '../../model/history.js';
import { serverListState, serverRole } from '../../model/server.js';

/** Where a cell of the status tab comes from: a drift or health check, or a run (or restore) History lists. */
export const driftSource = z.object({
  kind: z.enum(['check', 'run', 'restore']),
  runId: z.string().optional(),
  at: z.number(),
});
export type DriftSource = z.infer<typeof driftSource>;

/** Whether a server's files match the primary's, from the last drift check (a plan, nothing applied). */
export const driftState = z.object({
  state: z.enum(['in-sync', 'differs', 'unknown']),
  /** Paths to create, update or delete over every set; 0 unless `differs`. */
  differences: z.number().int().min(0),
  /** Epoch ms of the check (or of the run that brought it in sync); null when never checked. */
  checkedAt: z.number().nullable(),
  message: z.string(),
  /** What the state was learnt from (the newest of them, over the sets); null: nothing yet. */
  source: driftSource.nullable().optional(),
});
export type DriftState = z.infer<typeof driftState>;

export const checkState = z.enum(['ok', 'warning', 'failed', 'unknown']);
export type CheckState = z.infer<typeof checkState>;

/** CMS HA's daily checklist, per server: link up, free space on the synced paths, backups ran, errors in the last runs. */
export const healthCheckId = z.enum(['link', 'free-space', 'backups', 'errors']);
export type HealthCheckId = z.infer<typeof healthCheckId>;

export const healthState = z.object({
  state: checkState,
  checkedAt: z.number().nullable(),
  checks: z.array(
    z.object({
      id: healthCheckId,
      state: checkState,
      message: z.string(),
      /** Where this check's answer comes from: the health check, a later contact, or History's runs. */
      source: driftSource.optional(),
    }),
  ),
});
export type HealthState = z.infer<typeof healthState>;

/** One row of the Synchronization status tab. */
export const serverStatus = z.object({
  serverId: z.string(),
  name: z.string(),
  role: serverRole,
  /** `user@host:port`, or "this computer". */
  address: z.string(),
  contact: z.object({ at: z.string().nullable(), ok: z.boolean().nullable(), message: z.string() }),
  lastSync: z
    .object({
      runId: z.string(),
      setId: z.string(),
      setName: z.string(),
      at: z.number(),
      status: destinationStatus,
      trigger: runTrigger,
      message: z.string(),
      /** 'restore' when the newest run on this server put it back as before an earlier run. */
      kind: z.enum(['sync', 'restore', 'recover']).optional(),
    })
    .nullable(),
  drift: driftState,
  lastBackup: z
    .object({ at: z.number(), runId: z.string(), setName: z.string(), path: z.string() })
    .nullable(),
  health: healthState,
});
export type ServerStatus = z.infer<typeof serverStatus>;

/** Where a store's schedules run: this process, another one (the app, a service, `configsync scheduler`), or nowhere. */
export const schedulerRunner = z.object({
  where: z.enum(['this-process', 'another-process', 'nowhere']),
  kind: z.enum(['app', 'browser', 'scheduler', 'service']).optional(),
  pid: z.number().int().optional(),
  host: z.string().optional(),
  /** Epoch ms since it runs them. */
  since: z.number().optional(),
});
export type SchedulerRunnerView = z.infer<typeof schedulerRunner>;

export const statusOverview = z.object({
  generatedAt: z.number(),
  /** A drift or health check is under way. */
  checking: z.boolean(),
  lastCheckAt: z.number().nullable(),
  servers: z.array(serverStatus),
  /** Switch-over: offered when the primary's last contact failed; candidates are the secondaries. */
  promote: z.object({
    offered: z.boolean(),
    primaryId: z.string().nullable(),
    reason: z.string(),
    candidates: z.array(z.string()),
  }),
  /** Whether this process runs schedules and automatic triggers (the long-running shells do; the CLI only in `configsync scheduler`). */
  background: z.object({
    running: z.boolean(),
    scheduleEntries: z.number().int(),
    autoSyncSets: z.array(z.string()),
    busy: z.array(z.string()),
    /** One scheduler per store: who runs this store's schedules. */
    runner: schedulerRunner.optional(),
    /** When each enabled schedule entry runs next (epoch ms; null: never again). */
    nextRuns: z.array(z.object({ entryId: z.string(), at: z.number().nullable() })).optional(),
  }),
});
export type StatusOverview = z.infer<typeof statusOverview>;

/** `status.*` (the Synchronization status tab and `configsync status`) and the switch-over. */
export const statusMethods = {
  'status.overview': { input: z.object({}).strict(), output: statusOverview },
  /** Runs a drift check (every set planned, nothing applied) and the health checks now, then answers. */
  'status.checkNow': { input: z.object({}).strict(), output: statusOverview },
  /**
   * Switch-over: makes a secondary the primary (and the old primary a secondary, overwritten by the next
   * sync), saved at once. Refused while the server list has unsaved edits.
   */
  'servers.promote': {
    input: z.object({ id: z.string().min(1) }).strict(),
    output: z.object({
      state: serverListState,
      previousPrimaryId: z.string().nullable(),
      message: z.string(),
    }),
  },
  /** Starts schedules and automatic triggers in this process when they are not running yet (`configsync scheduler`). */
  'scheduler.start': {
    /** `service`: started by the system service (`configsync scheduler --service`), as it says to others. */
    input: z.object({ service: z.boolean().optional() }).strict(),
    output: z.object({
      running: z.boolean(),
      scheduleEntries: z.number().int(),
      autoSyncSets: z.array(z.string()),
      runner: schedulerRunner.optional(),
    }),
  },
} as const;
