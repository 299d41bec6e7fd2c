import type { EntryType } from '../../src-shared/model/sync.js';
import type { Endpoint } from '../transport/endpoint.js';
import { AppError } from '../errors/app-error.js';
import { joinRoot } from './rel-path.js';

/**
 * How far a run got. Up to `staged` the live tree is untouched (roll back = drop staging); from
 * `swapping` every staged file still in staging is not in place yet, so a run can be completed
 * (rename the rest) or rolled back (restore the backup) from the journal alone.
 */
export type JournalPhase =
  | 'prepared'
  | 'backed-up'
  | 'staged'
  | 'validated'
  | 'swapping'
  | 'swapped'
  | 'done'
  | 'failed'
  | 'cancelled'
  | 'rolled-back';

export type JournalWrite = {
  readonly path: string;
  readonly type: EntryType;
  readonly mode: number;
  readonly mtimeMs: number;
  /** Nanoseconds within the second, and the owner and group (ids on the destination) to set. */
  readonly nsec?: number;
  readonly uid?: number;
  readonly gid?: number;
  /** Written files sharing this id are hard links to one another. */
  readonly linkId?: string;
  readonly linkTarget?: string;
  /** What was at the path before (null: nothing), so a type change removes it first. */
  readonly replaces: EntryType | null;
};

export type Journal = {
  readonly version: 1;
  readonly runId: string;
  readonly setName: string;
  readonly root: string;
  readonly stagingDir: string;
  readonly backupDir: string;
  readonly phase: JournalPhase;
  readonly startedAt: string;
  readonly updatedAt: string;
  /** Who started the run (journals of older versions do not say). */
  readonly by?: { readonly store: string; readonly host: string; readonly pid: number };
  /** Files and symlinks written through staging. */
  readonly writes: ReadonlyArray<JournalWrite>;
  /** Folders created or whose mode/mtime is set. */
  readonly dirs: ReadonlyArray<JournalWrite>;
  readonly deletes: ReadonlyArray<{ readonly path: string; readonly type: EntryType }>;
  /**
   * Files whose content is the same on both sides: their modified time is set in place at the swap
   * (journals of older versions do not have them).
   */
  readonly retimes?: ReadonlyArray<JournalRetime>;
  /** Paths whose change is known to be in place (filled when a run stops early). */
  readonly applied?: ReadonlyArray<string>;
  /**
   * The folders the run writes into, and the root, with the source's owner, mode and mtime (deepest
   * first): set once everything is in place, by the run or by the recover that completes it.
   */
  readonly folders?: ReadonlyArray<JournalFolder>;
  /** Paths the run left as they were, each with why (changed since the run a restore undoes). */
  readonly left?: ReadonlyArray<{ readonly path: string; readonly message: string }>;
  /** Where the validate command's shadow tree may be (outside the live folder): removed by recover. */
  readonly shadowDirs?: ReadonlyArray<string>;
  readonly message?: string;
};

/** A time-only update: the file's content stays, its modified time becomes this (whole seconds). */
export type JournalRetime = {
  readonly path: string;
  readonly mode: number;
  readonly mtimeMs: number;
};

export type JournalFolder = {
  readonly path: string;
  readonly mode: number;
  readonly mtimeMs: number;
  readonly nsec?: number;
  readonly uid?: number;
  readonly gid?: number;
};

export function journalPath(stateDir: string, runId: string): string {
  return joinRoot(stateDir, `journal/${runId}.json`);
}

/** A journal without its lists: what telling runs apart and finding interrupted ones needs. */
export type JournalHead = Omit<
  Journal,
  'writes' | 'dirs' | 'deletes' | 'retimes' | 'applied' | 'folders' | 'left'
>;

type JournalLists = Pick<Journal, 'writes' | 'dirs' | 'deletes' | 'retimes' | 'applied' | 'folders' | 'left'>;

/** On disk the head names the file beside it holding the lists (not `.json`: it is not a journal). */
type StoredHead = JournalHead & { readonly lists?: string };

const listsNameOf = (path: string) => `${path.replace(/^.*\//, '').replace(/\.json$/, '')}.lists`;
const besides = (path: string, name: string) => `${path.replace(/\/[^/]*$/, '')}/${name}`;

