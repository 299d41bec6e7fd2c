import type { EntryType, PathError, Plan } from '../../src-shared/model/sync.js';
import type { Endpoint } from '../transport/endpoint.js';
import { AppError } from '../errors/app-error.js';
import { checkRelPath, joinRoot } from './rel-path.js';
import { backupHashes, changedSince, seenOf, type Seen } from './left-alone.js';

export type ManifestEntry = {
  readonly path: string;
  readonly type: EntryType;
  readonly size: number;
  readonly mtimeMs: number;
  readonly mode: number;
  readonly linkTarget?: string;
  /**
   * A file whose modified time alone the run set (same content on both sides, see
   * settleSameContent): the backup holds no copy, only what was there (its time and mode); its
   * content is what the run left (the manifest's `after` hash), and a restore sets the time back.
   */
  readonly timeOnly?: true;
};

/** What a run's backup holds: everything it overwrote or deleted, and what it created. */
export type BackupManifest = {
  readonly version: 1;
  readonly runId: string;
  readonly setName: string;
  readonly root: string;
  readonly createdAt: string;
  readonly entries: ReadonlyArray<ManifestEntry>;
  /** Paths the run put where nothing (or something of another type) was. */
  readonly created: ReadonlyArray<{ readonly path: string; readonly type: EntryType }>;
  /**
   * What the run leaves at each path it changes (null: nothing, for a deletion), so a restore can
   * tell a path someone changed since from one the run left (manifests of older versions lack it).
   */
  readonly after?: ReadonlyArray<{ readonly path: string; readonly seen: Seen }>;
};

export type RestoreResult = {
  readonly restored: number;
  readonly removed: number;
  readonly errors: ReadonlyArray<PathError>;
  /** Paths changed since the run, left as they are (put back only with `overwrite`). */
  readonly left: ReadonlyArray<PathError>;
  /** Where what the restore replaced or removed was backed up (see RestoreOptions.backUpTo). */
  readonly backupDir?: string;
  /** The entries put back and the paths removed (for the restore's journal). */
  readonly put?: ReadonlyArray<ManifestEntry>;
  readonly gone?: ReadonlyArray<{ readonly path: string; readonly type: EntryType }>;
};

export type RestoreOptions = {
  /**
   * Which states of a path count as the run's own: `left` (what the run left: a restore after the
   * run) or `left-or-found` (a roll-back of a run stopped half-way: each path is either).
   */
  readonly expect?: 'left' | 'left-or-found';
  /** Put back even a path changed since the run (backed up first when `backUpTo` is given). */
  readonly overwrite?: boolean;
  /** Back up everything the restore replaces or removes into this folder first (restorable in turn). */
  readonly backUpTo?: { readonly dir: string; readonly runId: string; readonly setName: string };
};

export function checkSetName(name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(name))
    throw new AppError(
      'BAD_SET_NAME',
      `"${name}" cannot name a backup folder: use letters, digits, ".", "_" and "-".`,
    );
  return name;
}

export function backupDirOf(stateDir: string, setName: string, runId: string): string {
  return joinRoot(stateDir, `backups/${checkSetName(setName)}/${runId}`);
}

/** The manifest a plan implies: recorded before any copy, so a partial backup is still described. */
export function manifestFor(plan: Plan, runId: string, setName: string): BackupManifest {
  const entries: ManifestEntry[] = [];
  const created: Array<{ path: string; type: EntryType }> = [];
  const after: Array<{ path: string; seen: Seen }> = [];
  for (const e of plan.entries) {
    if (e.action !== 'create' && e.action !== 'update' && e.action !== 'delete') continue;
    // The root's own metadata (path ""): nothing is copied or replaced there.
    if (e.path === '') continue;
    const d = e.destination;
    const s = e.action === 'delete' ? undefined : e.source;
    after.push({
      path: e.path,
      // Compared by checksum (or of the same content), the source's hash is what the run leaves
      // (no read needed).
      seen: s
        ? seenOf(
            s,
            s.type === 'file' && s.hash && (plan.options.compare === 'checksum' || e.sameContent)
              ? s.hash
              : undefined,
          )
        : null,
    });
    if (d && e.action !== 'create')
      entries.push({
        path: e.path,
        type: d.type,
        size: d.size,
        mtimeMs: d.mtimeMs,
        mode: d.mode,
        ...(d.linkTarget !== undefined ? { linkTarget: d.linkTarget } : {}),
        ...(e.sameContent ? { timeOnly: true as const } : {}),
      });
    if (e.source && (e.action === 'create' || d?.type !== e.source.type))
      created.push({ path: e.path, type: e.source.type });
  }
  return {
    version: 1,
    runId,
    setName,
    root: plan.destinationRoot,
    createdAt: new Date().toISOString(),
    entries,
    created,
    after,
  };
}

