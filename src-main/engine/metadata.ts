import type {
  EntryMeta,
  FileEntry,
  OwnerMapping,
  Ownership,
  PathError,
  Plan,
  PlanEntry,
} from '../../src-shared/model/sync.js';
import type { Endpoint, LocalCopy, RawEntry, StatResult, TarOptions } from '../transport/endpoint.js';
import { xattrDumpCommand, xattrRestoreCommand } from '../transport/attr-script.js';
import { IN_FLIGHT, mapBounded } from './bounded.js';
import type { JournalWrite } from './journal.js';
import { sameTime } from './plan.js';
import { joinRoot, parentOf } from './rel-path.js';

/**
 * Same mtime: within the tolerance (or the same second when a side keeps whole seconds), and, with no
 * tolerance and both sides keeping nanoseconds, the same nanosecond (rsync compares them so too).
 */
export function sameMtime(
  a: Pick<EntryMeta, 'mtimeMs' | 'nsec'>,
  b: Pick<EntryMeta, 'mtimeMs' | 'nsec'>,
  toleranceMs: number,
): boolean {
  if (!sameTime(a.mtimeMs, b.mtimeMs, toleranceMs)) return false;
  if (toleranceMs === 0 && a.nsec !== undefined && b.nsec !== undefined && a.mtimeMs === b.mtimeMs)
    return a.nsec === b.nsec;
  return true;
}

const who = (name: string | undefined, id: number | undefined) =>
  name ?? (id !== undefined ? String(id) : '?');

/**
 * Why owner or group differ, in words, or null: by name like rsync when both sides name them (an id
 * with no name on a side is compared as the id), by id with `numeric`, never with `ignore`.
 */
export function ownerDifference(s: Ownership, d: Ownership, mapping: OwnerMapping): string | null {
  if (mapping === 'ignore') return null;
  const differs = (sn?: string, si?: number, dn?: string, di?: number): boolean => {
    // By name where both sides name it; else (a side that lists ids only, as SFTP) by id.
    if (mapping === 'name' && sn !== undefined && dn !== undefined) return sn !== dn;
    return si !== undefined && di !== undefined && si !== di;
  };
  const parts: string[] = [];
  if (differs(s.user, s.uid, d.user, d.uid))
    parts.push(`owner differs (${who(d.user, d.uid)} → ${who(s.user, s.uid)})`);
  if (differs(s.group, s.gid, d.group, d.gid))
    parts.push(`group differs (${who(d.group, d.gid)} → ${who(s.group, s.gid)})`);
  return parts.length > 0 ? parts.join(', ') : null;
}

/**
 * The plan's one note about owners, when the destination cannot set them (not root, no sudo) and
 * some path's owner or group differs: those differences are left as they are, said once here.
 */
export function ownerNote(
  src: ReadonlyMap<string, FileEntry>,
  dst: ReadonlyMap<string, FileEntry>,
  mapping: OwnerMapping,
  canSetOwners: boolean,
): string | null {
  if (canSetOwners || mapping === 'ignore') return null;
  let n = 0;
  for (const [path, s] of src) {
    const d = dst.get(path);
    if (d && ownerDifference(s, d, mapping)) n++;
  }
  const created = [...src.keys()].filter((p) => !dst.has(p)).length;
  if (n === 0 && created === 0) return null;
  return (
    'Owners and groups cannot be set on this destination (it is reached without root or sudo): ' +
    `what is copied belongs to the login user there${n > 0 ? `, and ${n} path(s) whose owner or group differs are left as they are` : ''}.`
  );
}

/**
 * rsync -H: files that are hard links to one another on the source must be on the destination too.
 * A file of such a group that is kept but is not linked there as on the source becomes an update.
 */
