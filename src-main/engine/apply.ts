import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import {
  DEFAULT_KEEP_RUNS,
  type EntryMeta,
  type PathError,
  type Plan,
  type RunReport,
} from '../../src-shared/model/sync.js';
import type { Endpoint, RawEntry, StatResult } from '../transport/endpoint.js';
import { AppError } from '../errors/app-error.js';
import {
  backupDirOf,
  checkSetName,
  backupBatches,
  manifestFor,
  pruneBackups,
  recordLeftInodes,
  recordWrittenHashes,
  restoreBackup,
  takeBackup,
  copiedEntries,
  type BackupManifest,
} from './backup.js';
import { assertRoomFor, fsProblem } from './fs-problem.js';
import { assertGuards } from './guards.js';
import { JournalFile, journalPath, type JournalRetime, type JournalWrite } from './journal.js';
import { ProgressReporter, type LaterPhase } from './progress.js';
import { joinRoot, parentOf } from './rel-path.js';
import {
  isChange,
  mark,
  report,
  type ApplyOptions,
  type RunContext,
  type StagedWrite,
} from './run-context.js';
import { destinationStateDir } from './state-dir.js';
import { takeLock, type HeldLock } from './lock.js';
import { readJournalHead } from './journal.js';
import { CancelledError, checkStaged, stageFiles } from './stage.js';
import type { TarMember } from './tar-tracker.js';
import {
  foldersToSettle,
  ownerMapper,
  settleFolders,
  tarOptionsFor,
  writeAttrs,
  type OwnerMapper,
} from './metadata.js';
import { checkSourceUnchanged } from './source-check.js';
import { assertDestinationAsPlanned } from './stale-check.js';
import { swapIn, type SwapResult } from './swap.js';
import { FINISHED_PHASES, pruneJournals } from './recover.js';
import { touchedBy, verify, verifyReadsListing } from './verify.js';
import { buildShadow, commandFor, returnStaged, shadowCandidates, type Shadow } from './shadow.js';
import { health, rollBackUnhealthy } from './health.js';
import { trace } from '../trace.js';

export type { ApplyOptions } from './run-context.js';

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

/**
 * Applies one destination's plan so that nothing is ever lost or half-written, as a pipeline of
 * phases over one run context, each recorded in the run's journal: prepare (stale check, room) →
 * back up → stage → validate → swap → verify → health (post-apply command) → finish. A failure
 * before the swap leaves the destination untouched; a failure during it is rolled back from the
 * backup; the report always lists exactly which paths reached the destination.
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
  const ctx = await openRun(plan, source, destination, options);
  if (ctx.changedPaths.length === 0) return report(ctx, 'completed', {});
  const held = await lock(ctx);
  try {
    return await lockedRun(ctx);
  } finally {
    await held.release().catch(() => undefined);
  }
}

/** The phases run under the destination root's lock. */
async function lockedRun(ctx: RunContext): Promise<RunReport> {
  await prepare(ctx);
  try {
    await backUpAndStage(ctx);
    await validate(ctx);
  } catch (err) {
    return failedBeforeSwap(ctx, err);
  }
  const swapped = await swap(ctx);
  if ('status' in swapped) return swapped;
  return afterSwap(ctx, swapped);
}

/** What the plan writes (files and links through staging), the folders it makes, and what it deletes. */
function plannedChanges(plan: Plan, owner: OwnerMapper) {
  const writes: StagedWrite[] = [];
  const dirs: JournalWrite[] = [];
  const deletes: Array<{ path: string; type: RunContext['deletes'][number]['type'] }> = [];
  const retimes: JournalRetime[] = [];
  for (const e of plan.entries.filter(isChange)) {
    // The root's own metadata is set with the folders, last (foldersToSettle), never journaled as a path.
    if (e.path === '') continue;
    const s = e.source;
    if (e.sameContent && s) {
      retimes.push({ path: e.path, mode: s.mode, mtimeMs: s.mtimeMs });
      continue;
    }
    if (e.action === 'delete' || !s) {
      if (e.action === 'delete') deletes.push({ path: e.path, type: e.destination?.type ?? 'file' });
      continue;
    }
    const replaces = e.destination?.type ?? null;
    if (s.type === 'dir') dirs.push(journalWrite(e.path, s, owner, replaces));
    else writes.push(journalWrite(e.path, s, owner, replaces, s.size));
  }
  return { writes, dirs, deletes, retimes };
}

