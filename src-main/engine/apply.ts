import { randomBytes } from 'node:crypto';
import {
  DEFAULT_KEEP_RUNS,
  type PathError,
  type Plan,
  type PlanEntry,
  type Progress,
  type RunReport,
  type RunStatus,
} from '../../src-shared/model/sync.js';
import type { Endpoint } from '../transport/endpoint.js';
import { AppError } from '../rpc/app-error.js';
import { backupDirOf, checkSetName, manifestFor, pruneBackups, restoreBackup, takeBackup } from './backup.js';
import { assertRoomFor, fsProblem } from './fs-problem.js';
import { assertGuards, type GuardOptions } from './guards.js';
import { JournalFile, journalPath, type Journal, type JournalPhase, type JournalWrite } from './journal.js';
import { ProgressReporter } from './progress.js';
import { joinRoot, parentOf } from './rel-path.js';
import { resolveStateDir } from './state-dir.js';
import { CancelledError, checkStaged, stageFiles } from './stage.js';
import { checkSourceUnchanged } from './source-check.js';
import { assertDestinationAsPlanned } from './stale-check.js';
import { swapIn } from './swap.js';
import { trace } from '../trace.js';
import { pruneJournals } from './recover.js';
import { touchedBy, verify, verifyReadsListing } from './verify.js';
import { ownerMapper, settleFolders, tarOptionsFor, writeAttrs } from './metadata.js';

export type ApplyOptions = {
  /** The sync set's name: backups live under `<stateDir>/backups/<setName>/<runId>/`. */
  readonly setName: string;
  readonly runId?: string;
  /** Where journal and backups live on the destination; default `~/.configsync` there. */
  readonly stateDir?: string;
  /** Backups kept per set (default 10). */
  readonly keepRuns?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: Progress) => void;
  /** Run on the destination in the staging folder before anything is swapped in; non-zero stops the run. */
  readonly validateCommand?: string;
  /** Run on the destination in the root after the swap (e.g. reload a service). */
  readonly postApplyCommand?: string;
  readonly guards?: GuardOptions;
  /**
   * The bulk (tar) or the per-file (SFTP) transfer. Default: bulk when both sides have their fast path
   * on; `auto`: bulk only for a run worth a stream of its own (see worthAStream).
   */
  readonly bulk?: boolean | 'auto';
};

/** A run id that sorts by time and is safe as a file name: `20261122T101500123Z-a1b2c3`. */
export function newRunId(now = new Date()): string {
  return `${now.toISOString().replace(/[-:.]/g, '')}-${randomBytes(3).toString('hex')}`;
}

/**
 * A tar stream runs in a shell session of its own, which costs a login on the server (tens to
 * hundreds of ms, whatever its rc files do); a few small files go faster over the SFTP session that
 * is already open, with their writes pipelined.
 */
export function worthAStream(writes: ReadonlyArray<{ readonly size: number }>): boolean {
  return writes.length > 8 || writes.reduce((n, w) => n + w.size, 0) > 4 * 1024 * 1024;
}

const isChange = (e: PlanEntry) => e.action === 'create' || e.action === 'update' || e.action === 'delete';

/**
 * Applies one destination's plan so that nothing is ever lost or half-written: journal first, backup
 * of everything overwritten or deleted, new content staged on the destination's own filesystem,
 * optional validation, atomic renames, deletions, then a verification against the plan. A failure
 * before the swap leaves the destination untouched; a failure during it is rolled back from the backup.
 */
export async function apply(
  plan: Plan,
  source: Endpoint,
  destination: Endpoint,
  options: ApplyOptions,
): Promise<RunReport> {
  if (!plan.entries.some(isChange)) return applyRun(plan, source, destination, options);
  try {
    return await applyRun(plan, source, destination, options);
  } finally {
    // A session started ahead for a command the run did not get to is closed with it.
    await Promise.all([destination.dropPrepared?.(), source.dropPrepared?.()]);
  }
}

