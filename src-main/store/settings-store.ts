import Conf from 'conf';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
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

/** The part of conf (and electron-store, which is built on it) the store needs: atomic whole-file writes. */
export type ConfLike = { readonly path: string; store: Record<string, unknown> };

export type SettingsStoreOptions = {
  /** The Electron shell passes electron-store here; elsewhere conf is used directly (same file format). */
  readonly createBackend?: (options: { cwd: string; configName: string }) => ConfLike;
  /** For tests: the clock used to name kept copies. */
  readonly now?: () => Date;
};

/**
 * The app's persistent `config.json`: the server list and settings, versioned and validated.
 * Nothing is read until first use, so a corrupt file does not stop the app from starting: every call
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
  const createBackend =
    options.createBackend ??
    ((o) =>
      new Conf<Record<string, unknown>>({
        ...o,
        projectName: 'configsync',
        configFileMode: 0o600,
      }) as unknown as ConfLike);
  let state: { readonly backend: ConfLike; doc: StoreDocument } | null = null;
  let failure: AppError | null = null;

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

  const load = (): { readonly backend: ConfLike; doc: StoreDocument } => {
    if (failure) throw failure;
    if (state) return state;
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
    const backend = createBackend({ cwd: dataDir, configName: 'config' });
    if (raw === null || migratedFrom !== null) backend.store = { ...doc };
    return (state = { backend, doc });
  };

  return {
    path,
    read: () => structuredClone(load().doc),
    write(doc) {
      const s = load();
      const parsed = storeDocument.safeParse(doc);
      if (!parsed.success)
        throw new AppError(
          'STORE_INVALID',
          `Refused to write ${path}: ${describeDocumentIssues(parsed.error, doc)}.`,
        );
      s.backend.store = { ...parsed.data };
      s.doc = parsed.data;
    },
    get<T>(key: string): T | undefined {
      return load().doc[key] as T | undefined;
    },
    set(key, value) {
      if (reservedKeys.has(key)) throw new Error(`"${key}" is written through read()/write(), not set().`);
      const s = load();
      const next = { ...s.doc, [key]: value };
      s.backend.store = next;
      s.doc = next;
    },
  };
}
