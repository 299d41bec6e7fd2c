import type { EntryType } from '../../src-shared/model/sync.js';
import type { Endpoint } from '../transport/endpoint.js';
import { AppError } from '../rpc/app-error.js';
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
  /** Files and symlinks written through staging. */
  readonly writes: ReadonlyArray<JournalWrite>;
  /** Folders created or whose mode/mtime is set. */
  readonly dirs: ReadonlyArray<JournalWrite>;
  readonly deletes: ReadonlyArray<{ readonly path: string; readonly type: EntryType }>;
  /** Paths whose change is known to be in place (filled when a run stops early). */
  readonly applied?: ReadonlyArray<string>;
  readonly message?: string;
};

export function journalPath(stateDir: string, runId: string): string {
  return joinRoot(stateDir, `journal/${runId}.json`);
}

/** Writes the journal beside the backups, atomically (temp name, then rename). */
export async function writeJournal(endpoint: Endpoint, path: string, journal: Journal): Promise<void> {
  await endpoint.mkdirp(path.replace(/\/[^/]*$/, ''));
  const tmp = `${path}.tmp`;
  await endpoint.writeFile(
    tmp,
    Buffer.from(JSON.stringify({ ...journal, updatedAt: new Date().toISOString() }, null, 1)),
    0o600,
  );
  await endpoint.rename(tmp, path);
}

export async function readJournal(endpoint: Endpoint, path: string): Promise<Journal> {
  let data: Buffer;
  try {
    data = await endpoint.readFile(path);
  } catch (err) {
    throw new AppError(
      'JOURNAL_MISSING',
      `No journal at ${path} on ${endpoint.label}: ${(err as Error).message}`,
    );
  }
  const j = JSON.parse(data.toString('utf8')) as Journal;
  if (j.version !== 1 || !Array.isArray(j.writes))
    throw new AppError('JOURNAL_INVALID', `${path} is not a journal this version can read.`);
  return j;
}