async function applyRun(
  plan: Plan,
  source: Endpoint,
  destination: Endpoint,
  options: ApplyOptions,
): Promise<RunReport> {
  const startedAt = new Date();
  const runId = options.runId ?? newRunId(startedAt);
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(runId))
    throw new AppError('BAD_RUN_ID', `"${runId}" is not a valid run id.`);
  const setName = checkSetName(options.setName);
  assertGuards(plan, options.guards);

  const root = plan.destinationRoot;
  const stateDir = await resolveStateDir(destination, options.stateDir);
  const jPath = journalPath(stateDir, runId);
  const backupDir = backupDirOf(stateDir, setName, runId);
  const stagingDir = joinRoot(root, `.configsync-staging-${runId}`);
  const changing = plan.entries.filter(isChange);
  // Owners by name (or id) as the destination knows them; nothing when it cannot set owners.
  const owner = changing.length > 0 ? await ownerMapper(plan, destination) : () => ({});
  const writes: Array<JournalWrite & { size: number }> = [];
  const dirs: JournalWrite[] = [];
  for (const e of changing) {
    const s = e.source;
    if (!s || e.action === 'delete') continue;
    const w = {
      path: e.path,
      type: s.type,
      mode: s.mode,
      mtimeMs: s.mtimeMs,
      ...writeAttrs(s, owner),
      ...(s.linkTarget !== undefined ? { linkTarget: s.linkTarget } : {}),
      replaces: e.destination?.type ?? null,
    };
    if (s.type === 'dir') dirs.push(w);
    else writes.push({ ...w, size: s.size });
  }
  const deletes = changing
    .filter((e) => e.action === 'delete')
    .map((e) => ({ path: e.path, type: e.destination?.type ?? 'file' }));
  const fast = source.fastPath && destination.fastPath;
  const bulk = options.bulk === 'auto' ? fast && worthAStream(writes) : (options.bulk ?? fast);
  const progress = new ProgressReporter(
    {
      runId,
      destination: destination.label,
      filesTotal: writes.length,
      bytesTotal: plan.summary.bytesToCopy,
    },
    options.onProgress,
  );

  let journal: Journal = {
    version: 1,
    runId,
    setName,
    root,
    stagingDir,
    backupDir,
    phase: 'prepared',
    startedAt: startedAt.toISOString(),
    updatedAt: startedAt.toISOString(),
    writes: writes.map(({ size: _size, ...w }) => w),
    dirs,
    deletes,
  };
  const journalFile = new JournalFile(destination, jPath);
  const mark = async (phase: JournalPhase, extra: Partial<Journal> = {}) => {
    journal = { ...journal, ...extra, phase };
    await journalFile.write(journal);
    trace(`${destination.label}: journal ${phase}`);
  };
  const changedPaths = changing.map((e) => e.path);
  const report = (
    status: RunStatus,
    r: { applied?: ReadonlyArray<string>; errors?: PathError[]; mismatches?: PathError[]; message?: string },
  ): RunReport => {
    const applied = new Set(r.applied ?? []);
    const finishedAt = new Date();
    progress.flush();
    return {
      runId,
      destination: destination.label,
      status,
      ...(r.message ? { message: r.message } : {}),
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      durationMs: finishedAt.getTime() - startedAt.getTime(),
      counts: plan.summary.counts,
      filesWritten: writes.filter((w) => applied.has(w.path)).length,
      filesDeleted: deletes.filter((d) => applied.has(d.path)).length,
      bytesWritten: writes
        .filter((w) => applied.has(w.path) && w.type === 'file')
        .reduce((n, w) => n + w.size, 0),
      applied: changedPaths.filter((p) => applied.has(p)),
      notApplied: changedPaths.filter((p) => !applied.has(p)),
      errors: r.errors ?? [],
      mismatches: r.mismatches ?? [],
      verified: status === 'completed',
      fastPath: bulk,
      backupDir,
      journalPath: jPath,
    };
  };

  if (changing.length === 0) return report('completed', {});
  progress.phase('preparing');
  await destination.mkdirp(root);
  await assertDestinationAsPlanned(plan, destination, 'since the plan');
  const stagedParents = new Set(writes.map((w) => parentOf(w.path)));
  await assertRoomFor(destination, root, {
    bytes: plan.summary.bytesToCopy,
    entries: writes.length + dirs.length + stagedParents.size,
  });
  await mark('prepared');

  try {
    const manifest = manifestFor(plan, runId, setName);
    progress.phase('backing-up', {
      filesTotal: manifest.entries.length,
      bytesTotal: plan.summary.bytesToBackUp,
    });
    await takeBackup(destination, manifest, backupDir);
    await mark('backed-up');
    progress.phase('transferring', { filesTotal: writes.length, bytesTotal: plan.summary.bytesToCopy });
    await stageFiles(source, plan.sourceRoot, destination, stagingDir, writes, {
      signal: options.signal,
      progress,
      bulk,
      tar: await tarOptionsFor(plan, destination),
    });
    // Both read-only, on different machines: asked at once. After a tar stream, the staged files are
    // what tar read (it fails on a file that changed while read, and on any file it could not write),
    // and the source check catches a file changed since the plan: only links are looked at there
    // (a link retargeted since the plan could point out of the root). File by file, all of them.
    await Promise.all([
      checkStaged(destination, stagingDir, bulk ? writes.filter((w) => w.type === 'symlink') : writes),
      checkSourceUnchanged(source, plan.sourceRoot, writes),
    ]);
    await mark('staged');
    if (options.validateCommand) {
      progress.phase('validating');
      const r = await destination.run(options.validateCommand, stagingDir);
      if (r.code !== 0)
        throw new AppError(
          'VALIDATION_FAILED',
          `The validate command exited with ${r.code}: ${(r.stderr || r.stdout).trim().slice(0, 2000)}. Nothing was changed.`,
        );
    }
    // Checked again right before the swap: the destination may have moved while the data flowed.
    await assertDestinationAsPlanned(plan, destination, 'during the run');
    // A cancel that arrived after the last file was staged still stops the run before anything goes live.
    if (options.signal?.aborted) throw new CancelledError();
  } catch (err) {
    const cancelled = err instanceof CancelledError || options.signal?.aborted === true;
    // Asked before the staging folder is dropped: that frees the space or inodes it had taken.
    const why = cancelled ? null : await fsProblem(destination, root);
    await destination.removeTree(stagingDir).catch(() => undefined);
    const lost = destination.lostConnection() ?? source.lostConnection();
    const base =
      lost && lost !== err ? `${lost.message} (${(err as Error).message})` : (err as Error).message;
    const message = cancelled
      ? 'Cancelled before anything was changed.'
      : `${base}${why ? ` (${why})` : ''}${/Nothing was changed/.test(base) ? '' : ' Nothing was changed.'}`;
    await mark(cancelled ? 'cancelled' : 'failed', { message }).catch(() => undefined);
    return report(cancelled ? 'cancelled' : 'failed', { message });
  }

  progress.phase('swapping', { filesTotal: writes.length + deletes.length + dirs.length, bytesTotal: 0 });
  const touched = touchedBy(plan);
  if (verifyReadsListing(plan, touched)) destination.prepareCommand?.();
  await mark('swapping');
  let swap;
  try {
    swap = await swapIn(destination, journal, {
      ...(options.signal ? { signal: options.signal } : {}),
      onPath: (path, done) => progress.update({ filesDone: done, currentPath: path }),
      beforeDeletes: async () => progress.phase('deleting', { filesTotal: deletes.length, bytesTotal: 0 }),
    });
  } catch (err) {
    let message = `Failed while putting files in place: ${(err as Error).message}`;
    try {
      await restoreBackup(destination, backupDir);
      await mark('rolled-back', { message });
      message += ' — rolled back from the backup.';
    } catch (e2) {
      message += ` — the roll-back failed too (${(e2 as Error).message}); run recover for ${runId}.`;
      await mark('failed', { message }).catch(() => undefined);
    }
    return report('failed', { message });
  }
  if (swap.cancelled) {
    await destination.removeTree(stagingDir).catch(() => undefined);
    const message = `Cancelled after ${swap.applied.length} change(s); restore run ${runId} to undo them.`;
    await mark('cancelled', { applied: swap.applied, message });
    return report('cancelled', { applied: swap.applied, errors: [...swap.errors], message });
  }
  // Everything is in place now: the report lists what was applied, the journal need not.
  await mark('swapped');

  progress.phase('verifying', { filesTotal: plan.entries.length, bytesTotal: 0 });
  // Old backups go while the tree is read back (other folders, other channels); awaited below.
  const pruning = Promise.all([
    pruneBackups(destination, stateDir, setName, options.keepRuns ?? DEFAULT_KEEP_RUNS),
    pruneJournals(destination, stateDir),
  ]);
  pruning.catch(() => undefined);
  const mismatches = await verify(plan, destination, { only: touched });
  const errors = [...swap.errors];
  if (options.postApplyCommand) {
    progress.phase('post-apply');
    const r = await destination.run(options.postApplyCommand, root);
    if (r.code !== 0)
      errors.push({
        path: '',
        message: `The post-apply command exited with ${r.code}: ${(r.stderr || r.stdout).trim().slice(0, 2000)}`,
      });
  }
  await destination.removeTree(stagingDir);
  // Last, once nothing else changes in them: folders and the root as on the source (mode, owner, mtime).
  errors.push(...(await settleFolders(plan, destination, owner)));
  await mark('done');
  await pruning;
  progress.phase('done', { filesTotal: writes.length, bytesTotal: plan.summary.bytesToCopy });
  const ok = errors.length === 0 && mismatches.length === 0;
  return report(ok ? 'completed' : 'completed-with-errors', {
    applied: swap.applied,
    errors,
    mismatches,
    ...(mismatches.length > 0
      ? { message: `Verification found ${mismatches.length} path(s) that do not match the plan.` }
      : {}),
  });
}
