import { lstatSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { z } from 'zod';
import { api, type Input, type Method, type Output } from '../../src-shared/contract/api.js';
import { rpcError } from '../../src-shared/contract/envelope.js';
import type { ErrorCode } from '../../src-shared/errors.js';
import { handoverHello, handoverSocketPath, LineReader, type HandoverHello } from './handover-protocol.js';

const responseEnvelope = z.union([
  z.object({ id: z.union([z.number(), z.string(), z.null()]), ok: z.literal(true), result: z.unknown() }),
  z.object({ id: z.union([z.number(), z.string(), z.null()]), ok: z.literal(false), error: rpcError }),
]);

/** A failed call as the process that carried it answered: the contract's code and message. */
export type HandoverFailure = { readonly code: ErrorCode; readonly message: string };

/** The CLI's side of a handed-over command: calls carried by the store's running app or scheduler. */
export class HandoverClient {
  private nextId = 1;
  private readonly waiting = new Map<number, (answer: unknown) => void>();
  private lost = false;

  constructor(
    private readonly socket: Socket,
    /** Who carries the calls. */
    readonly peer: HandoverHello['hello'],
    reader: LineReader,
  ) {
    socket.on('data', (d: Buffer) => reader.feed(d));
    socket.on('close', () => {
      this.lost = true;
      for (const settle of this.waiting.values()) settle(null);
      this.waiting.clear();
    });
  }

  /** Called by the line reader with each answer. */
  answered(raw: unknown): void {
    const id = (raw as { id?: unknown } | null)?.id;
    if (typeof id !== 'number') return;
    const settle = this.waiting.get(id);
    this.waiting.delete(id);
    settle?.(raw);
  }

  /**
   * One contract method, carried by the other process; its answer is checked here against the same
   * envelope and output schema. Fails with `fail`'s error, or HANDOVER_LOST when the process went away.
   */
  async call<M extends Method>(
    method: M,
    params: Input<M>,
    fail: (f: HandoverFailure) => Error,
  ): Promise<Output<M>> {
    if (this.lost) throw fail(lostFailure(this.peer));
    const id = this.nextId++;
    const answer = new Promise<unknown>((resolve) => this.waiting.set(id, resolve));
    this.socket.write(`${JSON.stringify({ id, method, params })}\n`);
    const raw = await answer;
    if (raw === null) throw fail(lostFailure(this.peer));
    const envelope = responseEnvelope.safeParse(raw);
    if (!envelope.success)
      throw fail({
        code: 'BAD_RESULT',
        message: `${method}: the answer of pid ${this.peer.pid} was malformed.`,
      });
    if (!envelope.data.ok) throw fail(envelope.data.error);
    const result = api[method].output.safeParse(envelope.data.result);
    if (!result.success)
      throw fail({
        code: 'BAD_RESULT',
        message: `${method} answered outside its contract; the answer was withheld.`,
      });
    return result.data as Output<M>;
  }

  close(): void {
    this.socket.end();
    this.socket.destroy();
  }
}

function lostFailure(peer: HandoverHello['hello']): HandoverFailure {
  return {
    code: 'HANDOVER_LOST',
    message: `The ConfigSync process (pid ${peer.pid}) carrying this command stopped before it answered; check its runs with "configsync runs".`,
  };
}

/**
 * The store's running app or scheduler, ready to carry this CLI's command; null when none answers
 * (no socket, a stale one, one not this user's alone) or when it is of another version: the CLI then
 * runs the command itself.
 */
export async function openHandover(
  dataDir: string,
  version: string,
  options: { readonly timeoutMs?: number } = {},
): Promise<HandoverClient | null> {
  const path = handoverSocketPath(dataDir);
  if (!path) return null;
  if (process.platform !== 'win32') {
    try {
      const st = lstatSync(path);
      // Only a socket of this user, that no one else could have opened: sudo passwords may cross it.
      if (!st.isSocket() || st.uid !== process.getuid?.() || (st.mode & 0o077) !== 0) return null;
    } catch {
      return null;
    }
  }
  return new Promise((resolve) => {
    const socket = createConnection(path);
    let client: HandoverClient | null = null;
    let settled = false;
    const done = (c: HandoverClient | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (!c) socket.destroy();
      resolve(c);
    };
    const timer = setTimeout(() => done(null), options.timeoutMs ?? 3000);
    timer.unref();
    const reader = new LineReader(
      (line) => {
        let raw: unknown;
        try {
          raw = JSON.parse(line);
        } catch {
          return done(null);
        }
        if (client) return client.answered(raw);
        const hello = handoverHello.safeParse(raw);
        if (!hello.success || hello.data.hello.version !== version) return done(null);
        client = new HandoverClient(socket, hello.data.hello, reader);
        done(client);
      },
      () => done(null),
    );
    socket.on('data', (d: Buffer) => {
      if (!client) reader.feed(d);
    });
    socket.once('error', () => done(null));
    socket.once('close', () => done(null));
    socket.once('connect', () =>
      socket.write(`${JSON.stringify({ hello: { version, pid: process.pid } })}\n`),
    );
  });
}