/**
 * A journal's write, built field by field in one order: a run holds one per path (100,000s), and
 * built by spreading each had a hidden class of its own here (~25 MB of a 100k first copy).
 */
function journalWrite(
  path: string,
  s: EntryMeta,
  owner: OwnerMapper,
  replaces: JournalWrite['replaces'],
): JournalWrite;
function journalWrite(
  path: string,
  s: EntryMeta,
  owner: OwnerMapper,
  replaces: JournalWrite['replaces'],
  size: number,
): StagedWrite;
function journalWrite(
  path: string,
  s: EntryMeta,
  owner: OwnerMapper,
  replaces: JournalWrite['replaces'],
  size?: number,
): JournalWrite | StagedWrite {
  const a = writeAttrs(s, owner);
  return copyWrite(
    {
      path,
      type: s.type,
      mode: s.mode,
      mtimeMs: s.mtimeMs,
      replaces,
      ...a,
      ...(s.linkTarget !== undefined ? { linkTarget: s.linkTarget } : {}),
    },
    size,
  );
}

/** A write copied field by field (see journalWrite); with `size`, a staged write. */
function copyWrite(from: JournalWrite, size?: number): JournalWrite | StagedWrite {
  const w: { -readonly [K in keyof StagedWrite]?: StagedWrite[K] } = {
    path: from.path,
    type: from.type,
    mode: from.mode,
    mtimeMs: from.mtimeMs,
    replaces: from.replaces,
  };
  if (from.nsec !== undefined) w.nsec = from.nsec;
  if (from.uid !== undefined) w.uid = from.uid;
  if (from.gid !== undefined) w.gid = from.gid;
  if (from.linkId !== undefined) w.linkId = from.linkId;
  if (from.linkTarget !== undefined) w.linkTarget = from.linkTarget;
  if (size !== undefined) w.size = size;
  return w as JournalWrite | StagedWrite;
}

/** Checks the run's names and guards and builds its context; nothing is written yet. */
async function openRun(
  plan: Plan,
  source: Endpoint,
  destination: Endpoint,
  options: ApplyOptions,
): Promise<RunContext> {
  const startedAt = new Date();
  const runId = options.runId ?? newRunId(startedAt);
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(runId))
    throw new AppError('BAD_RUN_ID', `"${runId}" is not a valid run id.`);
  const setName = checkSetName(options.setName);
  assertGuards(plan, options.guards);
  const root = plan.destinationRoot;
  const stateDir = await destinationStateDir(destination, root, options.stateDir);
  const jPath = journalPath(stateDir, runId);
  const backupDir = backupDirOf(stateDir, setName, runId);
  const stagingDir = joinRoot(root, `.configsync-staging-${runId}`);
  // Owners by name (or id) as the destination knows them; nothing when it cannot set owners.
  const owner: OwnerMapper = plan.entries.some(isChange) ? await ownerMapper(plan, destination) : () => ({});
  const { writes, dirs, deletes, retimes } = plannedChanges(plan, owner);
  const fast = source.fastPath && destination.fastPath;
  const bulk = options.bulk === 'auto' ? fast && worthAStream(writes) : (options.bulk ?? fast);
  const base = { runId, destination: destination.label, filesTotal: writes.length };
  const progress = new ProgressReporter(
    { ...base, bytesTotal: plan.summary.bytesToCopy },
    options.onProgress,
  );
  const at = startedAt.toISOString();
  return {
    plan,
    source,
    destination,
    options,
    runId,
    setName,
    startedAt,
    root,
    stateDir,
    journalPath: jPath,
    backupDir,
    stagingDir,
    writes,
    dirs,
    deletes,
    retimes,
    changedPaths: plan.entries.filter(isChange).map((e) => e.path),
    bulk,
    owner,
    progress,
    journalFile: new JournalFile(destination, jPath),
    journal: {
      version: 1,
      by: {
        store: options.lock?.store ?? `${hostname()}:pid-${process.pid}`,
        host: hostname(),
        pid: process.pid,
      },
      ...{ runId, setName, root, stagingDir, backupDir, phase: 'prepared', startedAt: at, updatedAt: at },
      writes: writes.map((w) => copyWrite(w)),
      dirs,
      deletes,
      ...(retimes.length > 0 ? { retimes } : {}),
      folders: foldersToSettle(plan, owner),
    },
  };
}

