import type { PathError } from '../../src-shared/model/sync.js';
import type { Endpoint } from '../transport/endpoint.js';
import {
  backupDirOf,
  foundHashes,
  readManifest,
  restoreBackup,
  takeBackup,
  type BackupManifest,
  type ManifestEntry,
} from './backup.js';
import { changedSince } from './left-alone.js';
import { IN_FLIGHT, mapBounded } from './bounded.js';
import {
  journalPath,
  readJournal,
  readJournalHead,
  writeJournal,
  type Journal,
  type JournalHead,
  type JournalPhase,
} from './journal.js';
import { checkRelPath, joinRoot } from './rel-path.js';
import { settleFolderList } from './metadata.js';
import { swapIn } from './swap.js';
import { isShadowOf } from './shadow.js';
import { takeLock, type LockOptions } from './lock.js';

export type RecoverOutcome = 'nothing-to-do' | 'rolled-back' | 'completed' | 'superseded';
export type RecoverResult = {
  readonly runId: string;
  /** The set the run belonged to (for the recovery's own record). */
  readonly setName?: string;
  readonly outcome: RecoverOutcome;
  readonly errors: ReadonlyArray<PathError>;
  /** Paths changed by someone else since the run, left as they are. */
  readonly left?: ReadonlyArray<PathError>;
  /** Paths the recovery put in place (completed) or back (rolled back), and paths it removed. */
  readonly written?: number;
  readonly removed?: number;
  /** Where what the recovery replaced was backed up (restorable in turn), when it replaced anything. */
  readonly backupDir?: string;
};

export const FINISHED_PHASES: ReadonlyArray<JournalPhase> = ['done', 'rolled-back', 'failed', 'cancelled'];
const FINISHED = FINISHED_PHASES;
const UNTOUCHED: ReadonlyArray<JournalPhase> = ['prepared', 'backed-up', 'staged', 'validated'];

/**
 * Brings an interrupted run (process killed, connection lost) to a consistent end from its journal.
 * Before the swap nothing live changed: the staging folder is dropped. During the swap, `complete`
 * (default) renames what is still staged and finishes the deletions; `rollback` restores the backup.
 */
export async function recover(
  destination: Endpoint,
  path: string,
  prefer: 'complete' | 'rollback' = 'complete',
  options: RecoverOptions = {},
): Promise<RecoverResult> {
  // Under the root's lock: refused while any run holds it; the killed run's own stale lock is broken
  // only when the user confirmed.
  const rootState = options.rootState ?? path.replace(/\/[^/]*\/[^/]*$/, '');
  const head = await readJournalHead(destination, path);
  const held = await takeLock(destination, rootState, `recover-${head.runId}`, options.lock);
  try {
    return await recoverLocked(destination, path, prefer, {
      overwrite: options.overwrite === true,
      rootState,
      ...(options.asRun ? { asRun: options.asRun } : {}),
    });
  } finally {
    await held.release().catch(() => undefined);
  }
}

export type RecoverOptions = {
  /** Where the root's lock is (default: the folder holding the journal folder). */
  readonly rootState?: string;
  readonly lock?: LockOptions;
  /** Replace even paths changed since the run (each backed up first); by default they are left and listed. */
  readonly overwrite?: boolean;
  /**
   * The recovery's own run id: what it replaces is backed up under that run (a roll-back always
   * backs up what it replaces), and the interrupted run's journal names it. Without it, what an
   * overwrite replaces goes beside the run's backup (`<backup>-overwritten`).
   */
  readonly asRun?: string;
};

type Recovery = { readonly overwrite: boolean; readonly rootState: string; readonly asRun?: string };

/** Where the recovery backs up what it replaces, and under which run id. */
function backupOf(journal: Journal, how: Recovery): { dir: string; runId: string; setName: string } {
  return how.asRun
    ? {
        dir: backupDirOf(how.rootState, journal.setName, how.asRun),
        runId: how.asRun,
        setName: journal.setName,
      }
    : {
        dir: `${journal.backupDir}-overwritten`,
        runId: `${journal.runId}-overwritten`,
        setName: journal.setName,
      };
}

