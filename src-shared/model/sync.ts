import type { ErrorCode } from '../errors.js';
/**
 * What a scanned path is. Anything else (sockets, devices, fifos) is not synchronised: it is listed as
 * a problem entry (skipped, with its reason).
 */
export type EntryType = 'file' | 'dir' | 'symlink';

/**
 * Owner and group of an entry, as a side lists them: numeric ids, and names where that side has them
 * (a name equal to the id is left out). Absent on a side that cannot tell (a Windows SFTP server).
 */
export type Ownership = {
  readonly uid?: number;
  readonly gid?: number;
  readonly user?: string;
  readonly group?: string;
};

/**
 * One path of a scanned tree: POSIX, relative to the root, byte for byte as the side names it (no
 * Unicode normalisation, backslashes and newlines kept); `hash` only when compared by checksum.
 */
export type FileEntry = Ownership & {
  readonly path: string;
  readonly type: EntryType;
  readonly size: number;
  /** Whole milliseconds since the epoch, rounded down (negative before 1970). */
  readonly mtimeMs: number;
  /** The nanoseconds within the second, where that side keeps them (0..999,999,999). */
  readonly nsec?: number;
  /** Permission bits only (e.g. 0o644), never the file-type bits. */
  readonly mode: number;
  readonly linkTarget?: string;
  /** Lower-case hex SHA-256 of a file's content, computed where the file lives. */
  readonly hash?: string;
  /** Files sharing this id are hard links to one another (set only when a file has more than one name). */
  readonly linkId?: string;
};

/** A path of a tree the engine will not carry, with why in words (a FIFO, a name it cannot hold). */
export type ProblemEntry = { readonly path: string; readonly reason: string };

/** A scanned tree, entries sorted by path; `exists` is false when the root was missing. */
export type FileIndex = {
  readonly root: string;
  readonly exists: boolean;
  readonly entries: ReadonlyArray<FileEntry>;
  /** Paths listed but not carried (left alone on both sides), each with its reason. */
  readonly problems?: ReadonlyArray<ProblemEntry>;
  /** This side can set owners and groups (root, or sudo as root); false or absent: it cannot. */
  readonly canSetOwners?: boolean;
  /** The root folder itself (mode, owner, times), where the listing gives it. */
  readonly rootEntry?: FileEntry;
};

/** How owners and groups are carried: by name like rsync (default), by numeric id, or not at all. */
export type OwnerMapping = 'name' | 'numeric' | 'ignore';

/** `mirror` (strict): a differing file is overwritten and extras deleted. `update` (easy): only newer copied. */
export type SyncMode = 'mirror' | 'update';
/** `time-size`: size and mtime within a tolerance. `checksum`: SHA-256 computed on each server. */
export type CompareMethod = 'time-size' | 'checksum';

export type PlanOptions = {
  readonly mode: SyncMode;
  readonly compare: CompareMethod;
  /**
   * mtimes closer than this count as equal, on top of the rule that a side keeping whole seconds is
   * compared by the second (FAT's 2 s resolution wants 2000).
   */
  readonly toleranceMs: number;
  /** Owners and groups compared and set by name (default), by id, or left as they are. */
  readonly owners?: OwnerMapping;
  /** xattrs and POSIX ACLs carried too (default: on when the destination is reached as root). */
  readonly xattrs?: boolean;
  /** Symlinks pointing out of the root (absolute, or climbing out with `..`) are skipped instead of copied. */
  readonly skipEscapingLinks?: boolean;
  /**
   * The destination is Windows (its capabilities say so): names it cannot hold (`CON`, `aux.txt`, a
   * trailing dot or space, `<>:"|?*`, over-long paths, names differing only in case) are skipped per entry.
   */
  readonly windowsNames?: boolean;
};

/**
 * Exact by default, as rsync's modify window: a file saved again within a couple of seconds with the
 * same size (`port=8080` → `port=9090`) is a change, and a tolerance would hide it.
 */
export const DEFAULT_TOLERANCE_MS = 0;
export const DEFAULT_KEEP_RUNS = 10;
export const DEFAULT_DELETE_THRESHOLD = 0.5;
export const DEFAULT_FAN_OUT = 4;
/** Seconds a set's health command may take when the set does not say. */
export const DEFAULT_HEALTH_TIMEOUT_SEC = 60;

/** Roll-out orders of a sync set: all at once (bounded), one at a time, or one canary first. */
export const rolloutOrders = ['all', 'one-at-a-time', 'canary'] as const;
export type RolloutOrder = (typeof rolloutOrders)[number];

/** Names the engine itself creates inside a root; always excluded, whatever the user sets. */
export const ENGINE_EXCLUDES: ReadonlyArray<string> = ['.configsync-tmp-*', '.configsync-staging-*'];
/** What a new sync set leaves out (the user sees and edits this list): license files, and the engine's own names. */
export const DEFAULT_EXCLUDES: ReadonlyArray<string> = ['licenses/**', '*.lic', ...ENGINE_EXCLUDES];