/**
 * Lock: the root's lock is taken before the first write and held to the run's end. Breaking a stale
 * one (the user confirmed) is refused when its run left an unfinished journal: that needs recover.
 */
async function lock(ctx: RunContext): Promise<HeldLock> {
  const { destination, stateDir, runId, options } = ctx;
  return takeLock(destination, stateDir, runId, {
    ...options.lock,
    beforeBreak: async (owner) => {
      const head = await readJournalHead(destination, journalPath(stateDir, owner.runId)).catch(() => null);
      if (head && !FINISHED_PHASES.includes(head.phase))
        throw new AppError(
          'INTERRUPTED_RUN',
          `Run ${owner.runId} on ${destination.label} was interrupted (stopped while ${head.phase}); recover it first. Nothing was changed.`,
        );
    },
  });
}

/** Prepare: the destination is still as planned and has room for the staged copies; journal opened. */
async function prepare(ctx: RunContext): Promise<void> {
  const { destination, plan, root, writes, dirs } = ctx;
  ctx.progress.phase('preparing');
  await destination.mkdirp(root);
  await assertDestinationAsPlanned(plan, destination, 'since the plan');
  const stagedParents = new Set(writes.map((w) => parentOf(w.path)));
  await assertRoomFor(destination, root, {
    bytes: plan.summary.bytesToCopy,
    entries: writes.length + dirs.length + stagedParents.size,
  });
  await mark(ctx, 'prepared');
}

/**
 * Back up and stage at once when the backup is more than one batch: neither touches anything live
 * (the backup copies the files the run overwrites or deletes aside, staging writes the new content
 * under the staging folder), so the transfer runs while the backup's copies are made instead of after
 * them. Everything is backed up before anything goes live all the same: the swap waits for both. The
 * journal says backed-up before staged; the progress shows the backup, then the transfer where it has
 * got to (bars only move forward). A failure of either stops the other, and the run fails before the
 * swap.
 */
async function backUpAndStage(ctx: RunContext): Promise<void> {
  const manifest = manifestFor(ctx.plan, ctx.runId, ctx.setName);
  const transfer = ctx.progress.later('transferring', {
    filesTotal: ctx.writes.length,
    bytesTotal: ctx.plan.summary.bytesToCopy,
  });
  // A backup of one batch (a few hundred small files) is one quick copy: it goes first, as ever.
  if (backupBatches(copiedEntries(manifest.entries)).length <= 1) {
    await backUp(ctx, manifest);
    transfer.show();
    return staged(ctx, await stage(ctx, ctx.options.signal, transfer));
  }
  const stop = new AbortController();
  const signal = ctx.options.signal ? AbortSignal.any([ctx.options.signal, stop.signal]) : stop.signal;
  const backingUp = backUp(ctx, manifest).then(
    () => transfer.show(),
    (err: unknown) => {
      stop.abort();
      throw err;
    },
  );
  const staging = stage(ctx, signal, transfer).catch((err: unknown) => {
    stop.abort();
    throw err;
  });
  const [backedUp, stagedUp] = await Promise.allSettled([backingUp, staging]);
  // The first cause: a backup that failed stopped the staging (its CancelledError says nothing).
  if (backedUp.status === 'rejected') throw backedUp.reason;
  if (stagedUp.status === 'rejected') throw stagedUp.reason;
  return staged(ctx, stagedUp.value);
}

/** Backed up and staged: the hashes of what was staged join the backup's manifest, then all is flushed. */
async function staged(ctx: RunContext, hashes: ReadonlyMap<string, string> | null): Promise<void> {
  ctx.manifest = await recordWrittenHashes(
    ctx.destination,
    ctx.backupDir,
    ctx.stagingDir,
    hashes,
    ctx.manifest,
  );
  await flushStaged(ctx);
  await mark(ctx, 'staged');
}

