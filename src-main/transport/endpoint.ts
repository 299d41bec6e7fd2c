import type { SharedTime } from './attr-script.js';
import type { Readable } from 'node:stream';
import type { EntryType, Ownership, PathError } from '../../src-shared/model/sync.js';

/** An entry as a listing reports it, before the engine checks its path. */
export type RawEntry = Ownership & {
  /** Relative to the listed root, `/`-separated, as the filesystem spells it. */
  readonly path: string;
  readonly type: EntryType | 'other';
  readonly size: number;
  /** Whole milliseconds, rounded down. */
  readonly mtimeMs: number;
  /** Nanoseconds within the second, where the side reports them. */
  readonly nsec?: number;
  /** Permission bits only. */
  readonly mode: number;
  readonly linkTarget?: string;
  /** For `other`: what it is, in words ("a FIFO", "a socket", "a block device"). */
  readonly what?: string;
  /** `device:inode` of a file with more than one name (hard links). */
  readonly linkId?: string;
  /**
   * `device:inode` of a file or symlink, where the side gives it (a find listing, a local stat; an
   * SFTP stat has none): a path whose inode changed was replaced by someone, whatever its bytes.
   */
  readonly ino?: string;
};

export type ListOptions = {
  /** Only what changed since the last listing of that root is asked, where that is known to be safe. */
  readonly incremental?: boolean;
};

/** What an entry's owner, group, mode and times are set to (undefined fields are left as they are). */
export type EntryAttrs = Ownership & {
  readonly mode: number;
  readonly mtimeMs: number;
  readonly nsec?: number;
};

export type StatResult = Omit<RawEntry, 'path'>;

export type CommandResult = {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
};

/** What the filesystem holding a path can still take; null fields could not be known. */
export type FsInfo = {
  readonly bytesFree: number | null;
  /** Free inodes (files and folders that can still be created); null where the filesystem has no fixed count. */
  readonly inodesFree: number | null;
  readonly readOnly: boolean | null;
};

/** How a tar stream carries metadata beyond mode, owners, times and links. */
export type TarOptions = {
  /** xattrs and POSIX ACLs (GNU tar --xattrs --acls), on both ends. */
  readonly xattrs?: boolean;
  /** Owners and groups by numeric id instead of by name (tar --numeric-owner on extract). */
  readonly numericOwner?: boolean;
};

/**
 * A path's mtime to set to the nanosecond, whatever its range (before 1970, after 2106); `linkOwner`
 * for a symlink, whose owner SFTP cannot set (its setstat follows the link).
 */
export type ExactTime = {
  readonly path: string;
  readonly mtimeMs: number;
  readonly nsec?: number;
  readonly linkOwner?: { readonly uid: number; readonly gid: number };
};

/** A copy inside one endpoint (backups, restores); `type` says how to copy it. */
export type LocalCopy = { readonly from: string; readonly to: string; readonly type: EntryType };

/**
 * One side of a sync: the local filesystem or a server over SSH. The engine speaks only to this, so
 * plan/apply/restore are the same code whatever the two sides are. All paths are absolute on that side.
 */
