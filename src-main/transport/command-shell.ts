import type { ClientChannel } from 'ssh2';
import type { ExecResult } from './ssh-connection.js';

/**
 * One session that runs many small commands in turn, so that each of a run's small steps (exact times,
 * hashes of what was written, folder times, fsync) does not pay a session's start on the server (the
 * login shell and its rc files: 90–150 ms on a host whose root `.bashrc` starts pyenv). Each command
 * is framed: `CMDLEN INLEN` on a line, then the command and its stdin, each read with exactly that many
 * bytes by `dd`; it runs as `/bin/sh FILE <STDIN`, like `/bin/sh -c COMMAND` in a session of its own
 * (its own process, the login's environment and home folder), and its answer is one line `MARK RC
 * OUTLEN ERRLEN` followed by its stdout and stderr. MARK is random per session: rc-file noise before
 * the loop starts is skipped. Needs GNU dd (iflag=fullblock); it is used only where the server has
 * the GNU tools (the fast path).
 */
export function commandLoop(mark: string): string {
  return [
    't=$(mktemp -d) || exit 1',
    // Its folder goes however the session ends (a lost link hangs it up: HUP runs the EXIT trap too).
    `trap 'rm -rf "$t"' EXIT`,
    `trap 'exit 129' HUP INT TERM PIPE`,
    // Only where dd reads exactly the bytes asked for (GNU iflag=fullblock): else no ready line.
    `[ "$(printf ab | dd bs=2 count=1 iflag=fullblock 2>/dev/null)" = ab ] || exit 1`,
    `printf '%s ready\\n' ${mark}`,
    "while IFS=' ' read -r cl il; do",
    '  if [ "$cl" -gt 0 ]; then dd of="$t/c" bs="$cl" count=1 iflag=fullblock 2>/dev/null || exit 1; else : >"$t/c"; fi',
    '  if [ "$il" -gt 0 ]; then dd of="$t/i" bs="$il" count=1 iflag=fullblock 2>/dev/null || exit 1; else : >"$t/i"; fi',
    '  /bin/sh "$t/c" <"$t/i" >"$t/o" 2>"$t/e"',
    '  rc=$?',
    `  printf '%s %s %s %s\\n' ${mark} "$rc" $(wc -c <"$t/o") $(wc -c <"$t/e")`,
    '  cat "$t/o" "$t/e"',
    'done',
  ].join('\n');
}

/**
 * Commands with more stdin than this go to a session of their own (dd holds it in one buffer, of
 * this size at most). 4 MiB: the hashing of a plan's same-size candidates (a path list of ~32 bytes a
 * path: 10,000 paths are 320 KB) runs on the command session the run then uses, instead of logging in
 * once more (10k files, every mtime touched: 1.60 → 1.46 s here).
 */
export const COMMAND_SHELL_STDIN_UP_TO = 4 * 1024 * 1024;

type Pending = { resolve: (r: ExecResult) => void; reject: (e: Error) => void };

/** A session running commandLoop; `run` takes one command at a time (see `busy`). */
export class CommandShell {
  private buf: Buffer = Buffer.alloc(0);
  /**
   * An answer longer than what has come (a big listing): its chunks, gathered until `need` bytes are
   * here and joined once (joined chunk by chunk, 10 MB would be copied hundreds of times).
   */
  private parts: Buffer[] = [];
  private partsLen = 0;
  private need = 0;
  private started = false;
  private pending: Pending | null = null;
  private gone: Error | null = null;
  private readonly readyPromise: Promise<boolean>;
  private onReady: (ok: boolean) => void = () => undefined;

  constructor(
    private readonly channel: ClientChannel,
    /** The random token of this session's commandLoop. */
    private readonly mark: string,
    private readonly lostReason: () => Error | null,
    /** What the session sent before it was handed over (the end of a listing run on it first). */
    initial?: Buffer,
  ) {
    this.readyPromise = new Promise<boolean>((r) => (this.onReady = r));
    channel.on('data', (d: Buffer) => this.feed(d));
    if (initial && initial.length > 0) this.feed(initial);
    channel.stderr.resume();
    const end = () => {
      const err = this.lostReason() ?? new Error('The command session on the server ended.');
      this.gone ??= err;
      this.onReady(false);
      this.pending?.reject(err);
      this.pending = null;
    };
    channel.once('close', end);
    channel.once('error', end);
  }

  /** Resolves true once the loop runs on the server, false if the session ended before. */
  ready(): Promise<boolean> {
    return this.readyPromise;
  }

  /** A command is running (the caller opens a session of its own instead of waiting). */
  get busy(): boolean {
    return this.pending !== null;
  }

  get alive(): boolean {
    return this.gone === null;
  }

