import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Endpoint } from '../transport/endpoint.js';
import { AppError } from '../errors/app-error.js';
import { joinRoot } from './rel-path.js';

/** Who holds a destination root's lock: written once, as the lock's own content. */
export type LockOwner = {
  readonly runId: string;
  /** The store (data folder) the run belongs to, as `host:path`. */
  readonly store: string;
  /** The machine running the process (not the destination). */
  readonly host: string;
  readonly pid: number;
  readonly startedAt: string;
};

export type LockOptions = {
  /** Names the store in the lock (default: this machine and process). */
  readonly store?: string;
  /**
   * The user confirmed: a lock whose holder is gone may be broken. A live lock never is; one this
   * very process left behind (its run ended without removing it) needs no confirmation.
   */
  readonly breakStale?: boolean;
  /** A lock whose heartbeat is older than this counts as stale (default 60 s). */
  readonly staleAfterMs?: number;
  /** How often the holder refreshes its heartbeat (default 10 s). */
  readonly heartbeatMs?: number;
  /**
   * Asked before a stale lock is broken to take this one: the caller checks what its run left, and
   * throws to keep the lock as it is.
   */
  readonly beforeBreak?: (owner: LockOwner) => Promise<void>;
};

export type LockState = {
  readonly owner: LockOwner;
  /** Destination time of the last heartbeat (ms). */
  readonly beatAt: number;
  /** The holder cannot be running: its process is gone (same host) or its heartbeat stopped. */
  readonly stale: boolean;
  readonly why: string;
};

const STALE_AFTER_MS = 60_000;

/** Run ids whose lock this process holds now. */
const heldHere = new Set<string>();
const HEARTBEAT_MS = 10_000;

export const lockPathOf = (rootState: string) => joinRoot(rootState, 'lock');
const beatPathOf = (rootState: string, runId: string) => joinRoot(rootState, `lock.${runId}.beat`);

/**
 * Whether a process of this machine with that pid is still running (EPERM: there, someone else's).
 * A zombie (killed, not yet reaped by its parent) has ended: Linux says so in /proc.
 */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return true;
  }
}

/** The destination's clock (heartbeats are stamped by it, so two machines' clocks never meet). */
async function destinationNow(endpoint: Endpoint, rootState: string): Promise<number> {
  const probe = joinRoot(rootState, `.now-${randomBytes(4).toString('hex')}`);
  try {
    await endpoint.writeFile(probe, Buffer.alloc(0), 0o600);
    return (await endpoint.stat(probe))?.mtimeMs ?? Date.now();
  } finally {
    await endpoint.remove(probe).catch(() => undefined);
  }
}

/** Reads the lock of a destination root: null when nobody holds it. */
export async function readLock(
  endpoint: Endpoint,
  rootState: string,
  options: Pick<LockOptions, 'staleAfterMs'> = {},
): Promise<LockState | null> {
  const st = await endpoint.stat(lockPathOf(rootState));
  if (!st) return null;
  let owner: LockOwner;
  try {
    owner = JSON.parse(st.linkTarget ?? '') as LockOwner;
    if (typeof owner.runId !== 'string' || typeof owner.pid !== 'number') throw new Error('no owner');
  } catch {
    owner = { runId: '?', store: '?', host: '?', pid: 0, startedAt: new Date(st.mtimeMs).toISOString() };
  }
  const beat = owner.runId === '?' ? null : await endpoint.stat(beatPathOf(rootState, owner.runId));
  const beatAt = Math.max(st.mtimeMs, beat?.mtimeMs ?? 0);
  const limit = options.staleAfterMs ?? STALE_AFTER_MS;
  if (owner.host === hostname() && owner.pid === process.pid) {
    // This process's own lock: held only while its run is still going here (a run whose link was lost
    // could not remove it).
    const alive = heldHere.has(owner.runId);
    return { owner, beatAt, stale: !alive, why: alive ? 'its run is going on' : 'its run has ended' };
  }
  if (owner.host === hostname() && owner.pid > 0) {
    const alive = processAlive(owner.pid);
    return { owner, beatAt, stale: !alive, why: alive ? 'its process is running' : 'its process is gone' };
  }
  const age = (await destinationNow(endpoint, rootState)) - beatAt;
  const stale = age > limit;
  return { owner, beatAt, stale, why: `its last heartbeat was ${Math.round(age / 1000)} s ago` };
}