export interface Endpoint {
  /** For messages and reports: "local", "root@10.0.0.5:22". */
  readonly label: string;
  /** Bulk operations (one listing command, tar streams, server-side scripts) are used. */
  readonly fastPath: boolean;
  /** stat() gives mtimes to the millisecond, like list() (SFTP gives whole seconds). */
  readonly exactStat?: boolean;
  /** A Windows host (its capabilities say so): names Windows cannot hold are skipped per entry. */
  readonly windowsNames?: boolean;
  /** The login user's home folder on that side (for `~/.configsync`). */
  home(): Promise<string>;
  /**
   * Everything below `root`, unsorted (with `root` itself as the empty path where the listing can
   * give it); null when `root` does not exist. `incremental`: a long-lived process may answer from
   * its last listing of root and what changed since (see ListingCache); otherwise always in full.
   */
  list(root: string, options?: ListOptions): Promise<RawEntry[] | null>;
  /** lstat; null when absent. */
  stat(path: string): Promise<StatResult | null>;
  /**
   * `device:inode` of each path (relative to root) that exists, in one command; not there (an SFTP-only
   * side): inodes cannot be known. Keys are the given paths.
   */
  inodes?(root: string, paths: ReadonlyArray<string>): Promise<Map<string, string>>;
  /** SHA-256 of each file, computed on that side (never by downloading). Keys are the given paths. */
  hash(root: string, paths: ReadonlyArray<string>): Promise<Map<string, string>>;
  readStream(path: string): Promise<Readable>;
  /** Writes a whole file (creating or truncating it) and returns the bytes written. */
  writeFile(path: string, data: Readable | Buffer, mode: number): Promise<number>;
  readFile(path: string): Promise<Buffer>;
  /** A tar stream of `paths` (relative to root); `done` settles when the producer has exited. */
  tarCreate(
    root: string,
    paths: ReadonlyArray<string>,
    options?: TarOptions,
  ): Promise<{ stream: Readable; done: Promise<void> }>;
  /** Unpacks a tar stream into `dir`, keeping modes, mtimes (to the ns), owners, symlinks, hard links, holes. */
  tarExtract(dir: string, stream: Readable, options?: TarOptions): Promise<void>;
  /** Atomic replace: the target is either the old or the new file, never a mix. */
  rename(from: string, to: string): Promise<void>;
  /**
   * Many renames at once (one process on the server instead of a request each), each atomic as
   * `rename`: per pair null (renamed), an error message, or undefined (not known: the process stopped
   * before it said). Null when this side cannot (no shell, no system Python): `rename` each then.
   */
  renameMany?(
    pairs: ReadonlyArray<{ readonly from: string; readonly to: string }>,
  ): Promise<ReadonlyArray<string | null | undefined> | null>;
  mkdirp(path: string): Promise<void>;
  /** Sets mode and mtime (and owner/group when given): of the link itself for a symlink. */
  setAttrs(path: string, attrs: EntryAttrs): Promise<void>;
  /** This side can set owners and groups (it runs as root, or through sudo as root). */
  canSetOwners?(): Promise<boolean>;
  /**
   * Sets mtimes exactly (nanoseconds, any range: SFTP carries only whole seconds from 1970 to 2106),
   * of the link itself for a symlink; false when this side cannot (no shell): whole seconds stay.
   */
  setExactTimes?(times: ReadonlyArray<ExactTime>): Promise<boolean>;
  /**
   * Sets the modified time (whole seconds) of many files that share it, a command per few hundred
   * paths (see sharedTimesScript); returns the paths it did not set, for setAttrs one by one. Not
   * there (no shell, or the local side, where each is one system call anyway): setAttrs per path.
   */
  setSharedTimes?(groups: ReadonlyArray<SharedTime>): Promise<string[]>;
  /** The ids of user and group names on this side (names it does not know are left out). */
  resolveOwners?(
    users: ReadonlyArray<string>,
    groups: ReadonlyArray<string>,
  ): Promise<{ users: Map<string, number>; groups: Map<string, number> }>;
  symlink(target: string, path: string): Promise<void>;
  /** Removes a file, symlink or empty folder; absent is fine. */
  remove(path: string): Promise<void>;
  removeTree(path: string): Promise<void>;
  /**
   * Copies inside this side, keeping mode and mtime; with `link`, a hard link where the filesystem
   * allows it (instant, and the data stays put when the original name is later replaced by a rename).
   */
  copyWithin(copies: ReadonlyArray<LocalCopy>, options: { readonly link: boolean }): Promise<PathError[]>;
  /**
   * Copies each path (relative, files and symlinks) from under `fromRoot` to the same path under
   * `toRoot` as a true copy, never a hard link (a reflink where the filesystem shares blocks until
   * either side is written), keeping mode and mtime; links stay links. In bulk: one command for the
   * whole list. Not there: copyWithin without `link` does the same file by file.
   */
  copyTree?(
    fromRoot: string,
    toRoot: string,
    entries: ReadonlyArray<{ readonly path: string; readonly type: EntryType }>,
  ): Promise<PathError[]>;
  /** Names in a folder; empty when absent. */
  readdir(path: string): Promise<string[]>;
  /** Free bytes on the filesystem holding `path`, or null when that cannot be known. */
  freeSpace(path: string): Promise<number | null>;
  /** Free bytes, free inodes and the read-only flag of the filesystem holding `path` (or its nearest existing parent). */
  fsInfo(path: string): Promise<FsInfo>;
  /** Runs a shell command with `cwd` as its working folder. */
  run(command: string, cwd: string): Promise<CommandResult>;
  /** Why the connection behind this endpoint is gone, or null while it is usable (always null locally). */
  lostConnection(): Error | null;
  /**
   * Says a shell command (a listing, a tar stream) will follow soon: a remote side starts its session
   * now, so the server's session start-up overlaps other work. `small`: a command without a stream,
   * which a running command session takes (then nothing is started). Nothing for the local side.
   */
  prepareCommand?(options?: { readonly small?: boolean }): void;
  /**
   * Starts the session that runs a run's small commands (see SshConnection's command session) now,
   * when a run follows at once: it is running when the run's first small command comes. Nothing for
   * the local side.
   */
  openCommandSession?(): void;
  /**
   * A run follows the next listing at once: its session is kept as the command session when it is
   * done (one login on the server for both; see SshConnection.keepListingSession). Nothing locally.
   */
  keepListingSession?(): void;
  /** Closes a session started by prepareCommand and not used; settles once it is closed. */
  dropPrepared?(): Promise<void>;
  /**
   * Not in use until unpark() (a plan kept for its apply): a kept connection under it may then close
   * when its server changes or its link is lost, and is not held open past that.
   */
  park?(): void;
  unpark?(): void;
  /**
   * Makes what was written durable before the engine relies on it: fsync(2) of each path (files and
   * folders), or, for more than a few dozen, one syncfs(2) of the filesystem holding `whole`. Not
   * there: the side cannot flush (writes are still atomic, not durable across a power cut).
   */
  fsync?(paths: ReadonlyArray<string>, whole?: string): Promise<void>;
  /** Releases the connection behind this endpoint (nothing for the local one). */
  close(): void;
}
