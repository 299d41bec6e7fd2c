import Conf from 'conf';
import { copyFileSync, existsSync, readFileSync, statSync } from 'node:fs';
import lockfile from 'proper-lockfile';
import { resolve } from 'node:path';
import { AppError } from '../errors/app-error.js';
import { migrate } from './migrations.js';
import {
  describeDocumentIssues,
  emptyDocument,
  reservedKeys,
  storeDocument,
  type StoreDocument,
} from './store-document.js';
import { assertNever } from '../../src-shared/assert-never.js';

/** The part of conf the store needs: atomic whole-file writes (temp file, fsync, rename). */
type ConfLike = { readonly path: string; store: Record<string, unknown> };

export type SettingsStoreOptions = {
  /** For tests: the clock used to name kept copies. */
  readonly now?: () => Date;
  /** How long a write waits for another process's lock on the store before STORE_LOCKED (default 10 s). */
  readonly lockWaitMs?: number;
};

/** A lock not refreshed for this long belongs to a process that died; proper-lockfile then takes it over. */
const LOCK_STALE_MS = 10_000;

/**
 * The app's persistent `config.json`: the server list and settings, versioned and validated.
 * Several processes may share it (the app, the CLI, `configsync scheduler`): every write takes the
 * store's lock (proper-lockfile, `config.json.lock`), reads the file again and changes only what it
 * writes, so no process overwrites another's change with an older copy; a read sees another process's
 * write as soon as the file changed. Nothing is read until first use, so a corrupt file does not stop the app from starting: every call
 * then fails with STORE_CORRUPT naming the file, a copy of the bad file is kept beside it, and the
 * file itself is never overwritten until the user has repaired or removed it.
 */
export type SettingsStore = {
  readonly path: string;
  /** The validated document (migrated to the current version). */
  read(): StoreDocument;
  /** Validates and writes the whole document atomically (temp file + rename, by conf). */
  write(doc: StoreDocument): void;
  /** A top-level key other services own (anything but schemaVersion, servers, settings). */
  get<T>(key: string): T | undefined;
  set(key: string, value: unknown): void;
};