async function recoverLocked(
  destination: Endpoint,
  path: string,
  prefer: 'complete' | 'rollback',
  how: Recovery,
): Promise<RecoverResult> {
  const { overwrite } = how;
  const journal = await readJournal(destination, path);
  for (const e of [...journal.writes, ...journal.dirs, ...journal.deletes]) checkRelPath(e.path);
  if (!journal.stagingDir.startsWith(`${journal.root}/.configsync-staging-`))
    throw new Error(`${path}: unexpected staging folder.`);
  const done = async (
    phase: JournalPhase,
    outcome: RecoverOutcome,
    errors: ReadonlyArray<PathError> = [],
  ): Promise<RecoverResult> => {
    await destination.removeTree(journal.stagingDir);
    const by = how.asRun ? ` by run ${how.asRun}` : '';
    await dropShadows(destination, journal);
    if (phase !== journal.phase)
      await writeJournal(destination, path, { ...journal, phase, message: `recovered: ${outcome}${by}` });
    return { runId: journal.runId, setName: journal.setName, outcome, errors };
  };
  if (FINISHED.includes(journal.phase)) return done(journal.phase, 'nothing-to-do');
  if (UNTOUCHED.includes(journal.phase)) return done('rolled-back', 'rolled-back');
  // A later run on the same root planned from the tree this run left: finishing or undoing this one
  // now would put back content that later run replaced. Whole files only are in place either way.
  const later = await laterRunOnRoot(destination, path, journal);
  if (later) {
    const message = `recovered: superseded by run ${later}; its staged files were dropped, the tree was left as that run made it`;
    await destination.removeTree(journal.stagingDir);
    await dropShadows(destination, journal);
    await writeJournal(destination, path, { ...journal, phase: 'failed', message });
    return { runId: journal.runId, setName: journal.setName, outcome: 'superseded', errors: [] };
  }
  if (prefer === 'rollback') {
    // As a run of its own, a roll-back backs up everything it replaces (it can be restored in turn).
    const r = await restoreBackup(destination, journal.backupDir, {
      expect: 'left-or-found',
      ...(overwrite ? { overwrite: true } : {}),
      ...(overwrite || how.asRun ? { backUpTo: backupOf(journal, how) } : {}),
    });
    return {
      ...(await done('rolled-back', 'rolled-back', r.errors)),
      left: r.left,
      written: r.restored,
      removed: r.removed,
      ...(r.backupDir ? { backupDir: r.backupDir } : {}),
    };
  }
  const { rest, left, backupDir } = await leaveChanged(destination, journal, how);
  const r = await swapIn(destination, rest, { resume: true });
  const result = await done('done', 'completed', r.errors);
  // Last, once the staging folder is gone: folders and the root as on the source, as the run would have.
  const unsettled = await settleFolderList(destination, journal.root, journal.folders ?? []);
  const deleted = new Set(rest.deletes.map((d) => d.path));
  const removed = r.applied.filter((p) => deleted.has(p)).length;
  const written = r.applied.filter((p) => !deleted.has(p) && rest.writes.some((w) => w.path === p)).length;
  // What a completion replaces without overwrite is what the run found: in the run's own backup.
  const kept = backupDir ?? (how.asRun ? journal.backupDir : undefined);
  return {
    ...result,
    errors: [...result.errors, ...unsettled],
    left,
    written,
    removed,
    ...(kept ? { backupDir: kept } : {}),
  };
}

/** A run killed while its validate command ran leaves its shadow tree (outside the live folder): it goes. */
async function dropShadows(destination: Endpoint, journal: Journal): Promise<void> {
  for (const dir of journal.shadowDirs ?? [])
    if (isShadowOf(dir, journal.runId)) await destination.removeTree(dir);
}

/**
 * Completing a run: a path it had not reached yet that someone changed since (an edit by rename or
 * in place, a new file) is left as it is and listed, not replaced by the run's staged copy. With
 * `overwrite` it is replaced, after a backup of it beside the run's own.
 */
async function leaveChanged(
  destination: Endpoint,
  journal: Journal,
  how: Recovery,
): Promise<{ rest: Journal; left: PathError[]; backupDir?: string }> {
  const m = await readManifest(destination, journal.backupDir).catch(() => null);
  const staged = await mapBounded(journal.writes, IN_FLIGHT, (w) =>
    destination.stat(joinRoot(journal.stagingDir, w.path)),
  );
  const pending = journal.writes.filter((_w, k) => staged[k]);
  // A path not reached yet should still be what the run found: its backup's copy, hashed there.
  const waiting = new Set([...pending, ...journal.deletes, ...(journal.retimes ?? [])].map((i) => i.path));
  const entries = (m?.entries ?? []).filter((e) => waiting.has(e.path));
  const hashes = m
    ? await foundHashes(destination, journal.backupDir, m, entries)
    : new Map<string, string>();
  const found = new Map(
    entries.map((e) => {
      const hash = hashes.get(e.path);
      return [e.path, hash ? { ...e, hash } : e];
    }),
  );
  const items = [
    ...pending,
    ...journal.deletes.filter((d) => d.type !== 'dir'),
    ...(journal.retimes ?? []).map((r) => ({ path: r.path, type: 'file' as const })),
  ];
  const deleted = new Set(journal.deletes.map((d) => d.path));
  // A time-only update is either still as the run found it or already as it leaves it.
  const retimed = new Set((journal.retimes ?? []).map((r) => r.path));
  const leaves = new Map((m?.after ?? []).filter((a) => retimed.has(a.path)).map((a) => [a.path, a.seen]));
  const { changed } = await changedSince(destination, journal.root, items, (i) => [
    found.get(i.path) ?? null,
    ...(deleted.has(i.path) ? [null] : []),
    ...(retimed.has(i.path) ? [leaves.get(i.path) ?? null] : []),
  ]);
  if (changed.length === 0) return { rest: journal, left: [] };
  if (how.overwrite) {
    const to = backupOf(journal, how);
    await backUpLive(
      destination,
      journal,
      changed.map((c) => c.path),
      to,
      m?.after ?? [],
    );
    return { rest: journal, left: [], backupDir: to.dir };
  }
  const skip = new Set(changed.map((c) => c.path));
  return {
    rest: {
      ...journal,
      writes: journal.writes.filter((w) => !skip.has(w.path)),
      deletes: journal.deletes.filter((d) => !skip.has(d.path)),
      ...(journal.retimes ? { retimes: journal.retimes.filter((r) => !skip.has(r.path)) } : {}),
    },
    left: changed,
  };
}