/** Back up: everything the run overwrites or deletes is copied aside before anything live changes. */
async function backUp(ctx: RunContext, manifest: BackupManifest): Promise<void> {
  ctx.progress.phase('backing-up', {
    filesTotal: copiedEntries(manifest.entries).length,
    bytesTotal: ctx.plan.summary.bytesToBackUp,
  });
  await takeBackup(ctx.destination, manifest, ctx.backupDir, (done) =>
    ctx.progress.update({ filesDone: done.files, bytesDone: done.bytes, currentPath: done.lastPath }),
  );
  ctx.manifest = manifest;
  await mark(ctx, 'backed-up');
}

/**
 * Stage: the new content lands under the staging folder and is checked against the plan. Returns the
 * SHA-256 of each file written, as far as known (see recordWrittenHashes).
 */
async function stage(
  ctx: RunContext,
  signal: AbortSignal | undefined,
  progress: LaterPhase,
): Promise<ReadonlyMap<string, string> | null> {
  const { source, destination, plan, writes, bulk, stagingDir } = ctx;
  // The hash of each file written is taken of the bytes as they pass on their way to the staging
  // folder (the tar stream's members, or each file's stream), not by a second read of every file on
  // the source (its own process, competing with the transfer for the source's cores: 2-4 s of a
  // 100k-file first copy here) nor of the staging folder after it.
  const streamed = new Map<string, string>();
  const members = new Map<string, TarMember>();
  await stageFiles(source, plan.sourceRoot, destination, stagingDir, writes, {
    ...(signal ? { signal } : {}),
    progress,
    bulk,
    tar: await tarOptionsFor(plan, destination),
    hashes: streamed,
    members,
  });
  // A checksum plan knows the content it compared: what was sent must be that content.
  const hashes = new Map<string, string>();
  for (const e of plan.entries) if (e.source?.hash) hashes.set(e.path, e.source.hash);
  for (const w of writes) {
    if (w.type !== 'file') continue;
    const sent = streamed.get(w.path);
    const planned = hashes.get(w.path);
    if (sent !== undefined && planned !== undefined && sent !== planned)
      throw new AppError(
        'SOURCE_CHANGED',
        `"${w.path}" changed on the source after the plan was made (its content is not the one compared). Nothing was changed; plan again.`,
      );
    if (sent !== undefined) hashes.set(w.path, sent);
  }
  // Both read-only, on different machines: asked at once. After a tar stream, the staged files are
  // what tar read (it fails on a file that changed while read, and on any file it could not write),
  // and the source check catches a file changed since the plan: only links are looked at there
  // (a link retargeted since the plan could point out of the root). File by file, all of them.
  await Promise.all([
    checkStaged(destination, stagingDir, bulk ? writes.filter((w) => w.type === 'symlink') : writes),
    // A time-only update is checked too: its time must still be the one of the content hashed.
    checkSourceUnchanged(source, plan.sourceRoot, [...unvouched(writes, members), ...retimeChecks(ctx)]),
  ]);
  return hashes;
}

/**
 * The writes the source check must still look at: all but the files whose tar header (taken by
 * tar as it opened them, before their data) has the size and modified time the plan saw. A file
 * changed while tar read it fails the tar stream itself; one whose header differs, or that had
 * none of its own (a sparse file, a copy file by file), is looked at on the source as before.
 */
function unvouched(
  writes: ReadonlyArray<StagedWrite>,
  members: ReadonlyMap<string, TarMember>,
): StagedWrite[] {
  if (members.size === 0) return [...writes];
  return writes.filter((w) => {
    const m = w.type === 'file' ? members.get(w.path) : undefined;
    return !m || m.size !== w.size || Math.abs(m.mtimeMs - w.mtimeMs) > 1;
  });
}

/** The time-only updates as the source check takes them (a file of the size and time planned). */
function retimeChecks(ctx: RunContext): StagedWrite[] {
  const sizes = new Map(
    ctx.plan.entries.filter((e) => e.sameContent).map((e) => [e.path, e.source?.size ?? 0]),
  );
  return ctx.retimes.map((r) => ({
    path: r.path,
    type: 'file',
    mode: r.mode,
    mtimeMs: r.mtimeMs,
    replaces: 'file',
    size: sizes.get(r.path) ?? 0,
  }));
}