export const guardCodes = ['GUARD_SOURCE_MISSING', 'GUARD_SOURCE_EMPTY', 'GUARD_MASS_DELETE'] as const;
export type GuardCode = (typeof guardCodes)[number];

export const planActions = [
  'create',
  'update',
  'delete',
  'keep',
  'skip-newer-on-destination',
  'skip',
] as const;
export type PlanAction = (typeof planActions)[number];

/** The metadata of one side of a plan entry. */
export type EntryMeta = Ownership & {
  readonly type: EntryType;
  readonly size: number;
  readonly mtimeMs: number;
  readonly nsec?: number;
  readonly mode: number;
  readonly linkTarget?: string;
  readonly hash?: string;
  readonly linkId?: string;
};

export type PlanEntry = {
  readonly path: string;
  readonly action: PlanAction;
  /** Why, in words: "newer on the source (by 3 s)", "only on the destination"... */
  readonly reason: string;
  readonly source?: EntryMeta;
  readonly destination?: EntryMeta;
  /**
   * An update whose content is the same on both sides (SHA-256): the run backs it up and sets its
   * modified time in place instead of writing it again.
   */
  readonly sameContent?: true;
};

export type PlanSummary = {
  readonly counts: Readonly<Record<PlanAction, number>>;
  /** Bytes of the files (not dirs) that will be written. */
  readonly bytesToCopy: number;
  /** Bytes of the destination files that will be deleted. */
  readonly bytesToDelete: number;
  /** Bytes of destination files overwritten or deleted, i.e. what the backup will hold. */
  readonly bytesToBackUp: number;
  /** Files and symlinks on the destination before the run (the base of the deletion guard). */
  readonly destinationFiles: number;
  readonly sourceFiles: number;
};

/** A plan for one destination: serialisable, produced without I/O. */
export type Plan = {
  readonly options: PlanOptions;
  readonly sourceRoot: string;
  readonly destinationRoot: string;
  readonly sourceExists: boolean;
  readonly entries: ReadonlyArray<PlanEntry>;
  readonly summary: PlanSummary;
  /** The source's root folder: its mode, owner and mtime are set on the destination's root after a run. */
  readonly sourceRootEntry?: EntryMeta;
  /** The destination's root folder as found (a roll-back after the swap puts its mode and mtime back). */
  readonly destinationRootEntry?: EntryMeta;
  /** Said once for this destination, before anything runs ("owners cannot be set there: …"). */
  readonly notes?: ReadonlyArray<string>;
};

export const runStatuses = [
  'completed',
  'completed-with-errors',
  'failed',
  'cancelled',
  'refused',
  'unreachable',
  /** Reached, but sudo on it refused (a wrong password, none given, no right): nothing was read or written. */
  'sudo-refused',
] as const;
export type RunStatus = (typeof runStatuses)[number];

export type PathError = { readonly path: string; readonly message: string };

/** What one apply did to one destination. */
export type RunReport = {
  readonly runId: string;
  readonly destination: string;
  readonly status: RunStatus;
  readonly message?: string;
  /** The error code behind a run that did not complete (DESTINATION_LOCKED, INTERRUPTED_RUN, PLAN_STALE...). */
  readonly code?: ErrorCode;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationMs: number;
  readonly counts: Readonly<Record<PlanAction, number>>;
  readonly filesWritten: number;
  /** Files of the same content whose modified time alone was set (not written; absent: none). */
  readonly timesSet?: number;
  readonly filesDeleted: number;
  readonly bytesWritten: number;
  /** Paths whose change reached the destination, and those that did not (cancel, failure). */
  readonly applied: ReadonlyArray<string>;
  readonly notApplied: ReadonlyArray<string>;
  readonly errors: ReadonlyArray<PathError>;
  /** Paths whose state after the run differs from the plan. */
  readonly mismatches: ReadonlyArray<PathError>;
  /** What went wrong after every change was in place (clean-up, pruning): the run still completed. */
  readonly warnings?: ReadonlyArray<PathError>;
  readonly verified: boolean;
  readonly fastPath: boolean;
  readonly backupDir?: string;
  readonly journalPath?: string;
};

export const runPhases = [
  'preparing',
  'backing-up',
  'transferring',
  'validating',
  'swapping',
  'deleting',
  'verifying',
  'post-apply',
  'done',
] as const;
export type RunPhase = (typeof runPhases)[number];

/** A progress sample of one destination's apply (emitted at most 10 times a second). */
export type Progress = {
  readonly runId: string;
  readonly destination: string;
  readonly phase: RunPhase;
  readonly filesDone: number;
  readonly filesTotal: number;
  readonly bytesDone: number;
  readonly bytesTotal: number;
  readonly currentPath: string;
  readonly bytesPerSecond: number;
};