export function hardLinkDifference(
  entries: PlanEntry[],
  src: ReadonlyMap<string, FileEntry>,
  dst: ReadonlyMap<string, FileEntry>,
): PlanEntry[] {
  const groups = new Map<string, string[]>();
  for (const e of src.values())
    if (e.linkId) (groups.get(e.linkId) ?? groups.set(e.linkId, []).get(e.linkId))?.push(e.path);
  if (groups.size === 0) return entries;
  const leaderOf = new Map<string, string>();
  for (const paths of groups.values()) {
    if (paths.length < 2) continue;
    const leader = [...paths].sort()[0] as string;
    for (const p of paths) leaderOf.set(p, leader);
  }
  if (leaderOf.size === 0) return entries;
  // A group is written whole when any of its files is: the names then land as one inode again.
  const linkedOnDest = (p: string, leader: string): boolean => {
    const a = dst.get(p)?.linkId;
    return a !== undefined && a === dst.get(leader)?.linkId;
  };
  const broken = new Set<string>();
  for (const e of entries) {
    const leader = leaderOf.get(e.path);
    if (!leader) continue;
    if (
      e.action === 'create' ||
      e.action === 'update' ||
      (e.path !== leader && !linkedOnDest(e.path, leader))
    )
      broken.add(src.get(leader)?.linkId ?? '');
  }
  return entries.map((e) => {
    const leader = leaderOf.get(e.path);
    if (
      !leader ||
      !broken.has(src.get(leader)?.linkId ?? '') ||
      e.action === 'create' ||
      e.action === 'update'
    )
      return e;
    return {
      ...e,
      action: 'update',
      reason:
        e.path === leader
          ? 'hard-linked files of its group change'
          : `a hard link to ${leader} on the source`,
    };
  });
}

/** The ids to give a written path on the destination, from the source's owner and group. */
export type OwnerMapper = (m: Ownership) => { uid?: number; gid?: number };

/**
 * How source owners become destination ids: by name (as rsync: the destination's id of the same
 * name, the source's id where the destination has no such name), by id (`numeric`), or not at all
 * (`ignore`, or a destination that cannot set owners).
 */
export async function ownerMapper(plan: Plan, destination: Endpoint): Promise<OwnerMapper> {
  const mapping = plan.options.owners ?? 'name';
  if (mapping === 'ignore' || !(await destination.canSetOwners?.().catch(() => false))) return () => ({});
  const both = (uid?: number, gid?: number) => (uid !== undefined && gid !== undefined ? { uid, gid } : {});
  if (mapping === 'numeric') return (m) => both(m.uid, m.gid);
  const users = new Map<string, number>();
  const groups = new Map<string, number>();
  const wanted = { users: new Set<string>(), groups: new Set<string>() };
  for (const e of plan.entries) {
    const d = e.destination;
    if (d?.user !== undefined && d.uid !== undefined) users.set(d.user, d.uid);
    if (d?.group !== undefined && d.gid !== undefined) groups.set(d.group, d.gid);
  }
  for (const e of [...plan.entries.map((x) => x.source), plan.sourceRootEntry]) {
    if (e?.user !== undefined && !users.has(e.user)) wanted.users.add(e.user);
    if (e?.group !== undefined && !groups.has(e.group)) wanted.groups.add(e.group);
  }
  if (wanted.users.size + wanted.groups.size > 0 && destination.resolveOwners) {
    const found = await destination.resolveOwners([...wanted.users], [...wanted.groups]).catch(() => null);
    for (const [k, v] of found?.users ?? []) users.set(k, v);
    for (const [k, v] of found?.groups ?? []) groups.set(k, v);
  }
  return (m) =>
    both(
      (m.user !== undefined ? users.get(m.user) : undefined) ?? m.uid,
      (m.group !== undefined ? groups.get(m.group) : undefined) ?? m.gid,
    );
}

/** The metadata fields of a journal write beyond mode and mtime: nanoseconds, owner ids, hard-link group. */
export function writeAttrs(
  s: EntryMeta,
  owner: OwnerMapper,
): { nsec?: number; uid?: number; gid?: number; linkId?: string } {
  return {
    ...(s.nsec !== undefined ? { nsec: s.nsec } : {}),
    ...owner(s),
    ...(s.linkId !== undefined ? { linkId: s.linkId } : {}),
  };
}