/** Opens (lazily) `config.json` in `dataDir`. */
export function openSettingsStore(dataDir: string, options: SettingsStoreOptions = {}): SettingsStore {
  const path = resolve(dataDir, 'config.json');
  const now = options.now ?? (() => new Date());
  const lockWaitMs = options.lockWaitMs ?? 10_000;
  const createBackend = (o: { cwd: string; configName: string }) =>
    new Conf<Record<string, unknown>>({
      ...o,
      projectName: 'configsync',
      configFileMode: 0o600,
    }) as unknown as ConfLike;
  let state: { readonly backend: ConfLike; doc: StoreDocument; seen: string } | null = null;
  let failure: AppError | null = null;

  /** What the file looks like on disk (inode, size, mtime): a change means another process wrote it. */
  const stamp = (): string => {
    try {
      const st = statSync(path, { bigint: true });
      return `${st.ino}:${st.size}:${st.mtimeNs}`;
    } catch {
      return 'none';
    }
  };

  const keepCopy = (suffix: string): string => {
    const copy = `${path}.${suffix}-${now().toISOString().replace(/[:.]/g, '-')}`;
    copyFileSync(path, copy);
    return copy;
  };

  const corrupt = (problem: string): AppError => {
    const copy = keepCopy('corrupt');
    return new AppError(
      'STORE_CORRUPT',
      `The settings file ${path} cannot be used: ${problem}. Nothing was changed; a copy was kept at ${copy}. ` +
        'Repair the file or move it away, then restart ConfigSync.',
    );
  };

  const load = (): { readonly backend: ConfLike; doc: StoreDocument; seen: string } => {
    if (failure) throw failure;
    if (state && state.seen === stamp()) return state;
    const seen = stamp();
    let raw: unknown = null;
    if (existsSync(path)) {
      const text = readFileSync(path, 'utf8');
      try {
        raw = JSON.parse(text);
      } catch (err) {
        throw (failure = corrupt(`it is not valid JSON (${(err as Error).message})`));
      }
      if (!raw || typeof raw !== 'object' || Array.isArray(raw))
        throw (failure = corrupt('it does not hold a JSON object'));
    }
    let doc: StoreDocument;
    let migratedFrom: number | null = null;
    if (raw === null) doc = emptyDocument();
    else {
      const migrated = migrate(raw as Record<string, unknown>);
      switch (migrated.kind) {
        case 'too-new':
          throw (failure = new AppError(
            'STORE_TOO_NEW',
            `The settings file ${path} was written by a newer ConfigSync (schema version ${migrated.version}). Update ConfigSync; the file was left as it is.`,
          ));
        case 'bad-version':
          throw (failure = corrupt(
            `its schemaVersion is ${JSON.stringify(migrated.value)}, not a version number`,
          ));
        case 'migrated':
          migratedFrom = migrated.from;
          break;
        case 'current':
          break;
        default:
          return assertNever(migrated);
      }
      const parsed = storeDocument.safeParse(migrated.doc);
      if (!parsed.success) throw (failure = corrupt(describeDocumentIssues(parsed.error, migrated.doc)));
      doc = parsed.data;
    }
    if (migratedFrom !== null) keepCopy(`v${migratedFrom}`);
    const backend = state?.backend ?? createBackend({ cwd: dataDir, configName: 'config' });
    state = { backend, doc, seen };
    if (raw === null || migratedFrom !== null) store({ ...doc });
    return state;
  };

  /** Writes the whole document (conf: temp file, fsync, rename) and remembers what the file now is. */
  const store = (next: StoreDocument): void => {
    if (!state) throw new Error('store() before load()');
    state.backend.store = { ...next };
    state.doc = next;
    state.seen = stamp();
  };

  /** Runs `change` on the document as it is on disk now, holding the store's lock across processes. */
  const locked = (change: (current: StoreDocument) => StoreDocument): void => {
    if (failure) throw failure;
    const release = takeLock(path, lockWaitMs);
    try {
      store(change(load().doc));
    } finally {
      release();
    }
  };

  return {
    path,
    read: () => structuredClone(load().doc),
    write(doc) {
      // What this process last saw: a key the caller left as it was there is taken from the file as it
      // is now, so another process's change to it survives; a key the caller changed is written.
      const base = state?.doc ?? null;
      load();
      const parsed = storeDocument.safeParse(doc);
      if (!parsed.success)
        throw new AppError(
          'STORE_INVALID',
          `Refused to write ${path}: ${describeDocumentIssues(parsed.error, doc)}.`,
        );
      locked((current) => mergeChanges(base, parsed.data, current));
    },
    get<T>(key: string): T | undefined {
      return load().doc[key] as T | undefined;
    },
    set(key, value) {
      if (reservedKeys.has(key)) throw new Error(`"${key}" is written through read()/write(), not set().`);
      locked((current) => ({ ...current, [key]: value }));
    },
  };
}

/**
 * Takes the store's lock, waiting (polling) up to `waitMs` for another process to release it; returns
 * the release. A lock left by a process that died goes stale after LOCK_STALE_MS and is taken over.
 */
function takeLock(path: string, waitMs: number): () => void {
  const deadline = Date.now() + waitMs;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      return lockfile.lockSync(path, { realpath: false, stale: LOCK_STALE_MS });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ELOCKED' || Date.now() >= deadline)
        throw new AppError(
          'STORE_LOCKED',
          `The settings file ${path} is being written by another ConfigSync process; nothing was changed. Try again.`,
        );
      Atomics.wait(pause, 0, 0, 15);
    }
  }
}

/**
 * The document to write when `ours` was made from `base` and the file now holds `current`: each
 * top-level key `ours` changed (or removed) from `base` as `ours` has it, every other key as `current`.
 */
function mergeChanges(
  base: StoreDocument | null,
  ours: StoreDocument,
  current: StoreDocument,
): StoreDocument {
  if (!base) return ours;
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  const next: Record<string, unknown> = { ...current };
  for (const key of new Set([...Object.keys(base), ...Object.keys(ours)])) {
    if (same(base[key], ours[key])) continue;
    if (key in ours) next[key] = ours[key];
    else delete next[key];
  }
  return next as StoreDocument;
}
