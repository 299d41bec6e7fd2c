import type { SshConnection } from './ssh-connection.js';
import { trace } from '../trace.js';

/** How long connections are kept and how a dead link is noticed; read again at each release. */
export type PoolSettings = {
  /** A connection no run uses is closed after this long (0: closed at the end of each use). */
  readonly idleMs: number;
  /** A connection waiting unused holds a session opened ahead (of a server that runs commands). */
  readonly openAhead?: boolean;
  /**
   * A connection waiting unused keeps its command session running (started now if it was not), so
   * the next run's listing and commands need no login on the server: set by a process that runs for
   * long and serves runs one after another (the app, `configsync scheduler`).
   */
  readonly keepCommandSession?: boolean;
};

export type PoolDeps = {
  /**
   * What a server's connection is made from now (address, login, credentials, pins, sudo, jump
   * hosts), as one string; null when the server is gone or cannot be kept. A kept connection whose
   * key no longer matches is closed.
   */
  readonly keyOf: (serverId: string) => string | null;
  readonly settings: () => PoolSettings;
  /** How often kept connections are checked against keyOf (a change by another process). */
  readonly sweepMs?: number;
  /** How long a kept connection has to answer before a use (else a new one is opened). */
  readonly checkMs?: number;
};

type Entry = {
  readonly serverId: string;
  readonly key: string;
  readonly conn: SshConnection;
  /** Uses running on it now (a run, a check). */
  holders: number;
  /** Uses waiting (a plan kept for its apply): they keep it from closing when idle, nothing more. */
  parked: number;
  /** No new use: closed when its last holder lets go. */
  retired: boolean;
  /** Shell commands run there (see PooledUse.runsCommands). */
  commands: boolean;
  idleTimer: NodeJS.Timeout | null;
};

/** What a user of a pooled connection tells the pool. */
export type PooledUse = {
  /** Done with it (idempotent). */
  readonly release: () => void;
  /**
   * Waiting, not using it (a plan kept until it is applied): the connection stays open for it, but a
   * change of the server or a lost link closes it at once, as for an unused one.
   */
  readonly park: () => void;
  /** Using it again. */
  readonly unpark: () => void;
  /**
   * The server runs shell commands (not an SFTP-only account): while the connection waits unused, a
   * session is opened ahead on it for the next run's first command (its login shell already started).
   */
  readonly runsCommands: () => void;
};

/** A use of a pooled connection: `release` once the run (or check) is done with it. */
export type Lease = PooledUse & {
  readonly conn: SshConnection;
  /** True when an open connection was used again (no handshake, login or probe). */
  readonly reused: boolean;
};

/**
 * The SSH connections a long-running process keeps between runs, one per server: a plan, its apply,
 * a status check and a scheduled run of the same server use the same authenticated connection while
 * it lives. A connection is opened (host key checked against the pins, login, sudo set up) only when
 * none is kept; it is closed when no one has used it for the idle time, when the server's address,
 * login, credentials or pins change or the server is removed (keyOf), when the link dies (the
 * connection's keepalive notices a peer that stopped answering), and when the pool is closed.
 */
export class ConnectionPool {
  private readonly entries = new Map<string, Entry>();
  private readonly opening = new Map<string, Promise<Entry>>();
  private readonly sweeper: NodeJS.Timeout;
  private closedAll = false;
  /** Connections opened and uses served by a kept one, since the pool started (trace, tests). */
  readonly counts = { opened: 0, reused: 0 };

  constructor(private readonly deps: PoolDeps) {
    this.sweeper = setInterval(() => this.sweep(), deps.sweepMs ?? 5000);
    this.sweeper.unref();
  }

  /**
   * A use of the server's kept connection, or of a new one made by `open` (which checks the host key
   * and logs in) under `key`. Uses at once share one connection; a kept one made under another key is
   * retired first.
   */
  async lease(serverId: string, key: string, open: () => Promise<SshConnection>): Promise<Lease> {
    if (this.closedAll) throw new Error('The connection pool is closed.');
    const kept = this.entries.get(serverId);
    if (kept && (kept.key !== key || kept.conn.closed)) this.retire(kept);
    const live = this.entries.get(serverId);
    if (live) {
      const lease = this.hold(live, true);
      // One round trip first: a peer that went down a moment ago is found here, not midway in a run.
      if (await live.conn.answers(this.deps.checkMs ?? 5000)) {
        this.counts.reused++;
        trace(`pool: ${serverId} reused`);
        return lease;
      }
      this.retire(live);
      lease.release();
      return this.lease(serverId, key, open);
    }
    const openKey = `${serverId}\n${key}`;
    let pending = this.opening.get(openKey);
    const first = !pending;
    if (!pending) {
      pending = open().then((conn) => this.adopt(serverId, key, conn));
      this.opening.set(openKey, pending);
      pending.then(
        () => this.opening.delete(openKey),
        () => this.opening.delete(openKey),
      );
    }
    const entry = await pending;
    if (entry.conn.closed) return this.lease(serverId, key, open);
    if (!first) this.counts.reused++;
    return this.hold(entry, !first);
  }