/** How far a backup has come: its copies done so far, counted after each batch. */
export type BackupProgress = { readonly files: number; readonly bytes: number; readonly lastPath: string };

/**
 * The backup's copies split into at most 8 batches of about equal bytes, each at least 200 entries or
 * 8 MB (a small backup is one batch, one command): each batch is one bulk copy, and its end is a
 * progress point. Order is kept.
 */
export function backupBatches<T extends { readonly size: number }>(items: ReadonlyArray<T>): T[][] {
  const bytes = items.reduce((n, e) => n + e.size, 0);
  const k = Math.max(
    1,
    Math.min(8, Math.max(Math.floor(items.length / 200), Math.floor(bytes / (8 * 1024 * 1024)))),
  );
  if (k === 1) return items.length > 0 ? [[...items]] : [];
  const batches: T[][] = [];
  let batch: T[] = [];
  let batchBytes = 0;
  for (const e of items) {
    batch.push(e);
    batchBytes += e.size;
    if (batches.length < k - 1 && (batchBytes >= bytes / k || batch.length >= items.length / k)) {
      batches.push(batch);
      batch = [];
      batchBytes = 0;
    }
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

/**
 * Copies every file and symlink the run will overwrite or delete into `<backupDir>/files/`, then
 * writes the manifest, and flushes both to disk. True copies (reflinks where the filesystem can),
 * never hard links: an in-place write to a live file after this leaves the backup as it was. In bulk
 * (one command per batch of backupBatches, see Endpoint.copyTree), `onBatch` told after each. Any
 * failure aborts the run before anything live is touched.
 */
export async function takeBackup(
  endpoint: Endpoint,
  manifest: BackupManifest,
  backupDir: string,
  onBatch?: (done: BackupProgress) => void,
): Promise<void> {
  const items = copiedEntries(manifest.entries);
  const filesDir = joinRoot(backupDir, 'files');
  await endpoint.mkdirp(filesDir);
  const done = { files: 0, bytes: 0, lastPath: '' };
  for (const batch of backupBatches(items)) {
    const errors = await copyEntries(endpoint, manifest.root, filesDir, batch);
    if (errors.length > 0)
      throw new AppError(
        'BACKUP_FAILED',
        `The backup of ${errors[0]?.path} failed (${errors[0]?.message}); nothing was changed.`,
      );
    done.files += batch.length;
    done.bytes += batch.reduce((n, e) => n + (e.type === 'file' ? e.size : 0), 0);
    done.lastPath = batch.at(-1)?.path ?? '';
    onBatch?.({ ...done });
  }
  const manifestPath = joinRoot(backupDir, 'manifest.json');
  await endpoint.writeFile(manifestPath, manifestBytes(manifest), 0o600);
  await endpoint.fsync?.(
    [
      ...items.filter((e) => e.type === 'file').map((e) => joinRoot(filesDir, e.path)),
      manifestPath,
      backupDir,
    ],
    backupDir,
  );
}

/**
 * Adds to the manifest the SHA-256 of each file the run writes that it does not know yet (compared
 * by time and size), before anything goes live, so that recover and restore can tell an edit that
 * kept size and mtime: from `known` (the source's hashes of what was sent) where it has them, the
 * rest read from the staging folder in one command. They go to `hashes.json` beside the manifest
 * (see readManifest), written atomically (temp name, fsync, rename, fsync of its folder): a path
 * and a hash each, not the whole manifest again (25 MB for a 100k first copy).
 */
export async function recordWrittenHashes(
  endpoint: Endpoint,
  backupDir: string,
  stagingDir: string,
  known?: ReadonlyMap<string, string> | null,
  written?: BackupManifest,
): Promise<BackupManifest> {
  const m = written ?? (await readManifest(endpoint, backupDir));
  const missing = (m.after ?? []).filter((a) => a.seen?.type === 'file' && !a.seen.hash).map((a) => a.path);
  if (missing.length === 0) return m;
  const unknown = missing.filter((p) => !known?.has(p));
  const hashes = new Map<string, string>();
  for (const p of missing) {
    const h = known?.get(p);
    if (h !== undefined) hashes.set(p, h);
  }
  if (unknown.length > 0) for (const [p, h] of await endpoint.hash(stagingDir, unknown)) hashes.set(p, h);
  await replaceFile(endpoint, backupDir, HASHES, Buffer.from(JSON.stringify([...hashes])));
  return withSidecar(m, hashes, 'hash');
}

/**
 * Adds to the manifest the inode (`device:inode`) of what the run left at each path it wrote, as the
 * read-back listing gave them after the swap (SFTP-only sides have none: size, mtime and hash carry
 * the check then), in `inodes.json` beside it. A recover or restore then tells a path replaced
 * since by one with the same bytes.
 */
export async function recordLeftInodes(
  endpoint: Endpoint,
  backupDir: string,
  inodes: ReadonlyMap<string, string>,
  written?: BackupManifest,
): Promise<void> {
  if (inodes.size === 0) return;
  const m = written ?? (await readManifest(endpoint, backupDir));
  const left: Array<[string, string]> = [];
  for (const a of m.after ?? []) {
    const ino = inodes.get(a.path);
    if (a.seen && ino && a.seen.type !== 'dir') left.push([a.path, ino]);
  }
  if (left.length > 0) await replaceFile(endpoint, backupDir, INODES, Buffer.from(JSON.stringify(left)));
}

/** Beside a manifest: the hashes of what its run wrote, and the inodes of what it left ([path, value] pairs). */
const HASHES = 'hashes.json';
const INODES = 'inodes.json';

/** The manifest's after records with `field` set from `values` where they lack it. */
function withSidecar(
  m: BackupManifest,
  values: ReadonlyMap<string, string>,
  field: 'hash' | 'ino',
): BackupManifest {
  if (values.size === 0) return m;
  const after = (m.after ?? []).map((a) => {
    const v = values.get(a.path);
    if (!a.seen || v === undefined || a.seen.type === 'dir' || a.seen[field]) return a;
    const seen = field === 'hash' ? seenOf(a.seen, v, a.seen.ino) : seenOf(a.seen, a.seen.hash, v);
    return { path: a.path, seen };
  });
  return { ...m, after };
}

/**
 * A manifest as written: indented for a person to read when small, compact when it lists many paths
 * (a 100,000-file run's is tens of MB, and indenting it was a third more to build and write).
 */
function manifestBytes(m: BackupManifest): Buffer {
  const big = m.entries.length + m.created.length + (m.after?.length ?? 0) > 3000;
  return Buffer.from(big ? JSON.stringify(m) : JSON.stringify(m, null, 1));
}

/** A file of the backup folder replaced atomically and durably (temp name, fsync, rename, fsync of its folder). */
async function replaceFile(endpoint: Endpoint, backupDir: string, name: string, data: Buffer): Promise<void> {
  const path = joinRoot(backupDir, name);
  const tmp = `${path}.tmp`;
  await endpoint.writeFile(tmp, data, 0o600);
  await endpoint.fsync?.([tmp]);
  await endpoint.rename(tmp, path);
  await endpoint.fsync?.([backupDir]);
}

/** The entries a backup holds a copy of: files and symlinks, not the ones of which it keeps the time only. */
export function copiedEntries<T extends ManifestEntry>(entries: ReadonlyArray<T>): T[] {
  return entries.filter((e) => e.type !== 'dir' && !e.timeOnly);
}

/**
 * The SHA-256 of what the run found at each entry: its backup's copy, hashed there, or, for a
 * time-only entry (no copy), the content the run left in place, which it did not change.
 */
export async function foundHashes(
  endpoint: Endpoint,
  backupDir: string,
  m: BackupManifest,
  entries: ReadonlyArray<ManifestEntry>,
): Promise<Map<string, string>> {
  const hashes = await backupHashes(endpoint, joinRoot(backupDir, 'files'), copiedEntries(entries));
  const left = new Map((m.after ?? []).map((a) => [a.path, a.seen]));
  for (const e of entries) {
    const hash = e.timeOnly ? left.get(e.path)?.hash : undefined;
    if (hash) hashes.set(e.path, hash);
  }
  return hashes;
}

/** True copies of `items` from under `fromRoot` to the same paths under `toRoot`. */
function copyEntries(
  endpoint: Endpoint,
  fromRoot: string,
  toRoot: string,
  items: ReadonlyArray<{ readonly path: string; readonly type: EntryType }>,
): Promise<PathError[]> {
  if (endpoint.copyTree) return endpoint.copyTree(fromRoot, toRoot, items);
  return endpoint.copyWithin(
    items.map((e) => ({ from: joinRoot(fromRoot, e.path), to: joinRoot(toRoot, e.path), type: e.type })),
    { link: false },
  );
}

export async function readManifest(endpoint: Endpoint, backupDir: string): Promise<BackupManifest> {
  let raw: Buffer;
  try {
    raw = await endpoint.readFile(joinRoot(backupDir, 'manifest.json'));
  } catch (err) {
    throw new AppError(
      'BACKUP_MISSING',
      `No backup manifest in ${backupDir} on ${endpoint.label}: ${(err as Error).message}`,
    );
  }
  const m = JSON.parse(raw.toString('utf8')) as BackupManifest;
  if (m.version !== 1 || !Array.isArray(m.entries))
    throw new AppError('BACKUP_INVALID', `${backupDir}/manifest.json is not readable.`);
  for (const e of [...m.entries, ...m.created]) checkRelPath(e.path);
  // What the run recorded after the manifest: the hashes of what it wrote, the inodes it left.
  const [hashes, inodes] = await Promise.all([
    readSidecar(endpoint, backupDir, HASHES),
    readSidecar(endpoint, backupDir, INODES),
  ]);
  return withSidecar(withSidecar(m, hashes, 'hash'), inodes, 'ino');
}

/** A [path, value] file beside a manifest (none: an empty map; one that is not such pairs: an error). */
async function readSidecar(
  endpoint: Endpoint,
  backupDir: string,
  name: string,
): Promise<Map<string, string>> {
  const path = joinRoot(backupDir, name);
  if (!(await endpoint.stat(path))) return new Map();
  let pairs: unknown;
  try {
    pairs = JSON.parse((await endpoint.readFile(path)).toString('utf8'));
  } catch (err) {
    throw new AppError('BACKUP_INVALID', `${path} is not readable: ${(err as Error).message}`);
  }
  const ok =
    Array.isArray(pairs) &&
    pairs.every(
      (p) => Array.isArray(p) && p.length === 2 && typeof p[0] === 'string' && typeof p[1] === 'string',
    );
  if (!ok) throw new AppError('BACKUP_INVALID', `${path} is not readable.`);
  return new Map(pairs as Array<[string, string]>);
}

const deepestFirst = (a: { path: string }, b: { path: string }) =>
  b.path.split('/').length - a.path.split('/').length;

/**
 * Puts a run's destination back as it was: removes what the run created, then brings back every
 * overwritten or deleted entry byte for byte (copied into a staging folder beside the target, then
 * renamed into place, so a reader never sees a half-restored file), with its mode and mtime. A path
 * someone changed since the run is left as it is and listed (unless `overwrite`); what the restore
 * replaces is first backed up when `backUpTo` says where.
 */
export async function restoreBackup(
  endpoint: Endpoint,
  backupDir: string,
  options: RestoreOptions = {},
): Promise<RestoreResult> {
  const m = await readManifest(endpoint, backupDir);
  const { created, items, left } = await stillTheRuns(endpoint, m, backupDir, options);
  const errors: PathError[] = [];
  const at = (p: string) => joinRoot(m.root, p);
  let saved: string | undefined;
  if (options.backUpTo)
    saved = await backUpBeforeRestore(endpoint, m, backupDir, options.backUpTo, items, created);
  const gone: Array<{ path: string; type: EntryType }> = [];
  for (const c of [...created.filter((c) => c.type !== 'dir'), ...created.filter((c) => c.type === 'dir')]) {
    try {
      if (await endpoint.stat(at(c.path))) {
        await endpoint.remove(at(c.path));
        gone.push({ path: c.path, type: c.type });
      }
    } catch (err) {
      errors.push({ path: c.path, message: `could not remove: ${(err as Error).message}` });
    }
  }
  const dirs = m.entries.filter((e) => e.type === 'dir');
  for (const d of dirs) await endpoint.mkdirp(at(d.path));
  const put = await putBack(endpoint, m, backupDir, items, errors);
  for (const d of [...dirs].sort(deepestFirst)) {
    await endpoint
      .setAttrs(at(d.path), d)
      .catch((err: Error) => errors.push({ path: d.path, message: err.message }));
  }
  return {
    restored: put.length,
    removed: gone.length,
    errors,
    left,
    put,
    gone,
    ...(saved ? { backupDir: saved } : {}),
  };
}

/** The entries to put back and the created paths to remove, leaving out (and listing) those changed since. */
async function stillTheRuns(
  endpoint: Endpoint,
  m: BackupManifest,
  backupDir: string,
  options: RestoreOptions,
) {
  const created = [...m.created].sort(deepestFirst);
  const items = m.entries.filter((e) => e.type !== 'dir');
  const after = new Map((m.after ?? []).map((a) => [a.path, a.seen]));
  if (!m.after || options.overwrite) {
    // Even so, a time-only entry whose content changed since cannot be put back: the backup holds
    // its time, not its content.
    const lost = await timeOnlyChanged(endpoint, m, items);
    const skip = new Set(lost.map((l) => l.path));
    return { created, items: items.filter((e) => !skip.has(e.path)), left: lost };
  }
  // What the run found is its backup's copy: hashed there when a roll-back may meet it.
  const hashes =
    options.expect === 'left-or-found'
      ? await foundHashes(endpoint, backupDir, m, items)
      : new Map<string, string>();
  const found = new Map<string, Seen>(
    items.map((e) => {
      const hash = hashes.get(e.path);
      return [e.path, hash ? { ...e, hash } : e];
    }),
  );
  const states = (p: string): Seen[] => {
    const leftThere = after.get(p) ?? null;
    return options.expect === 'left-or-found' ? [leftThere, found.get(p) ?? null] : [leftThere];
  };
  const all = [
    ...new Set([...items.map((e) => e.path), ...created.filter((c) => c.type !== 'dir').map((c) => c.path)]),
  ];
  const { changed } = await changedSince(
    endpoint,
    m.root,
    all.map((path) => ({ path })),
    (i) => states(i.path),
  );
  const skip = new Set(changed.map((c) => c.path));
  return {
    created: created.filter((c) => !skip.has(c.path)),
    items: items.filter((e) => !skip.has(e.path)),
    left: changed,
  };
}

/** The time-only entries whose content is no longer what the run left (or that are gone): listed. */
async function timeOnlyChanged(
  endpoint: Endpoint,
  m: BackupManifest,
  items: ReadonlyArray<ManifestEntry>,
): Promise<PathError[]> {
  const timeOnly = items.filter((e) => e.timeOnly);
  if (timeOnly.length === 0) return [];
  const left = new Map((m.after ?? []).map((a) => [a.path, a.seen]));
  const now = await endpoint
    .hash(
      m.root,
      timeOnly.map((e) => e.path),
    )
    .catch(() => new Map<string, string>());
  return timeOnly
    .filter((e) => {
      const h = left.get(e.path)?.hash;
      return !h || now.get(e.path) !== h;
    })
    .map((e) => ({
      path: e.path,
      message:
        'its content changed since the run (or it is gone), and the backup holds only its modified time',
    }));
}

/** A backup of the live entries a restore is about to replace or remove (a manifest of its own). */
async function backUpBeforeRestore(
  endpoint: Endpoint,
  m: BackupManifest,
  fromDir: string,
  to: NonNullable<RestoreOptions['backUpTo']>,
  items: ReadonlyArray<ManifestEntry>,
  created: ReadonlyArray<{ readonly path: string; readonly type: EntryType }>,
): Promise<string> {
  const paths = [
    ...new Set([...items.map((e) => e.path), ...created.filter((c) => c.type !== 'dir').map((c) => c.path)]),
  ];
  const now = await Promise.all(paths.map((p) => endpoint.stat(joinRoot(m.root, p))));
  const entries: ManifestEntry[] = [];
  const made: Array<{ path: string; type: EntryType }> = [];
  paths.forEach((path, k) => {
    const st = now[k];
    if (st && st.type !== 'other')
      entries.push({
        path,
        type: st.type,
        size: st.size,
        mtimeMs: st.mtimeMs,
        mode: st.mode,
        ...(st.linkTarget !== undefined ? { linkTarget: st.linkTarget } : {}),
      });
    const back = items.find((e) => e.path === path);
    if (back && (!st || st.type !== back.type)) made.push({ path, type: back.type });
  });
  const restoredTo = new Map(items.map((e) => [e.path, e]));
  // What the restore leaves at a file is the backup's copy: its hash, for a restore of this restore.
  const leftHashes = await foundHashes(endpoint, fromDir, m, items);
  const manifest: BackupManifest = {
    version: 1,
    runId: to.runId,
    setName: to.setName,
    root: m.root,
    createdAt: new Date().toISOString(),
    entries,
    created: made,
    after: paths.map((path) => {
      const e = restoredTo.get(path);
      return {
        path,
        seen: e
          ? {
              type: e.type,
              size: e.size,
              mtimeMs: e.mtimeMs,
              ...(e.linkTarget !== undefined ? { linkTarget: e.linkTarget } : {}),
              ...(leftHashes.get(path) ? { hash: leftHashes.get(path) as string } : {}),
            }
          : null,
      };
    }),
  };
  await takeBackup(endpoint, manifest, to.dir);
  return to.dir;
}

/** Copies each entry from the backup into a staging folder beside the tree and renames it into place. */
async function putBack(
  endpoint: Endpoint,
  m: BackupManifest,
  backupDir: string,
  items: ReadonlyArray<ManifestEntry>,
  errors: PathError[],
): Promise<ManifestEntry[]> {
  const at = (p: string) => joinRoot(m.root, p);
  const staging = joinRoot(m.root, `.configsync-staging-restore-${m.runId}`);
  const copied = copiedEntries(items);
  const copyErrors =
    copied.length > 0 ? await copyEntries(endpoint, joinRoot(backupDir, 'files'), staging, copied) : [];
  errors.push(...copyErrors);
  const failed = new Set(copyErrors.map((e) => e.path));
  const restored: ManifestEntry[] = [];
  // A time-only entry: its content is the one it had (checked before), so its time and mode are set in place.
  for (const e of items.filter((x) => x.timeOnly)) {
    try {
      await endpoint.setAttrs(at(e.path), e);
      restored.push(e);
    } catch (err) {
      errors.push({ path: e.path, message: (err as Error).message });
    }
  }
  for (const e of copied) {
    if (failed.has(joinRoot(backupDir, `files/${e.path}`)) || failed.has(e.path)) continue;
    try {
      await endpoint.mkdirp(at(e.path).replace(/\/[^/]*$/, ''));
      const now = await endpoint.stat(at(e.path));
      if (now && now.type !== e.type) await endpoint.remove(at(e.path));
      if (e.type === 'file') await endpoint.setAttrs(joinRoot(staging, e.path), e);
      await endpoint.rename(joinRoot(staging, e.path), at(e.path));
      restored.push(e);
    } catch (err) {
      errors.push({ path: e.path, message: (err as Error).message });
    }
  }
  await endpoint.removeTree(staging);
  return restored;
}

/** Keeps the newest `keep` runs of a set's backups (run ids sort by time) and removes the rest. */
export async function pruneBackups(
  endpoint: Endpoint,
  stateDir: string,
  setName: string,
  keep: number,
): Promise<string[]> {
  const setDir = joinRoot(stateDir, `backups/${checkSetName(setName)}`);
  const runs = (await endpoint.readdir(setDir)).filter((n) => /^\d{8}T\d{6}/.test(n)).sort();
  const old = runs.slice(0, Math.max(0, runs.length - Math.max(1, keep)));
  for (const r of old) await endpoint.removeTree(joinRoot(setDir, r));
  return old;
}
