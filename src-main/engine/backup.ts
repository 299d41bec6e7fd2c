import type { EntryType, PathError, Plan } from '../../src-shared/model/sync.js';
import type { Endpoint, LocalCopy } from '../transport/endpoint.js';
import { AppError } from '../errors/app-error.js';
import { checkRelPath, joinRoot } from './rel-path.js';

export type ManifestEntry = {
  readonly path: string;
  readonly type: EntryType;
  readonly size: number;
  readonly mtimeMs: number;
  readonly mode: number;
  readonly linkTarget?: string;
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
};

export type RestoreResult = {
  readonly restored: number;
  readonly removed: number;
  readonly errors: ReadonlyArray<PathError>;
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
  for (const e of plan.entries) {
    if (e.action !== 'create' && e.action !== 'update' && e.action !== 'delete') continue;
    const d = e.destination;
    if (d && e.action !== 'create')
      entries.push({
        path: e.path,
        type: d.type,
        size: d.size,
        mtimeMs: d.mtimeMs,
        mode: d.mode,
        ...(d.linkTarget !== undefined ? { linkTarget: d.linkTarget } : {}),
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
  };
}

/**
 * Copies every file and symlink the run will overwrite or delete into `<backupDir>/files/`, then
 * writes the manifest. Hard links where possible: instant, and they keep the old data once the rename
 * puts the new file in place. Any failure aborts the run before anything live is touched.
 */
export async function takeBackup(
  endpoint: Endpoint,
  manifest: BackupManifest,
  backupDir: string,
): Promise<void> {
  const copies: LocalCopy[] = manifest.entries
    .filter((e) => e.type !== 'dir')
    .map((e) => ({
      from: joinRoot(manifest.root, e.path),
      to: joinRoot(backupDir, `files/${e.path}`),
      type: e.type,
    }));
  await endpoint.mkdirp(joinRoot(backupDir, 'files'));
  const errors = await endpoint.copyWithin(copies, { link: true });
  if (errors.length > 0)
    throw new AppError(
      'BACKUP_FAILED',
      `The backup of ${errors[0]?.path} failed (${errors[0]?.message}); nothing was changed.`,
    );
  await endpoint.writeFile(
    joinRoot(backupDir, 'manifest.json'),
    Buffer.from(JSON.stringify(manifest, null, 1)),
    0o600,
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
  return m;
}

const deepestFirst = (a: { path: string }, b: { path: string }) =>
  b.path.split('/').length - a.path.split('/').length;

/**
 * Puts a run's destination back as it was: removes what the run created, then brings back every
 * overwritten or deleted entry byte for byte (copied into a staging folder beside the target, then
 * renamed into place, so a reader never sees a half-restored file), with its mode and mtime.
 */
export async function restoreBackup(endpoint: Endpoint, backupDir: string): Promise<RestoreResult> {
  const m = await readManifest(endpoint, backupDir);
  const errors: PathError[] = [];
  const at = (p: string) => joinRoot(m.root, p);
  let removed = 0;
  const created = [...m.created].sort(deepestFirst);
  for (const c of [...created.filter((c) => c.type !== 'dir'), ...created.filter((c) => c.type === 'dir')]) {
    try {
      if (await endpoint.stat(at(c.path))) {
        await endpoint.remove(at(c.path));
        removed++;
      }
    } catch (err) {
      errors.push({ path: c.path, message: `could not remove: ${(err as Error).message}` });
    }
  }
  const dirs = m.entries.filter((e) => e.type === 'dir');
  for (const d of dirs) await endpoint.mkdirp(at(d.path));
  const staging = joinRoot(m.root, `.configsync-staging-restore-${m.runId}`);
  const items = m.entries.filter((e) => e.type !== 'dir');
  const copyErrors = await endpoint.copyWithin(
    items.map((e) => ({
      from: joinRoot(backupDir, `files/${e.path}`),
      to: joinRoot(staging, e.path),
      type: e.type,
    })),
    { link: false },
  );
  errors.push(...copyErrors);
  const failed = new Set(copyErrors.map((e) => e.path));
  let restored = 0;
  for (const e of items) {
    if (failed.has(joinRoot(backupDir, `files/${e.path}`))) continue;
    try {
      await endpoint.mkdirp(at(e.path).replace(/\/[^/]*$/, ''));
      const now = await endpoint.stat(at(e.path));
      if (now && now.type !== e.type) await endpoint.remove(at(e.path));
      if (e.type === 'file') await endpoint.setAttrs(joinRoot(staging, e.path), e);
      await endpoint.rename(joinRoot(staging, e.path), at(e.path));
      restored++;
    } catch (err) {
      errors.push({ path: e.path, message: (err as Error).message });
    }
  }
  for (const d of [...dirs].sort(deepestFirst)) {
    await endpoint
      .setAttrs(at(d.path), d)
      .catch((err: Error) => errors.push({ path: d.path, message: err.message }));
  }
  await endpoint.removeTree(staging);
  return { restored, removed, errors };
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