/**
 * Each staged file and its folder on disk before any rename makes one live: fsync one by one for a
 * few, one syncfs of the filesystem for many (fsync of 10,000 files took 17 s on this disk, syncfs
 * 0.1 s). Links are made durable with their folder.
 */
async function flushStaged(ctx: RunContext): Promise<void> {
  const { destination, stagingDir, writes } = ctx;
  const folders = new Set<string>([stagingDir]);
  for (const w of writes)
    for (let q = parentOf(w.path); q !== ''; q = parentOf(q)) folders.add(joinRoot(stagingDir, q));
  const files = writes.filter((w) => w.type === 'file').map((w) => joinRoot(stagingDir, w.path));
  await destination.fsync?.([...files, ...folders], stagingDir);
}

/**
 * Validate: the set's validate command over the tree as it will be (a shadow of the whole root with
 * the run's changes in it, outside the live folder; `%s` names it and it is the working folder); a
 * failure puts nothing live. Then the last checks before the swap.
 */
async function validate(ctx: RunContext): Promise<void> {
  const { destination, options } = ctx;
  if (options.validateCommand) {
    ctx.progress.phase('validating');
    await validateOverShadow(ctx, options.validateCommand);
    await mark(ctx, 'validated');
  }
  // Checked again right before the swap: the destination may have moved while the data flowed.
  await assertDestinationAsPlanned(ctx.plan, destination, 'during the run');
  // A cancel that arrived after the last file was staged still stops the run before anything goes live.
  if (options.signal?.aborted) throw new CancelledError();
}

async function validateOverShadow(ctx: RunContext, command: string): Promise<void> {
  const { destination } = ctx;
  const candidates = shadowCandidates(ctx.root, ctx.stateDir, ctx.runId);
  // Named in the journal first: a run killed while validating leaves its shadow for recover to remove.
  await mark(ctx, 'staged', { shadowDirs: candidates });
  let shadow: Shadow | null = null;
  try {
    shadow = await buildShadow(destination, ctx.journal, candidates);
    trace(`${destination.label}: shadow tree at ${shadow.dir} (${shadow.kind})`);
    const r = await destination.run(commandFor(command, shadow.dir), shadow.dir);
    if (r.code !== 0)
      throw new AppError(
        'VALIDATION_FAILED',
        `The validate command exited with ${r.code}: ${(r.stderr || r.stdout).trim().slice(0, 2000)}. Nothing was changed.`,
      );
    await returnStaged(destination, ctx.journal, shadow);
  } finally {
    await Promise.all(candidates.map((d) => destination.removeTree(d).catch(() => undefined)));
  }
}

/** A run that stopped before the swap: nothing live changed; the staging folder goes. */
async function failedBeforeSwap(ctx: RunContext, err: unknown): Promise<RunReport> {
  const { destination, source, options, root } = ctx;
  const cancelled = err instanceof CancelledError || options.signal?.aborted === true;
  // Asked before the staging folder is dropped: that frees the space or inodes it had taken.
  const why = cancelled ? null : await fsProblem(destination, root);
  await destination.removeTree(ctx.stagingDir).catch(() => undefined);
  const lost = destination.lostConnection() ?? source.lostConnection();
  const base = lost && lost !== err ? `${lost.message} (${(err as Error).message})` : (err as Error).message;
  const message = cancelled
    ? 'Cancelled before anything was changed.'
    : `${base}${why ? ` (${why})` : ''}${/Nothing was changed/.test(base) ? '' : ' Nothing was changed.'}`;
  await mark(ctx, cancelled ? 'cancelled' : 'failed', { message }).catch(() => undefined);
  const code = cancelled ? 'CANCELLED' : err instanceof AppError ? err.code : undefined;
  return report(ctx, cancelled ? 'cancelled' : 'failed', { message, ...(code ? { code } : {}) });
}