  run(command: string, stdin?: Buffer | string): Promise<ExecResult> {
    if (this.gone) return Promise.reject(this.gone);
    if (this.pending) return Promise.reject(new Error('The command session is busy.'));
    const cmd = Buffer.from(command, 'utf8');
    const input =
      stdin === undefined ? Buffer.alloc(0) : Buffer.isBuffer(stdin) ? stdin : Buffer.from(stdin, 'utf8');
    return new Promise<ExecResult>((resolve, reject) => {
      this.pending = { resolve, reject };
      this.channel.write(Buffer.concat([Buffer.from(`${cmd.length} ${input.length}\n`), cmd, input]));
    });
  }

  /** Ends the loop (EOF on its stdin); the server then closes the session. */
  close(): void {
    this.gone ??= new Error('The command session was closed.');
    this.channel.end();
  }

  private feed(d: Buffer): void {
    if (this.need > 0) {
      this.parts.push(d);
      this.partsLen += d.length;
      if (this.partsLen < this.need) return;
      this.buf = Buffer.concat(this.parts, this.partsLen);
      this.parts = [];
      this.partsLen = 0;
      this.need = 0;
    } else this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    for (;;) {
      if (!this.started) {
        const at = this.buf.indexOf(`${this.mark} ready\n`);
        if (at < 0) {
          // Keep only what could be the start of the ready line.
          if (this.buf.length > 4096) this.buf = this.buf.subarray(this.buf.length - 64);
          return;
        }
        this.buf = this.buf.subarray(at + this.mark.length + 7);
        this.started = true;
        this.onReady(true);
        continue;
      }
      const nl = this.buf.indexOf(10);
      if (nl < 0) return;
      const head = this.buf.subarray(0, nl).toString('latin1').trim().split(/\s+/);
      if (head[0] !== this.mark || head.length !== 4) {
        this.fail(new Error(`The command session sent an unexpected line: ${head.join(' ').slice(0, 80)}`));
        return;
      }
      const rc = Number(head[1]);
      const outLen = Number(head[2]);
      const errLen = Number(head[3]);
      if (this.buf.length < nl + 1 + outLen + errLen) {
        this.need = nl + 1 + outLen + errLen;
        this.parts = [this.buf];
        this.partsLen = this.buf.length;
        this.buf = Buffer.alloc(0);
        return;
      }
      const body = this.buf.subarray(nl + 1);
      // A big answer (a listing, a hash list) is most of the buffer it came in: it is kept as it is,
      // not copied (a 100k listing's 8 MB twice at once). A small one is copied, so it does not keep
      // a bigger buffer alive; so is what follows it, and an empty rest keeps nothing.
      const whole = body.subarray(0, outLen);
      const stdout = outLen * 2 >= this.buf.length ? whole : Buffer.from(whole);
      const stderr = body.subarray(outLen, outLen + errLen).toString('utf8');
      const rest = body.subarray(outLen + errLen);
      this.buf = rest.length > 0 ? Buffer.from(rest) : Buffer.alloc(0);
      const p = this.pending;
      this.pending = null;
      // A signal ends sh's child with 128 + its number, as a shell reports it.
      p?.resolve({ code: rc, stdout, stderr });
    }
  }

  private fail(err: Error): void {
    this.gone = err;
    this.pending?.reject(err);
    this.pending = null;
    this.channel.close();
  }
}

/**
 * Finds the end of a listing run on a session before its command loop (SshConnection.execListing):
 * the record `#end SECRET` NUL `STATUS` NUL. Output before it is the listing's, handed on as it
 * comes (but the last bytes that could be the start of the record, until the next chunk says); what
 * follows the record is the loop's. SECRET is random per listing and never on a command line, so no
 * name or link target in the listing can end it early.
 */
export class ListingEnd {
  private readonly end: Buffer;
  private held: Buffer = Buffer.alloc(0);
  /** The status field once the record's head was found (null before). */
  private status: Buffer | null = null;

  constructor(secret: string) {
    this.end = Buffer.from(`#end ${secret}\0`, 'latin1');
  }

  /** Feeds a chunk: the listing's part goes to `out`; the status and what follows once the record is whole. */
  push(chunk: Buffer, out: (listing: Buffer) => void): { code: number | null; rest: Buffer } | null {
    const buf = this.held.length > 0 ? Buffer.concat([this.held, chunk]) : chunk;
    this.held = Buffer.alloc(0);
    if (this.status === null) {
      const at = buf.indexOf(this.end);
      if (at < 0) {
        const keep = Math.min(buf.length, this.end.length - 1);
        if (buf.length > keep) out(buf.subarray(0, buf.length - keep));
        this.held = Buffer.from(buf.subarray(buf.length - keep));
        return null;
      }
      if (at > 0) out(buf.subarray(0, at));
      this.status = Buffer.alloc(0);
      return this.push(buf.subarray(at + this.end.length), out);
    }
    const status = this.status.length > 0 ? Buffer.concat([this.status, buf]) : buf;
    const nul = status.indexOf(0);
    if (nul < 0) {
      this.status = Buffer.from(status);
      return null;
    }
    const text = status.subarray(0, nul).toString('latin1');
    const code = /^\d+$/.test(text) ? Number(text) : null;
    return { code, rest: Buffer.from(status.subarray(nul + 1)) };
  }
}