/** What the tar streams of a run carry: xattrs and ACLs when the set asks (default: when the destination is root). */
export async function tarOptionsFor(plan: Plan, destination: Endpoint): Promise<TarOptions> {
  const root = await (destination.canSetOwners?.() ?? Promise.resolve(false)).catch(() => false);
  return {
    xattrs: plan.options.xattrs ?? root,
    numericOwner: plan.options.owners === 'numeric',
  };
}

/**
 * After files were staged one by one (SFTP): files of one hard-link group become links to the first
 * one staged, and mtimes SFTP cannot carry (sub-second, before 1970, after 2106) are set exactly.
 */
export async function finishPerFile(
  source: Endpoint,
  sourceRoot: string,
  destination: Endpoint,
  stagingDir: string,
  writes: ReadonlyArray<JournalWrite>,
  xattrs: boolean,
): Promise<void> {
  const first = new Map<string, string>();
  const links: LocalCopy[] = [];
  for (const w of writes) {
    if (w.type !== 'file' || w.linkId === undefined) continue;
    const leader = first.get(w.linkId);
    if (leader === undefined) first.set(w.linkId, w.path);
    else links.push({ from: joinRoot(stagingDir, leader), to: joinRoot(stagingDir, w.path), type: 'file' });
  }
  if (links.length > 0) {
    const failed = await destination.copyWithin(links, { link: true });
    if (failed.length > 0)
      throw new Error(`Hard links could not be made on ${destination.label}: ${failed[0]?.message ?? ''}`);
  }
  if (xattrs) await copyXattrs(source, sourceRoot, destination, stagingDir, writes);
  await destination.setExactTimes?.(
    writes
      .filter((w) => w.type !== 'dir')
      .map((w) => ({
        path: joinRoot(stagingDir, w.path),
        mtimeMs: w.mtimeMs,
        ...(w.nsec !== undefined ? { nsec: w.nsec } : {}),
        ...(w.type === 'symlink' && w.uid !== undefined && w.gid !== undefined
          ? { linkOwner: { uid: w.uid, gid: w.gid } }
          : {}),
      })),
  );
}

/**
 * xattrs and POSIX ACLs of files staged one by one (SFTP has no request for them): dumped by getfattr
 * on the source, restored by setfattr in the staging folder. A side without the attr tools, or a
 * filesystem without xattrs, keeps none (as rsync -X there); any other failure fails the run.
 */
async function copyXattrs(
  source: Endpoint,
  sourceRoot: string,
  destination: Endpoint,
  stagingDir: string,
  writes: ReadonlyArray<JournalWrite>,
): Promise<void> {
  const paths = writes.filter((w) => w.type === 'file').map((w) => w.path);
  if (paths.length === 0 || !source.fastPath || !destination.fastPath) return;
  const dump = await source.run(xattrDumpCommand(paths), sourceRoot);
  if (dump.code === 127 || dump.stdout.trim() === '') return;
  if (dump.code !== 0)
    throw new Error(`Reading xattrs on ${source.label} failed: ${dump.stderr.trim().slice(0, 300)}`);
  const r = await destination.run(xattrRestoreCommand(dump.stdout.trim()), stagingDir);
  if (r.code !== 0 && r.code !== 127)
    throw new Error(`Setting xattrs on ${destination.label} failed: ${r.stderr.trim().slice(0, 300)}`);
}

/** A folder's (or the root's, path '') owner, mode and mtime as the source has them, to set after a run. */
export type FolderSetting = {
  readonly path: string;
  readonly mode: number;
  readonly mtimeMs: number;
  readonly nsec?: number;
  readonly uid?: number;
  readonly gid?: number;
};

/**
 * The folders a run writes into, and the root, with the source's owner, mode and mtime: what
 * settleFolders sets once everything is in place (also kept in the run's journal, so that recover
 * sets them after completing a killed run). Deepest first.
 */
