import type { Endpoint } from '../../transport/endpoint.js';
import { findInterrupted, recover, type RecoverResult } from '../../engine/recover.js';
import { journalPath, type JournalHead } from '../../engine/journal.js';
import { backupDirOf } from '../../engine/backup.js';
import { describeLock, readLock, type LockOptions, type LockState } from '../../engine/lock.js';
import { allRootStateDirs, resolveStateDir, rootStateDir } from '../../engine/state-dir.js';

/** Where a destination keeps its state: the base folder, and the folder of an older layout (per server entry). */
export type StatePlaces = {
  /** The base under which each root has its state folder; default `~/.configsync`. */
  readonly base?: string | undefined;
  /** Journals and backups of older versions (`~/.configsync/servers/<id>`), still read. */
  readonly legacy?: string | undefined;
};

/** What stands in the way of planning a destination root: runs that never ended, and a live lock. */
export type RootBusy = {
  readonly interrupted: JournalHead[];
  /** A lock held by a run that is still going (another process or machine). */
  readonly lock: LockState | null;
};

/**
 * Journals on a destination root of runs that never reached an end (process killed, link lost),
 * whoever started them (any store, process or machine), with the root's lock: a run that holds a
 * live lock is running, not interrupted. Runs this process is carrying out are left out.
 */
export async function rootBusy(
  endpoint: Endpoint,
  root: string,
  places: StatePlaces,
  isActive: (runId: string) => boolean,
): Promise<RootBusy> {
  const base = await resolveStateDir(endpoint, places.base);
  const rs = rootStateDir(base, root);
  const [own, old, lock] = await Promise.all([
    findInterrupted(endpoint, rs),
    places.legacy
      ? resolveStateDir(endpoint, places.legacy).then((d) => findInterrupted(endpoint, d))
      : Promise.resolve([]),
    readLock(endpoint, rs).catch(() => null),
  ]);
  const live = lock && !lock.stale ? lock : null;
  const interrupted = [...own, ...old.filter((j) => j.root === root)].filter(
    (j) => !isActive(j.runId) && j.runId !== live?.owner.runId,
  );
  return { interrupted, lock: live && !isActive(live.owner.runId) ? live : null };
}

/** Journals of unfinished runs on a root (see rootBusy), for callers that only need those. */
export async function interruptedRuns(
  endpoint: Endpoint,
  root: string,
  places: StatePlaces,
  isActive: (runId: string) => boolean,
): Promise<JournalHead[]> {
  return (await rootBusy(endpoint, root, places, isActive)).interrupted;
}

/** Each journal folder of a destination: one per root it has state for, then the older layout's. */
async function journalHomes(
  endpoint: Endpoint,
  places: StatePlaces,
): Promise<Array<{ dir: string; legacy: boolean }>> {
  const base = await resolveStateDir(endpoint, places.base);
  const roots = (await allRootStateDirs(endpoint, base)).map((dir) => ({ dir, legacy: false }));
  if (!places.legacy) return roots;
  return [...roots, { dir: await resolveStateDir(endpoint, places.legacy), legacy: true }];
}

/**
 * Ends every interrupted run on a destination from its journal: completes it (default) or rolls it
 * back, under the lock of its root (refused while a run holds it; a stale one is broken only when
 * `lock.breakStale` says the user confirmed). `runIdFor` names each recovery as a run of its own.
 */
export async function recoverInterrupted(
  endpoint: Endpoint,
  places: StatePlaces,
  isActive: (runId: string) => boolean,
  prefer: 'complete' | 'rollback',
  lock: LockOptions = {},
  overwrite = false,
  runIdFor?: (head: JournalHead) => string,
): Promise<RecoverResult[]> {
  const base = await resolveStateDir(endpoint, places.base);
  const found: Array<{ head: JournalHead; path: string }> = [];
  for (const home of await journalHomes(endpoint, places))
    for (const head of await findInterrupted(endpoint, home.dir))
      if (!isActive(head.runId)) found.push({ head, path: journalPath(home.dir, head.runId) });
  // Oldest first, so a later run can see that an earlier one was superseded.
  found.sort((a, b) => (a.head.runId < b.head.runId ? -1 : 1));
  const results: RecoverResult[] = [];
  for (const { head, path } of found)
    results.push(
      await recover(endpoint, path, prefer, {
        rootState: rootStateDir(base, head.root),
        lock,
        overwrite,
        ...(runIdFor ? { asRun: runIdFor(head) } : {}),
      }),
    );
  return results;
}

/** The backup folder of a run on a destination, wherever its version kept it (null: none there). */
export async function findBackupDir(
  endpoint: Endpoint,
  places: StatePlaces,
  setName: string,
  runId: string,
): Promise<{ backupDir: string; rootState: string | null } | null> {
  for (const home of await journalHomes(endpoint, places)) {
    const dir = backupDirOf(home.dir, setName, runId);
    if (await endpoint.stat(`${dir}/manifest.json`))
      return { backupDir: dir, rootState: home.legacy ? null : home.dir };
  }
  return null;
}

/** One line for the user: which runs were interrupted, who started them, where they stopped, what to do. */
export function describeInterrupted(journals: ReadonlyArray<JournalHead>): string {
  const runs = journals
    .map(
      (j) =>
        `${j.runId} (started ${j.startedAt}${j.by ? ` by store ${j.by.store} on ${j.by.host}, pid ${j.by.pid}` : ''}; stopped while ${j.phase})`,
    )
    .join(', ');
  return `An earlier run to this destination was interrupted: ${runs}. Nothing is half-written, but the tree may be part old, part new. Recover it first (in the Synchronize Configurations wizard, or with "configsync recover"), then plan again.`;
}

/** One line for the user: the destination is being written by another run right now. */
export function describeBusy(lock: LockState): string {
  return `Another run is writing to this destination now: ${describeLock(lock)}. Plan again when it has ended.`;
}