/** The words for a held lock: who, where, since when. */
export function describeLock(l: LockState): string {
  const o = l.owner;
  return `run ${o.runId} of store ${o.store} on ${o.host} (pid ${o.pid}) holds it since ${o.startedAt}, last heartbeat ${new Date(l.beatAt).toISOString()} (${l.why})`;
}

/** A taken lock: keeps its heartbeat fresh until released. */
export type HeldLock = {
  readonly owner: LockOwner;
  release(): Promise<void>;
};

/**
 * Takes the lock of a destination root before a run's first write. The lock is a symbolic link whose
 * target holds its owner: creating one fails when the name exists, on every filesystem and over SFTP,
 * so two runs cannot both take it. Refused with DESTINATION_LOCKED (who holds it, since when) when
 * another run holds it; a stale lock is broken only when `breakStale` says the user confirmed.
 */
export async function takeLock(
  endpoint: Endpoint,
  rootState: string,
  runId: string,
  options: LockOptions = {},
): Promise<HeldLock> {
  const owner: LockOwner = {
    runId,
    store: options.store ?? `${hostname()}:pid-${process.pid}`,
    host: hostname(),
    pid: process.pid,
    startedAt: new Date().toISOString(),
  };
  const path = lockPathOf(rootState);
  const target = JSON.stringify(owner);
  await endpoint.mkdirp(rootState);
  for (let attempt = 0; ; attempt++) {
    try {
      await endpoint.symlink(target, path);
      break;
    } catch (err) {
      const held = await readLock(endpoint, rootState, options);
      if (!held && attempt < 3) continue;
      if (!held) throw err;
      const ours = held.owner.pid === process.pid && held.owner.host === hostname();
      if (!held.stale || !(options.breakStale || ours) || attempt >= 3) throw lockedError(endpoint, held);
      await options.beforeBreak?.(held.owner);
      await breakLock(endpoint, rootState, held);
    }
  }
  return heartbeat(endpoint, rootState, owner, target, options.heartbeatMs ?? HEARTBEAT_MS);
}

/** DESTINATION_LOCKED, saying who holds the lock and how to go on. */
export function lockedError(endpoint: Endpoint, held: LockState): AppError {
  const how = held.stale
    ? ' Its holder is no longer running: confirm breaking the lock (--break-lock) to go on.'
    : ' Wait for that run to end.';
  return new AppError(
    'DESTINATION_LOCKED',
    `The destination ${endpoint.label} is locked: ${describeLock(held)}. Nothing was changed.${how}`,
  );
}

/** Removes a stale lock, but only if it still is the one that was judged stale. */
async function breakLock(endpoint: Endpoint, rootState: string, held: LockState): Promise<void> {
  const path = lockPathOf(rootState);
  const now = await endpoint.stat(path);
  if (now?.linkTarget !== undefined && now.linkTarget !== JSON.stringify(held.owner)) return;
  await endpoint.remove(path);
  await endpoint.remove(beatPathOf(rootState, held.owner.runId)).catch(() => undefined);
}

function heartbeat(
  endpoint: Endpoint,
  rootState: string,
  owner: LockOwner,
  target: string,
  everyMs: number,
): HeldLock {
  const beat = beatPathOf(rootState, owner.runId);
  const write = () => endpoint.writeFile(beat, Buffer.from(`${new Date().toISOString()}\n`), 0o600);
  // The lock's own time is the first heartbeat.
  let writing: Promise<unknown> = Promise.resolve();
  heldHere.add(owner.runId);
  const timer = setInterval(() => {
    writing = writing.then(write).catch(() => undefined);
  }, everyMs);
  timer.unref();
  return {
    owner,
    async release() {
      clearInterval(timer);
      heldHere.delete(owner.runId);
      await writing;
      // Only our own lock goes (a lock broken and taken by another run meanwhile stays).
      const now = await endpoint.stat(lockPathOf(rootState));
      if (now?.linkTarget === target) await endpoint.remove(lockPathOf(rootState));
      await endpoint.remove(beat).catch(() => undefined);
    },
  };
}