export function foldersToSettle(plan: Plan, owner: OwnerMapper): FolderSetting[] {
  const changed = new Set<string>();
  for (const e of plan.entries) {
    if (e.action !== 'create' && e.action !== 'update' && e.action !== 'delete') continue;
    if (e.source?.type === 'dir' && e.action !== 'delete') changed.add(e.path);
    for (let q = parentOf(e.path); q !== ''; q = parentOf(q)) changed.add(q);
  }
  const dirs = plan.entries
    .filter((e) => changed.has(e.path) && e.source?.type === 'dir' && e.action !== 'delete')
    .map((e) => ({ path: e.path, meta: e.source as EntryMeta }))
    .sort((a, b) => b.path.split('/').length - a.path.split('/').length);
  const root = plan.sourceRootEntry;
  const all = root ? [...dirs, { path: '', meta: root }] : dirs;
  return all.map((d) => ({
    path: d.path,
    mode: d.meta.mode,
    mtimeMs: d.meta.mtimeMs,
    ...(d.meta.nsec !== undefined ? { nsec: d.meta.nsec } : {}),
    ...owner(d.meta),
  }));
}

/**
 * After a run put everything in place: every folder it wrote into, and the root, get the source's
 * owner, mode and mtime back (renames, deletions and the staging folder changed their mtimes), so the
 * copy is exact as rsync -a leaves it. Deepest first; what a folder's content changes is done by then.
 */
export async function settleFolders(
  plan: Plan,
  destination: Endpoint,
  owner: OwnerMapper,
  /**
   * The folders as read back after the swap, when nothing can have changed them since but the
   * staging folder's removal (which changes the root): a folder read back with the mode, owner and
   * time to the nanosecond it would be set to is left as it is (a run that only set files' times
   * renamed nothing into its folders).
   */
  readBack?: ReadonlyMap<string, RawEntry | StatResult>,
): Promise<PathError[]> {
  const all = foldersToSettle(plan, owner);
  return settleFolderList(
    destination,
    plan.destinationRoot,
    readBack ? all.filter((d) => d.path === '' || !alreadySet(readBack.get(d.path), d)) : all,
  );
}

/** A folder read back exactly as `d` would set it (its time to the nanosecond: else it is set anyway). */
function alreadySet(got: RawEntry | StatResult | undefined, d: FolderSetting): boolean {
  return (
    got !== undefined &&
    got.type === 'dir' &&
    got.mode === d.mode &&
    got.mtimeMs === d.mtimeMs &&
    got.nsec !== undefined &&
    got.nsec === d.nsec &&
    (d.uid === undefined || got.uid === d.uid) &&
    (d.gid === undefined || got.gid === d.gid)
  );
}

/** Sets each folder's owner, mode and mtime below `root` (see foldersToSettle); failures are listed. */
export async function settleFolderList(
  destination: Endpoint,
  root: string,
  all: ReadonlyArray<FolderSetting>,
): Promise<PathError[]> {
  const errors: PathError[] = [];
  const at = (p: string) => joinRoot(root, p);
  await mapBounded(all, IN_FLIGHT, async (d) => {
    try {
      await destination.setAttrs(at(d.path), {
        mode: d.mode,
        mtimeMs: d.mtimeMs,
        ...(d.uid !== undefined ? { uid: d.uid } : {}),
        ...(d.gid !== undefined ? { gid: d.gid } : {}),
      });
    } catch (err) {
      errors.push({ path: d.path, message: `folder attributes not set: ${(err as Error).message}` });
    }
  });
  try {
    await destination.setExactTimes?.(
      all.map((d) => ({
        path: at(d.path),
        mtimeMs: d.mtimeMs,
        ...(d.nsec !== undefined ? { nsec: d.nsec } : {}),
      })),
    );
  } catch (err) {
    errors.push({ path: '', message: (err as Error).message });
  }
  return errors;
}