/** Swap: staged content renamed into place, extras deleted; a failure here is rolled back. */
async function swap(ctx: RunContext): Promise<SwapResult | RunReport> {
  const { destination, writes, deletes, dirs, options, progress } = ctx;
  progress.phase('swapping', {
    filesTotal: writes.length + ctx.retimes.length + deletes.length + dirs.length,
    bytesTotal: 0,
  });
  if (verifyReadsListing(ctx.plan, touchedBy(ctx.plan))) destination.prepareCommand?.();
  await mark(ctx, 'swapping');
  let swapped: SwapResult;
  try {
    swapped = await swapIn(destination, ctx.journal, {
      ...(options.signal ? { signal: options.signal } : {}),
      onPath: (path, done) => progress.update({ filesDone: done, currentPath: path }),
      beforeDeletes: async () => progress.phase('deleting', { filesTotal: deletes.length, bytesTotal: 0 }),
    });
  } catch (err) {
    return rollBackSwap(ctx, err);
  }
  if (swapped.cancelled) {
    await destination.removeTree(ctx.stagingDir).catch(() => undefined);
    const message = `Cancelled after ${swapped.applied.length} change(s); restore run ${ctx.runId} to undo them.`;
    await mark(ctx, 'cancelled', { applied: swapped.applied, message });
    return report(ctx, 'cancelled', { applied: swapped.applied, errors: [...swapped.errors], message });
  }
  const lost = destination.lostConnection();
  if (lost) return lostMidSwap(ctx, swapped.applied, lost);
  await flushFolders(ctx).catch(() => undefined);
  // Everything is in place now: the report lists what was applied, the journal need not.
  await mark(ctx, 'swapped');
  return swapped;
}

/** The folders whose entries the swap renamed or removed, on disk before the journal says "swapped". */
async function flushFolders(ctx: RunContext): Promise<void> {
  const gone = new Set(ctx.deletes.map((d) => d.path));
  const folders = new Set<string>();
  for (const p of ctx.changedPaths) if (!gone.has(parentOf(p))) folders.add(joinRoot(ctx.root, parentOf(p)));
  await ctx.destination.fsync?.([...folders], ctx.root);
}

/** The swap itself threw: the destination is put back from the backup (or the user is told to recover). */
async function rollBackSwap(ctx: RunContext, err: unknown): Promise<RunReport> {
  const { destination, runId } = ctx;
  const lost = destination.lostConnection();
  if (lost) return lostMidSwap(ctx, [], lost);
  let message = `Failed while putting files in place: ${(err as Error).message}`;
  try {
    await restoreBackup(destination, ctx.backupDir);
    await mark(ctx, 'rolled-back', { message });
    message += ' — rolled back from the backup.';
  } catch (e2) {
    message += ` — the roll-back failed too (${(e2 as Error).message}); run recover for ${runId}.`;
    await mark(ctx, 'failed', { message }).catch(() => undefined);
    return report(ctx, 'failed', { message, code: 'INTERRUPTED_RUN' });
  }
  return report(ctx, 'failed', { message });
}

/**
 * The link went while files were being renamed: what is known to be in place is reported as applied,
 * the journal on the destination stays unfinished, and the user is told to recover.
 */
function lostMidSwap(ctx: RunContext, applied: ReadonlyArray<string>, lost: Error): RunReport {
  const total = ctx.changedPaths.length;
  const message =
    `${lost.message} while putting files in place: at least ${applied.length} of ${total} change(s) ` +
    `reached ${ctx.destination.label}, the rest did not. Whole files only are in place; run recover ` +
    `("configsync recover") to complete or roll back run ${ctx.runId}.`;
  return report(ctx, 'failed', { applied, message, code: 'INTERRUPTED_RUN' });
}

/**
 * Verify, post-apply command, health, finish. Everything is in place by now: whatever fails here is
 * said in the report next to the applied paths; clean-up and pruning failures are warnings only. A
 * failing health command rolls the destination back from this run's backup.
 */