/** Temp name, fsync, rename, fsync of the folder: after a crash the file is the old one or the new one, on disk. */
async function putAtomically(endpoint: Endpoint, path: string, value: unknown): Promise<void> {
  const tmp = `${path}.tmp`;
  await endpoint.writeFile(tmp, Buffer.from(JSON.stringify(value)), 0o600);
  await endpoint.fsync?.([tmp]);
  await endpoint.rename(tmp, path);
  await endpoint.fsync?.([path.replace(/\/[^/]*$/, '')]);
}

/**
 * Writes a run's journal beside its backups, each file atomically and durably (temp name, fsync,
 * rename, fsync of its folder: see putAtomically). The
 * lists (every path the run writes or deletes: megabytes for a big first copy) go to their own file,
 * written again only when they change; each phase change then rewrites a head of a few hundred bytes.
 * The lists are on disk before any head that points at them.
 */
export class JournalFile {
  private written: JournalLists | null = null;

  constructor(
    private readonly endpoint: Endpoint,
    readonly path: string,
  ) {}

  async write(journal: Journal): Promise<void> {
    const { writes, dirs, deletes, retimes, applied, folders, left, ...head } = journal;
    const listsName = listsNameOf(this.path);
    const w = this.written;
    if (
      !w ||
      w.writes !== writes ||
      w.dirs !== dirs ||
      w.deletes !== deletes ||
      w.retimes !== retimes ||
      w.applied !== applied ||
      w.folders !== folders ||
      w.left !== left
    ) {
      await this.endpoint.mkdirp(this.path.replace(/\/[^/]*$/, ''));
      const lists = { writes, dirs, deletes, retimes, applied, folders, left };
      await putAtomically(this.endpoint, besides(this.path, listsName), lists);
      this.written = lists;
    }
    const stored: StoredHead = { ...head, updatedAt: new Date().toISOString(), lists: listsName };
    await putAtomically(this.endpoint, this.path, stored);
  }
}

/** Writes a journal once (see JournalFile; a run keeps one JournalFile to rewrite only what changed). */
export async function writeJournal(endpoint: Endpoint, path: string, journal: Journal): Promise<void> {
  await new JournalFile(endpoint, path).write(journal);
}

async function readJson(endpoint: Endpoint, path: string, what: string): Promise<unknown> {
  let data: Buffer;
  try {
    data = await endpoint.readFile(path);
  } catch (err) {
    throw new AppError(
      'JOURNAL_MISSING',
      `No ${what} at ${path} on ${endpoint.label}: ${(err as Error).message}`,
    );
  }
  try {
    return JSON.parse(data.toString('utf8'));
  } catch {
    throw new AppError('JOURNAL_INVALID', `${path} is not a journal this version can read.`);
  }
}

/** The head of a journal (a journal written whole, as earlier versions did, reads as well). */
export async function readJournalHead(
  endpoint: Endpoint,
  path: string,
): Promise<JournalHead & { lists?: string }> {
  const j = (await readJson(endpoint, path, 'journal')) as StoredHead & Partial<JournalLists>;
  if (j.version !== 1 || typeof j.runId !== 'string' || typeof j.phase !== 'string')
    throw new AppError('JOURNAL_INVALID', `${path} is not a journal this version can read.`);
  if (j.lists === undefined && !Array.isArray(j.writes))
    throw new AppError('JOURNAL_INVALID', `${path} is not a journal this version can read.`);
  return j;
}

export async function readJournal(endpoint: Endpoint, path: string): Promise<Journal> {
  const head = await readJournalHead(endpoint, path);
  if (head.lists === undefined) return head as unknown as Journal;
  if (head.lists !== listsNameOf(path))
    throw new AppError('JOURNAL_INVALID', `${path} names unexpected lists "${head.lists}".`);
  const lists = (await readJson(
    endpoint,
    besides(path, head.lists),
    'journal lists',
  )) as Partial<JournalLists>;
  if (!Array.isArray(lists.writes) || !Array.isArray(lists.dirs) || !Array.isArray(lists.deletes))
    throw new AppError('JOURNAL_INVALID', `${besides(path, head.lists)} is not a journal's lists.`);
  const { lists: _name, ...rest } = head;
  return {
    ...rest,
    writes: lists.writes,
    dirs: lists.dirs,
    deletes: lists.deletes,
    ...(Array.isArray(lists.retimes) ? { retimes: lists.retimes } : {}),
    ...(lists.applied ? { applied: lists.applied } : {}),
    ...(Array.isArray(lists.folders) ? { folders: lists.folders } : {}),
    ...(Array.isArray(lists.left) ? { left: lists.left } : {}),
  };
}
