import type {
  FileIndex,
  Plan,
  PlanOptions,
  Progress,
  RunReport,
  RunStatus,
} from '../../src-shared/model/sync.js';
import type { Endpoint } from '../transport/endpoint.js';
import { AppError } from '../errors/app-error.js';
import type { ErrorCode } from '../../src-shared/errors.js';
import { apply, newRunId, worthAStream, type ApplyOptions } from './apply.js';
import { mapBounded } from './bounded.js';
import type { FilterSpec } from './filters.js';
import { planSliced } from './plan.js';
import { settleSameContent, SourceHashes } from './same-content.js';
import { DEFAULT_FAN_OUT, planActions } from '../../src-shared/model/sync.js';
import { scan } from './scan.js';
import { trace } from '../trace.js';
import { newRolloutState, rollOut, type RolloutPolicy, type RolloutState } from './rollout.js';

export { mapBounded } from './bounded.js';

/** A destination to plan for: how to reach it (within its contact timeout) and which root to write. */
export type FanOutTarget = {
  readonly id: string;
  readonly label: string;
  readonly root: string;
  readonly connect: () => Promise<Endpoint>;
  /** Journal and backups on that destination; default `~/.configsync` there. */
  readonly stateDir?: string;
};

export type TargetPlan =
  | {
      readonly id: string;
      readonly label: string;
      readonly ok: true;
      readonly endpoint: Endpoint;
      readonly plan: Plan;
      readonly stateDir?: string;
    }
  | {
      readonly id: string;
      readonly label: string;
      readonly ok: false;
      readonly status: RunStatus;
      readonly code: ErrorCode;
      readonly message: string;
    };

export type PlanAllOptions = {
  readonly planOptions: PlanOptions;
  readonly filter: FilterSpec;
  readonly concurrency?: number;
  /**
   * An apply follows at once (`sync --yes`): a destination whose plan has changes starts its command
   * session as soon as it is planned, so the run's first small command (its backup) finds it running.
   * Not earlier: opened while the tree is listed, its login on the server competed with the listing
   * for the CPU, and a plan with no changes (no change: 0.75 → 0.87 s here) paid for it for nothing.
   */
  readonly applyNext?: boolean;
};

/**
 * One scan of the source, then (in parallel, bounded) connect + scan + plan per destination. A
 * destination that cannot be reached is reported as unreachable and left out; the others go on.
 */
export async function planAll(
  source: Endpoint,
  sourceRoot: string,
  targets: ReadonlyArray<FanOutTarget>,
  options: PlanAllOptions,
): Promise<{ readonly sourceIndex: FileIndex; readonly targets: ReadonlyArray<TargetPlan> }> {
  const hash = options.planOptions.compare === 'checksum';
  // The source is read while the destinations connect and list: the slowest of them sets the pace.
  const sourceScan = scan(source, sourceRoot, { ...options.filter, hash });
  sourceScan.then(
    () => trace('source scanned'),
    () => undefined,
  );
  const sourceHashes = new SourceHashes(source, sourceRoot);
  const planned = await mapBounded(
    targets,
    options.concurrency ?? DEFAULT_FAN_OUT,
    async (t): Promise<TargetPlan> => {
      let endpoint: Endpoint;
      try {
        endpoint = await t.connect();
      } catch (err) {
        const code = codeOf(err);
        return {
          id: t.id,
          label: t.label,
          ok: false,
          // Reached, but its sudo said no: not a host that could not be reached.
          status: code.startsWith('SUDO_') ? 'sudo-refused' : 'unreachable',
          code,
          message: (err as Error).message,
        };
      }
      try {
        // A run follows at once: the listing's session (its login paid) stays for the run's commands.
        if (options.applyNext) endpoint.keepListingSession?.();
        const destIndex = await scan(endpoint, t.root, { ...options.filter, hash });
        trace(`${t.label}: destination scanned`);
        // A source that cannot be read fails the whole plan (below, once every destination settled).
        const sourceIndex = await sourceScan;
        // Files that differ in their modified time only get it set in place (see settleSameContent).
        const p = await settleSameContent(
          await planSliced(sourceIndex, destIndex, {
            ...options.planOptions,
            ...(endpoint.windowsNames ? { windowsNames: true } : {}),
          }),
          source,
          endpoint,
          destIndex.canSetOwners === true,
          sourceHashes,
        );
        // A run that will stream files starts with a shell command: its session (a login on the
        // server) is opened now, while the plan is shown and confirmed.
        const writes = p.entries.filter(
          (e) => (e.action === 'create' || e.action === 'update') && e.source && !e.sameContent,
        );
        if (worthAStream(writes.map((e) => ({ size: e.source?.size ?? 0 })))) {
          // When the run follows at once, its backup's commands go on the command session, started
          // now beside the session opened ahead (which the run's first command takes).
          if (options.applyNext) endpoint.openCommandSession?.();
          endpoint.prepareCommand?.();
          source.prepareCommand?.();
        } else if (
          p.entries.some((e) => e.action === 'create' || e.action === 'update' || e.action === 'delete')
        ) {
          // Any run takes its backup and sets times by small shell commands (one kept session, see
          // SshConnection's command session): it starts from a session opened now, or, when the run
          // follows at once, is started now.
          if (options.applyNext && endpoint.openCommandSession) endpoint.openCommandSession();
          else endpoint.prepareCommand?.();
        }
        trace(`${t.label}: planned`);
        return {
          id: t.id,
          label: t.label,
          ok: true,
          endpoint,
          plan: p,
          ...(t.stateDir ? { stateDir: t.stateDir } : {}),
        };
      } catch (err) {
        return {
          id: t.id,
          label: t.label,
          ok: false,
          status: 'failed',
          code: codeOf(err),
          message: (err as Error).message,
        };
      }
    },
  );
  return { sourceIndex: await sourceScan, targets: planned };
}

