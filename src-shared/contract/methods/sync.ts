import { z } from 'zod';
import {
  compareMethod,
  syncMode,
  syncSet,
  syncPlanOutput,
  syncEntriesInput,
  syncEntriesOutput,
  syncApplyInput,
  syncApplyOutput,
  syncCancelInput,
  syncCancelOutput,
  syncRestoreInput,
  syncRestoreOutput,
  syncRunsInput,
  syncRunsOutput,
  runRecord,
  sudoPasswords,
} from '../schemas/sync.js';

const id = z.string().min(1).max(100);

/** The most of one file `sync.fileDiff` sends per side; larger files are only described. */
export const FILE_DIFF_LIMIT = 256 * 1024;

/** One side of a file as `sync.fileDiff` gives it: absent, its text, or why it is not shown as text. */
export const fileSide = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('absent') }),
  z.object({ kind: z.literal('text'), size: z.number(), text: z.string() }),
  z.object({ kind: z.literal('binary'), size: z.number() }),
  z.object({ kind: z.literal('too-large'), size: z.number(), limit: z.number() }),
  z.object({ kind: z.literal('not-a-file'), type: z.string() }),
]);

/** A set as the editor sends it: the id is made by the service for a new set. */
export const syncSetDraft = syncSet.extend({ id: id.optional() });

/** `sets.*` (sync sets) and `sync.*` (plan, page, apply, cancel, restore, history). */
export const syncMethods = {
  'sets.list': { input: z.object({}).strict(), output: z.object({ sets: z.array(syncSet) }) },
  'sets.save': { input: z.object({ set: syncSetDraft }).strict(), output: z.object({ set: syncSet }) },
  'sets.remove': { input: z.object({ id }).strict(), output: z.object({ removed: z.boolean() }) },
  /** Which source files a set's globs keep and which they leave out (the live preview of the set editor). */
  'sets.preview': {
    input: z
      .object({
        set: syncSetDraft,
        serverId: id.optional(),
        limit: z.number().int().min(1).max(5000).default(500),
      })
      .strict(),
    output: z.object({
      serverId: z.string(),
      items: z.array(
        z.object({
          path: z.string(),
          resolvedRoot: z.string(),
          exists: z.boolean(),
          included: z.array(z.string()),
          excluded: z.array(z.string()),
          includedTotal: z.number().int(),
          excludedTotal: z.number().int(),
        }),
      ),
    }),
  },
  /**
   * Plans a set: the source defaults to the primary and the destinations to every secondary. Not Selected
   * servers and the primary are refused as destinations.
   */
  'sync.plan': {
    input: z
      .object({
        setId: id,
        sourceServerId: id.optional(),
        destinationServerIds: z.array(id).min(1).max(200).optional(),
        /** This run only: Strict (mirror) or Easy (update) instead of the set's own mode. */
        mode: syncMode.optional(),
        /** This run only: how files are compared instead of the set's own method. */
        compare: compareMethod.optional(),
        /** Chosen by the caller so that `sync.cancelPlan` can stop this plan while it is computed. */
        planRequestId: id.optional(),
        /** Sudo passwords for this plan's connections (kept by them until the run ends), by server id. */
        sudoPasswords: sudoPasswords.optional(),
        /**
         * The caller applies this plan as soon as it is made (`configsync sync --yes`): each destination
         * whose plan has changes starts its session for small commands right away.
         */
        applyNext: z.boolean().optional(),
      })
      .strict(),
    output: syncPlanOutput.extend({
      setId: z.string(),
      sourceServerId: z.string(),
      /** Per destination server id: the folder on that host that keeps this set's backups (`~` = its home). */
      backupFolders: z.record(z.string(), z.string()),
    }),
  },
  /**
   * Stops a `sync.plan` still being computed (its scans are abandoned and its connections closed); that
   * call then fails with PLAN_CANCELLED. A cancel that arrives before its plan is honoured when it comes.
   */
  'sync.cancelPlan': {
    input: z.object({ planRequestId: id }).strict(),
    output: z.object({ cancelled: z.boolean() }),
  },
  'sync.entries': { input: syncEntriesInput, output: syncEntriesOutput },
  /**
   * What one target's plan does once the unticked paths are left out (the rule apply follows): counts of
   * the changes that stay and the bytes they copy, delete and back up (what is overwritten or deleted).
   */
  'sync.tickedSummary': {
    input: z
      .object({ planId: id, targetId: id, exclude: z.array(z.string().max(4096)).max(100_000).default([]) })
      .strict(),
    output: z.object({
      create: z.number().int(),
      update: z.number().int(),
      delete: z.number().int(),
      bytesToCopy: z.number(),
      bytesToDelete: z.number(),
      bytesToBackUp: z.number(),
    }),
  },
  /**
   * Both versions of one path of a plan, read on demand for the side-by-side diff: only paths the plan
   * lists can be read, each side is size-capped, and binary files are named as such instead of sent.
   */
  'sync.fileDiff': {
    input: z.object({ planId: id, targetId: id, path: z.string().min(1).max(4096) }).strict(),
    output: z.object({ path: z.string(), source: fileSide, destination: fileSide }),
  },
  'sync.apply': { input: syncApplyInput, output: syncApplyOutput },
  'sync.cancel': { input: syncCancelInput, output: syncCancelOutput },
  /** Waits for a run to end (or returns it at once when it has) and gives its record. */
  'sync.wait': { input: z.object({ runId: id }).strict(), output: runRecord },
  'sync.restore': { input: syncRestoreInput, output: syncRestoreOutput },
  'sync.runs': { input: syncRunsInput, output: syncRunsOutput },
  /**
   * Ends the interrupted runs on a destination (a killed process, a lost link) from their journals:
   * `complete` puts the rest of the staged files in place, `rollback` restores the run's backup.
   */
  'sync.recover': {
    input: z
      .object({
        serverId: id,
        mode: z.enum(['complete', 'rollback']).default('complete'),
        /** The user confirmed: the lock left by the interrupted run's gone process may be broken. */
        breakLock: z.boolean().default(false),
        /** Replace even paths changed since the run (each backed up first); default: leave and list them. */
        overwrite: z.boolean().default(false),
        sudoPasswords: sudoPasswords.optional(),
      })
      .strict(),
    output: z.object({
      recovered: z.array(
        z.object({
          runId: z.string(),
          outcome: z.enum(['nothing-to-do', 'rolled-back', 'completed', 'superseded']),
          errors: z.array(z.object({ path: z.string(), message: z.string() })),
          left: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
          /** The recovery's own run (in the runs list and History; restorable in turn). */
          recoveryRunId: z.string().optional(),
          setName: z.string().optional(),
          /** Paths put in place (completed) or back (rolled back), and removed. */
          written: z.number().int().min(0).optional(),
          removed: z.number().int().min(0).optional(),
        }),
      ),
    }),
  },
} as const;