/**
 * A backup (manifest and copies) of live paths about to be overwritten by a recovery the user chose.
 * What the recovery leaves at each path is what the run would have left (the run's own `after`
 * record), so a restore of this backup tells a later edit from the recovery's write.
 */
async function backUpLive(
  destination: Endpoint,
  journal: Journal,
  paths: ReadonlyArray<string>,
  to: { readonly dir: string; readonly runId: string; readonly setName: string },
  runAfter: NonNullable<BackupManifest['after']>,
): Promise<void> {
  const now = await mapBounded(paths, IN_FLIGHT, (p) => destination.stat(joinRoot(journal.root, p)));
  const entries: ManifestEntry[] = [];
  paths.forEach((path, k) => {
    const st = now[k];
    if (st && st.type !== 'other' && st.type !== 'dir')
      entries.push({
        path,
        type: st.type,
        size: st.size,
        mtimeMs: st.mtimeMs,
        mode: st.mode,
        ...(st.linkTarget !== undefined ? { linkTarget: st.linkTarget } : {}),
      });
  });
  const leaves = new Map(runAfter.map((a) => [a.path, a.seen]));
  const deleted = new Set(journal.deletes.map((d) => d.path));
  const written = new Map(journal.writes.map((w) => [w.path, w.type]));
  await takeBackup(
    destination,
    {
      version: 1,
      runId: to.runId,
      setName: to.setName,
      root: journal.root,
      createdAt: new Date().toISOString(),
      entries,
      // A path that held nothing (or another type) now holds what the run writes.
      created: paths.flatMap((path, k) => {
        const type = written.get(path);
        const st = now[k];
        return type && (!st || st.type !== type) ? [{ path, type }] : [];
      }),
      after: paths.map((path) => ({
        path,
        seen: deleted.has(path) ? null : (leaves.get(path) ?? null),
      })),
    },
    to.dir,
  );
}

/** Journals of runs that never reached an end (to offer recovery when the app starts or connects). */
export async function findInterrupted(destination: Endpoint, stateDir: string): Promise<JournalHead[]> {
  const dir = joinRoot(stateDir, 'journal');
  const names = (await destination.readdir(dir)).filter((n) => n.endsWith('.json'));
  // Asked on every plan: the heads are read with many requests in flight, not one after another.
  const heads = await mapBounded(names, IN_FLIGHT, (name) =>
    readJournalHead(destination, journalPath(stateDir, name.slice(0, -5))).catch(() => null),
  );
  return heads.filter((j): j is JournalHead => j !== null && !FINISHED.includes(j.phase));
}

/** Finished journals kept per destination (newest first); older ones are removed after each run. */
export const KEEP_JOURNALS = 50;

/**
 * Removes the journals of finished runs beyond the newest `keep` (their head and lists), so that a
 * destination synchronised every few minutes does not gather thousands of journals that every plan
 * then reads. A journal of a run that did not finish is never removed: it is what recovery needs.
 */
export async function pruneJournals(
  destination: Endpoint,
  stateDir: string,
  keep = KEEP_JOURNALS,
): Promise<string[]> {
  const dir = joinRoot(stateDir, 'journal');
  const names = (await destination.readdir(dir)).filter((n) => n.endsWith('.json')).sort();
  const old = names.slice(0, Math.max(0, names.length - keep));
  const heads = await mapBounded(old, IN_FLIGHT, (name) =>
    readJournalHead(destination, joinRoot(dir, name)).catch(() => null),
  );
  const gone: string[] = [];
  await mapBounded(old, IN_FLIGHT, async (name, i) => {
    const head = heads[i];
    if (!head || !FINISHED.includes(head.phase)) return;
    // Its lists by the name they must have (whatever the head says).
    await destination.remove(joinRoot(dir, name.replace(/\.json$/, '.lists')));
    await destination.remove(joinRoot(dir, name));
    gone.push(head.runId);
  });
  return gone.sort();
}

/** The id of a run journaled after `journal` on the same root (run ids sort by time), if any. */
async function laterRunOnRoot(destination: Endpoint, path: string, journal: Journal): Promise<string | null> {
  const dir = path.replace(/\/[^/]*$/, '');
  const names = (await destination.readdir(dir))
    .filter((n) => n.endsWith('.json') && n.slice(0, -5) > journal.runId)
    .sort();
  for (const name of names) {
    const j = await readJournalHead(destination, joinRoot(dir, name)).catch(() => null);
    if (j && j.root === journal.root) return j.runId;
  }
  return null;
}
