import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import { z } from 'zod';

/** Which kind of process runs a store's schedules. */
export const schedulerKind = z.enum(['app', 'browser', 'scheduler', 'service']);
export type SchedulerKind = z.infer<typeof schedulerKind>;

/** What the process holding a store's scheduler lease says about itself (`scheduler-holder.json`). */
export const schedulerHolder = z.object({
  kind: schedulerKind,
  pid: z.number().int(),
  host: z.string(),
  /** Epoch ms when it took the lease. */
  since: z.number(),
});
export type SchedulerHolder = z.infer<typeof schedulerHolder>;

export const LEASE_LOCK = 'scheduler.lock';
export const LEASE_HOLDER = 'scheduler-holder.json';
/** A service waiting for the lease says so here (refreshed at each try); an app holding it hands over. */
export const LEASE_WANTED = 'scheduler-wanted.json';

export type SchedulerLeaseOptions = {
  readonly dataDir: string;
  readonly kind: SchedulerKind;
  /** A lease whose heartbeat is older than this is free (default 30 s); refreshed every third of it. */
  readonly staleMs?: number;
  /** How often a process waiting for the lease tries again (default 10 s). */
  readonly retryMs?: number;
};

/**
 * One scheduler per store: the process that runs a store's schedules and automatic triggers holds this
 * lease, a proper-lockfile lock (`<store>/scheduler.lock`, a folder whose mtime is the heartbeat, kept
 * fresh while the process lives) and a note of who it is (`scheduler-holder.json`). Any other process
 * of the store (the app, the browser shell, `configsync scheduler`, a service) sees the holder and
 * waits, trying again, instead of firing the same entries; a holder that died leaves a lock that goes
 * stale within `staleMs` and is then taken over. The lock is the only arbiter: the note only describes.
 */
export class SchedulerLease {
  private release: (() => Promise<void>) | null = null;
  private retry: ReturnType<typeof setInterval> | null = null;
  private yieldCheck: ReturnType<typeof setInterval> | null = null;
  /** Names this lease's own request apart from another's (two leases may share a process in tests). */
  private readonly token = randomUUID();
  private readonly staleMs: number;
  private kind: SchedulerKind;

  constructor(private readonly options: SchedulerLeaseOptions) {
    this.staleMs = options.staleMs ?? 30_000;
    this.kind = options.kind;
  }

  /** What this process will say it is when it takes the lease next. */
  setKind(kind: SchedulerKind): void {
    this.kind = kind;
  }

  private get lockPath(): string {
    return join(this.options.dataDir, LEASE_LOCK);
  }

  private get holderPath(): string {
    return join(this.options.dataDir, LEASE_HOLDER);
  }

  private get wantedPath(): string {
    return join(this.options.dataDir, LEASE_WANTED);
  }

  /** A service (another process) asked for the lease within the stale time. */
  async serviceWaiting(): Promise<boolean> {
    try {
      const w = JSON.parse(await readFile(this.wantedPath, 'utf8')) as { token?: unknown; at?: unknown };
      return w.token !== this.token && typeof w.at === 'number' && Date.now() - w.at < this.staleMs;
    } catch {
      return false;
    }
  }

  get held(): boolean {
    return this.release !== null;
  }

  /**
   * Takes the lease when it is free (or stale); false when another live process holds it. `onLost` is
   * called if the lease is lost later (this process stalled past the stale time and another took it).
   */
  async acquire(onLost: () => void, onYield?: () => void): Promise<boolean> {
    if (this.release) return true;
    await mkdir(this.options.dataDir, { recursive: true });
    // The app and the browser shell leave the schedules to a service that is waiting for them.
    if (this.kind !== 'service' && (await this.serviceWaiting())) return false;
    try {
      this.release = await lockfile.lock(this.options.dataDir, {
        lockfilePath: this.lockPath,
        realpath: false,
        stale: this.staleMs,
        update: Math.max(1000, Math.floor(this.staleMs / 3)),
        retries: 0,
        onCompromised: () => {
          this.release = null;
          onLost();
        },
      });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ELOCKED') return false;
      throw err;
    }
    const me: SchedulerHolder = { kind: this.kind, pid: process.pid, host: hostname(), since: Date.now() };
    const temp = `${this.holderPath}.${process.pid}`;
    const file = await open(temp, 'w', 0o600);
    try {
      await file.writeFile(JSON.stringify(me));
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, this.holderPath);
    if (this.kind === 'service') await rm(this.wantedPath, { force: true });
    else if (onYield) {
      this.yieldCheck = setInterval(() => {
        void this.serviceWaiting().then((waiting) => {
          if (waiting && this.release) onYield();
        });
      }, this.options.retryMs ?? 10_000);
      this.yieldCheck.unref();
    }
    return true;
  }

  /** Calls `take` every retryMs until it says the lease was taken (it calls acquire itself). */
  waitForTurn(take: () => Promise<boolean>): void {
    if (this.retry) return;
    let busy = false;
    const tick = () => {
      if (busy) return;
      busy = true;
      (this.kind === 'service' ? this.askForLease() : Promise.resolve())
        .then(() => take())
        .then((ok) => {
          if (ok) this.stopWaiting();
        })
        .catch(() => undefined)
        .finally(() => (busy = false));
    };
    this.retry = setInterval(tick, this.options.retryMs ?? 10_000);
    this.retry.unref();
    if (this.kind === 'service') void this.askForLease().catch(() => undefined);
  }

  /** A waiting service's request, which the app holding the lease answers by handing it over. */
  private async askForLease(): Promise<void> {
    const temp = `${this.wantedPath}.${process.pid}`;
    await writeFile(
      temp,
      JSON.stringify({
        kind: this.kind,
        pid: process.pid,
        host: hostname(),
        at: Date.now(),
        token: this.token,
      }),
    );
    await rename(temp, this.wantedPath);
  }

  stopWaiting(): void {
    if (this.retry) clearInterval(this.retry);
    this.retry = null;
  }

  /** Gives the lease up (at stop); the note goes first, then the lock. */
  async giveUp(): Promise<void> {
    this.stopWaiting();
    if (this.yieldCheck) clearInterval(this.yieldCheck);
    this.yieldCheck = null;
    if (this.kind === 'service') {
      // A stopped service no longer asks: its own request goes (not another's).
      const w = await readFile(this.wantedPath, 'utf8').catch(() => '');
      if (w.includes(this.token)) await rm(this.wantedPath, { force: true });
    }
    const release = this.release;
    this.release = null;
    if (!release) return;
    await rm(this.holderPath, { force: true });
    await release().catch(() => undefined);
  }

  /** The live holder of the store's lease (this process included), or null when none holds it. */
  async holder(): Promise<SchedulerHolder | null> {
    return readHolder(this.options.dataDir, this.staleMs);
  }
}

/** Who holds a store's scheduler lease now (a live, fresh lock), read by any process of the store. */
export async function readHolder(dataDir: string, staleMs = 30_000): Promise<SchedulerHolder | null> {
  const locked = await lockfile
    .check(dataDir, { lockfilePath: join(dataDir, LEASE_LOCK), realpath: false, stale: staleMs })
    .catch(() => false);
  if (!locked) return null;
  try {
    const parsed = schedulerHolder.safeParse(JSON.parse(await readFile(join(dataDir, LEASE_HOLDER), 'utf8')));
    return parsed.success ? parsed.data : { kind: 'scheduler', pid: 0, host: 'unknown', since: 0 };
  } catch {
    // Locked, but its note is not written yet (or was lost): someone holds it all the same.
    return { kind: 'scheduler', pid: 0, host: 'unknown', since: 0 };
  }
}