  /** Closes the server's kept connection at once (or when its runs end, if some use it now). */
  drop(serverId: string): void {
    const entry = this.entries.get(serverId);
    if (entry) this.retire(entry);
  }

  /** Closes every kept connection whose server changed or is gone. */
  sweep(): void {
    for (const entry of [...this.entries.values()]) {
      let key: string | null;
      try {
        key = this.deps.keyOf(entry.serverId);
      } catch {
        key = null;
      }
      if (key !== entry.key || entry.conn.closed) this.retire(entry);
    }
  }

  /** The servers with a connection kept now (tests, diagnostics). */
  kept(): string[] {
    return [...this.entries.values()].filter((e) => !e.conn.closed).map((e) => e.serverId);
  }

  /** Closes every connection, used or not (the process is ending). */
  closeAll(): void {
    this.closedAll = true;
    clearInterval(this.sweeper);
    for (const entry of [...this.entries.values()]) {
      this.entries.delete(entry.serverId);
      if (entry.idleTimer) clearTimeout(entry.idleTimer);
      entry.conn.close();
    }
    for (const pending of this.opening.values())
      void pending.then(
        (e) => e.conn.close(),
        () => undefined,
      );
  }

  private adopt(serverId: string, key: string, conn: SshConnection): Entry {
    this.counts.opened++;
    const entry: Entry = {
      serverId,
      key,
      conn,
      holders: 0,
      parked: 0,
      retired: false,
      commands: false,
      idleTimer: null,
    };
    if (this.closedAll) {
      conn.close();
      return entry;
    }
    const previous = this.entries.get(serverId);
    if (previous) this.retire(previous);
    this.entries.set(serverId, entry);
    // A lost link (the peer closed it, or stopped answering the keepalive) leaves the pool at once.
    conn.client.once('close', () => this.retire(entry));
    trace(`pool: ${serverId} opened`);
    return entry;
  }

  private hold(entry: Entry, reused: boolean): Lease {
    entry.holders++;
    if (entry.idleTimer) clearTimeout(entry.idleTimer);
    entry.idleTimer = null;
    let state: 'using' | 'parked' | 'released' = 'using';
    return {
      conn: entry.conn,
      reused,
      release: () => {
        if (state === 'released') return;
        if (state === 'using') entry.holders--;
        else entry.parked--;
        state = 'released';
        this.released(entry);
      },
      park: () => {
        if (state !== 'using') return;
        state = 'parked';
        entry.holders--;
        entry.parked++;
        this.released(entry);
      },
      unpark: () => {
        if (state !== 'parked') return;
        state = 'using';
        entry.parked--;
        entry.holders++;
        if (entry.idleTimer) clearTimeout(entry.idleTimer);
        entry.idleTimer = null;
      },
      runsCommands: () => {
        entry.commands = true;
      },
    };
  }

  private released(entry: Entry): void {
    if (entry.holders > 0) return;
    // Work still in flight on it (a run stopped midway, a plan cancelled): only closing ends it.
    if (entry.retired || entry.conn.execInFlight > 0) return this.close(entry);
    if (entry.idleTimer) return;
    const { idleMs, openAhead, keepCommandSession } = this.deps.settings();
    if (idleMs <= 0 && entry.parked === 0) return this.close(entry);
    // The next run's listing and commands run on the kept command session, with no login of their own.
    if (entry.commands && idleMs > 0 && keepCommandSession) entry.conn.keepCommandSession(idleMs);
    // The next run's first command (its listing) finds a session with the login shell already started.
    else if (entry.commands && idleMs > 0 && openAhead) entry.conn.prepareExec(idleMs);
    if (entry.parked > 0) return;
    entry.idleTimer = setTimeout(() => this.close(entry), idleMs);
    entry.idleTimer.unref();
  }

  private retire(entry: Entry): void {
    entry.retired = true;
    if (this.entries.get(entry.serverId) === entry) this.entries.delete(entry.serverId);
    if (entry.holders === 0 || entry.conn.closed) this.close(entry);
  }

  private close(entry: Entry): void {
    if (entry.idleTimer) clearTimeout(entry.idleTimer);
    entry.idleTimer = null;
    if (this.entries.get(entry.serverId) === entry) this.entries.delete(entry.serverId);
    if (!entry.conn.closed) trace(`pool: ${entry.serverId} closed`);
    entry.conn.close();
  }
}