async function afterSwap(ctx: RunContext, swapped: SwapResult): Promise<RunReport> {
  const { destination, plan, options } = ctx;
  ctx.progress.phase('verifying', { filesTotal: plan.entries.length, bytesTotal: 0 });
  // Old backups go while the tree is read back (other folders, other channels); awaited in finish.
  const pruning = Promise.all([
    pruneBackups(destination, ctx.stateDir, ctx.setName, options.keepRuns ?? DEFAULT_KEEP_RUNS),
    pruneJournals(destination, ctx.stateDir),
  ]);
  pruning.catch(() => undefined);
  const errors = [...swapped.errors];
  let mismatches: PathError[];
  let unhealthy: string | null;
  const left = new Map<string, string>();
  let readBack: ReadonlyMap<string, RawEntry | StatResult> | undefined;
  try {
    mismatches = await verify(plan, destination, {
      only: touchedBy(plan),
      // The inodes of what the run left, where the read-back gave them (a listing), for its record;
      // the folders as they are now, for settleFolders.
      read: (now) => {
        readBack = now;
        for (const w of ctx.writes) {
          const ino = now.get(w.path)?.ino;
          if (ino) left.set(w.path, ino);
        }
      },
    });
    await postApply(ctx, errors);
    unhealthy = await health(ctx);
  } catch (err) {
    await pruning.catch(() => undefined);
    const lost = destination.lostConnection();
    if (lost) return lostAfterSwap(ctx, swapped.applied, lost);
    const message = `Every change is in place, but reading it back failed: ${(err as Error).message}`;
    return report(ctx, 'completed-with-errors', { applied: swapped.applied, errors, message });
  }
  if (unhealthy !== null) {
    await pruning.catch(() => undefined);
    return rollBackUnhealthy(ctx, unhealthy, swapped.applied, postApply);
  }
  // Everything is in place: a failure to record them is a warning (size, mtime and hash still check).
  const unrecorded = await recordLeftInodes(destination, ctx.backupDir, left, ctx.manifest).then(
    () => [],
    (err: unknown) => [
      { path: '', message: `The inodes the run left could not be recorded: ${(err as Error).message}` },
    ],
  );
  // A post-apply or health command may change folders after the read-back: then all are set.
  const settled = options.postApplyCommand || options.healthCommand ? undefined : readBack;
  const warnings = [...unrecorded, ...(await finish(ctx, pruning, settled))];
  const ok = errors.length === 0 && mismatches.length === 0;
  // The root's own metadata is set in finish (a failure there is a warning on path "").
  const rootSet =
    ctx.changedPaths.includes('') &&
    !warnings.some((w) => w.path === '' && w.message.startsWith('folder attributes not set'));
  return report(ctx, ok ? 'completed' : 'completed-with-errors', {
    applied: rootSet ? [...swapped.applied, ''] : swapped.applied,
    errors,
    mismatches,
    warnings,
    ...(mismatches.length > 0
      ? { message: `Verification found ${mismatches.length} path(s) that do not match the plan.` }
      : {}),
  });
}

function lostAfterSwap(ctx: RunContext, applied: ReadonlyArray<string>, lost: Error): RunReport {
  const message = `${lost.message} after every change was put in place (${applied.length} path(s)); it could not be read back. Run recover for ${ctx.runId} to close its journal.`;
  return report(ctx, 'completed-with-errors', { applied, message, code: 'INTERRUPTED_RUN' });
}

/** The set's post-apply command (a reload); its failure is an error of a completed run. */
export async function postApply(ctx: RunContext, errors: PathError[]): Promise<void> {
  const command = ctx.options.postApplyCommand;
  if (!command) return;
  ctx.progress.phase('post-apply');
  const r = await ctx.destination.run(command, ctx.root);
  if (r.code !== 0)
    errors.push({
      path: '',
      message: `The post-apply command exited with ${r.code}: ${(r.stderr || r.stdout).trim().slice(0, 2000)}`,
    });
}

/** Finish: staging folder removed, journal closed, old backups and journals pruned; failures are warnings. */
async function finish(
  ctx: RunContext,
  pruning: Promise<unknown>,
  readBack?: ReadonlyMap<string, RawEntry | StatResult>,
): Promise<PathError[]> {
  const warnings: PathError[] = [];
  const warn = (what: string) => (err: unknown) =>
    void warnings.push({ path: '', message: `${what}: ${(err as Error).message}` });
  await ctx.destination
    .removeTree(ctx.stagingDir)
    .catch(warn(`The staging folder ${ctx.stagingDir} could not be removed`));
  // Last, once nothing else changes in them: folders and the root as on the source (mode, owner, mtime).
  warnings.push(...(await settleFolders(ctx.plan, ctx.destination, ctx.owner, readBack)));
  await mark(ctx, 'done').catch(warn('The journal could not be closed'));
  await pruning.catch(warn('Old backups or journals could not be pruned'));
  ctx.progress.phase('done', { filesTotal: ctx.writes.length, bytesTotal: ctx.plan.summary.bytesToCopy });
  return warnings;
}