export type ApplyAllOptions = Omit<ApplyOptions, 'onProgress' | 'runId'> & {
  readonly runId?: string;
  readonly concurrency?: number;
  /** The set's roll-out order; without one, every destination at once up to `concurrency`. */
  readonly rollout?: RolloutPolicy;
  /** Failures and a stop carried over from the run's earlier items. */
  readonly rolloutState?: RolloutState;
  readonly onProgress?: (targetId: string, p: Progress) => void;
};

/**
 * Applies each planned destination (bounded parallelism, one shared run id). A refusal by a guard or
 * a failure on one destination becomes that destination's report; it never stops the others.
 */
export async function applyAll(
  source: Endpoint,
  targets: ReadonlyArray<TargetPlan>,
  options: ApplyAllOptions,
): Promise<ReadonlyArray<RunReport & { readonly targetId: string }>> {
  const runId = options.runId ?? newRunId();
  const { concurrency, onProgress, rollout, rolloutState, ...rest } = options;
  const policy: RolloutPolicy = rollout ?? {
    order: 'all',
    parallel: concurrency ?? DEFAULT_FAN_OUT,
    stopAfterFailures: 0,
  };
  type Report = RunReport & { readonly targetId: string };
  return rollOut(
    targets,
    policy,
    rolloutState ?? newRolloutState(),
    (t) => applyOne(t),
    (r: Report) => r.status !== 'completed' && r.status !== 'cancelled',
    (t, why): Report => ({ ...emptyReport(runId, t.label, 'cancelled', why), targetId: t.id }),
    (t) => t.label,
  );

  async function applyOne(t: TargetPlan): Promise<Report> {
    if (!t.ok) return { ...emptyReport(runId, t.label, t.status, t.message), code: t.code, targetId: t.id };
    try {
      const report = await apply(t.plan, source, t.endpoint, {
        ...rest,
        ...(t.stateDir ? { stateDir: t.stateDir } : {}),
        runId,
        ...(onProgress ? { onProgress: (p: Progress) => onProgress(t.id, p) } : {}),
      });
      return { ...report, targetId: t.id };
    } catch (err) {
      const code = codeOf(err);
      const status: RunStatus = code.startsWith('GUARD_') ? 'refused' : 'failed';
      return { ...emptyReport(runId, t.label, status, (err as Error).message), code, targetId: t.id };
    }
  }
}

export function emptyReport(
  runId: string,
  destination: string,
  status: RunStatus,
  message: string,
): RunReport {
  const now = new Date().toISOString();
  return {
    runId,
    destination,
    status,
    message,
    startedAt: now,
    finishedAt: now,
    durationMs: 0,
    counts: Object.fromEntries(planActions.map((a) => [a, 0])) as RunReport['counts'],
    filesWritten: 0,
    filesDeleted: 0,
    bytesWritten: 0,
    applied: [],
    notApplied: [],
    errors: [],
    mismatches: [],
    verified: false,
    fastPath: false,
  };
}

function codeOf(err: unknown): ErrorCode {
  return err instanceof AppError ? err.code : 'INTERNAL';
}
