import { chmodSync, chownSync, lstatSync, statSync, unlinkSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { Router } from '../rpc/router.js';
import { handoverHello, handoverSocketPath, LineReader, type HandoverHello } from './handover-protocol.js';

export type HandoverServerDeps = {
  readonly dataDir: string;
  readonly version: string;
  readonly shell: NonNullable<HandoverHello['hello']['shell']>;
  readonly router: Router;
  /** One line in the app log (a CLI handed its command over, a run it started). */
  readonly log: (msg: string) => void;
  /** A CLI went away: the plans it made and did not apply are dropped, its runs still going stopped. */
  readonly onClientGone: (left: { readonly planIds: string[]; readonly runIds: string[] }) => void;
  /** How often a socket held by another process (or none) is looked at again (default 10 s). */
  readonly retryMs?: number;
};

/**
 * Serves the CLI of the same store over `<store>/cli.sock` (0600, the store's owner): each command's
 * calls go through this process's router, parsed and checked as for the other shells, so the CLI's
 * plans and runs use this process's kept connections. One process of a store serves at a time; the
 * others look again every few seconds and take over when it is gone (a socket file nobody answers on
 * is a stale one, left by a process that was killed).
 */
export class HandoverServer {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  /** The socket file this process made (its inode), so it never removes another process's. */
  private ownIno: number | null = null;
  private readonly path: string | null;
  private said = false;

  constructor(private readonly deps: HandoverServerDeps) {
    this.path = handoverSocketPath(deps.dataDir);
  }

  /** True while this process answers the store's CLI. */
  get serving(): boolean {
    return this.server !== null;
  }

  /** Starts serving (or looking out for the socket to be free); settles after the first attempt. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.attempt();
    this.timer ??= setInterval(() => void this.attempt(), this.deps.retryMs ?? 10_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.close();
  }

  private async attempt(): Promise<void> {
    const path = this.path;
    if (!path) {
      if (!this.said)
        this.deps.log(`The store's path is too long for a local socket: the CLI runs its commands itself.`);
      this.said = true;
      return;
    }
    if (this.server) {
      // Another process removed ours (it judged it stale in the same instant): serve again.
      if (process.platform !== 'win32' && inodeOf(path) !== this.ownIno) await this.close();
      else return;
    }
    if (this.stopped) return;
    if (process.platform !== 'win32' && inodeOf(path) !== null) {
      if (await answers(path)) return;
      try {
        unlinkSync(path);
      } catch {
        return;
      }
    }
    const server = createServer((socket) => this.serve(socket));
    const listening = new Promise<boolean>((resolve) => {
      server.once('listening', () => resolve(true));
      server.once('error', () => resolve(false));
    });
    // Created 0600 from the start (no moment where another user could connect), then made sure.
    const umask = process.umask(0o177);
    try {
      server.listen(path);
    } finally {
      process.umask(umask);
    }
    if (!(await listening) || this.stopped) {
      server.close();
      return;
    }
    if (process.platform !== 'win32') {
      chmodSync(path, 0o600);
      // Root serving a store that belongs to someone else: the socket is that user's, as the store is.
      const owner = statSync(this.deps.dataDir);
      if (process.getuid?.() === 0 && owner.uid !== 0) chownSync(path, owner.uid, owner.gid);
      this.ownIno = inodeOf(path);
    }
    server.on('error', () => undefined);
    this.server = server;
  }

  private async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    if (this.path && process.platform !== 'win32' && inodeOf(this.path) === this.ownIno) {
      try {
        unlinkSync(this.path);
      } catch {
        // already gone
      }
    }
    this.ownIno = null;
  }

  private serve(socket: Socket): void {
    this.sockets.add(socket);
    let peer: HandoverHello['hello'] | null = null;
    const planIds = new Set<string>();
    const runIds = new Set<string>();
    const send = (value: unknown) => {
      if (!socket.destroyed) socket.write(`${JSON.stringify(value)}\n`);
    };
    const reader = new LineReader(
      (line) => {
        let raw: unknown;
        try {
          raw = JSON.parse(line);
        } catch {
          if (!peer) return void socket.destroy();
          return send({ id: null, ok: false, error: { code: 'BAD_REQUEST', message: 'Not JSON.' } });
        }
        if (!peer) {
          const hello = handoverHello.safeParse(raw);
          if (!hello.success) return void socket.destroy();
          send({ hello: { version: this.deps.version, pid: process.pid, shell: this.deps.shell } });
          // Another version of ConfigSync: it hears ours and runs the command itself.
          if (hello.data.hello.version !== this.deps.version) return void socket.end();
          peer = hello.data.hello;
          this.deps.log(`the CLI (pid ${peer.pid}) handed its command to this process`);
          return;
        }
        void this.answer(raw, peer, planIds, runIds).then(send);
      },
      () => socket.destroy(),
    );
    socket.on('data', (d: Buffer) => reader.feed(d));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.sockets.delete(socket);
      if (planIds.size || runIds.size) this.deps.onClientGone({ planIds: [...planIds], runIds: [...runIds] });
    });
  }

  /** One request through the router, as the CLI itself would have made it; what it started is noted. */
  private async answer(
    raw: unknown,
    peer: HandoverHello['hello'],
    planIds: Set<string>,
    runIds: Set<string>,
  ): Promise<unknown> {
    const res = await this.deps.router.handle(raw, { transport: 'cli' });
    if (!res.ok) return res;
    const method = (raw as { method?: unknown }).method;
    const params = (raw as { params?: { planId?: unknown; runId?: unknown } }).params;
    const result = res.result as { planId?: string; runId?: string };
    if (method === 'sync.plan' && result.planId) planIds.add(result.planId);
    if (method === 'sync.apply' && result.runId) {
      if (typeof params?.planId === 'string') planIds.delete(params.planId);
      runIds.add(result.runId);
      this.deps.log(`run ${result.runId} started for the CLI (pid ${peer.pid}), handed over to this process`);
    }
    if (method === 'sync.wait' && typeof params?.runId === 'string') runIds.delete(params.runId);
    return res;
  }
}

function inodeOf(path: string): number | null {
  try {
    return lstatSync(path).ino;
  } catch {
    return null;
  }
}

/** True when a process answers on that socket now. */
function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection(path);
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.setTimeout(2000, () => done(false));
  });
}
