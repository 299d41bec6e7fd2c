import ssh2 from 'ssh2';
import type { ClientChannel, ConnectConfig, ServerHostKeyAlgorithm, SFTPWrapper } from 'ssh2';
import { createHash, randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { AppError } from '../errors/app-error.js';
import type { ErrorCode } from '../../src-shared/errors.js';
import type { HostKeyPin } from '../../src-shared/model/host-key.js';
import { WarmShell } from './warm-shell.js';
import { COMMAND_SHELL_STDIN_UP_TO, CommandShell, ListingEnd, commandLoop } from './command-shell.js';
import { NO_PRIVILEGE, remoteCommand, remoteProgram, stdinPrefix, type Privilege } from './remote-command.js';
import { sftpOverExec } from './sftp-exec.js';
import { trace, traced, traceStdin } from '../trace.js';
import { isNoPinnedAlgorithm, judgeHostKey, negotiableHostKeyAlgorithms } from './host-keys.js';

const { Client } = ssh2;

/** How long the command session stays open with no command. */
const COMMAND_SHELL_IDLE_MS = 30_000;

export type SshAuth =
  | { readonly kind: 'key'; readonly privateKey: string | Buffer; readonly passphrase?: string }
  | { readonly kind: 'agent'; readonly socket: string }
  | { readonly kind: 'password'; readonly password: string };

export type SshTarget = {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly auth: SshAuth;
  /** The key this host must present. With none, the connection fails with HOST_KEY_UNKNOWN (carrying the key). */
  readonly pinnedHostKey: HostKeyPin | null;
  /** The host's further pins, one per other key algorithm; the negotiation is held to the pinned algorithms. */
  readonly otherPinnedHostKeys?: ReadonlyArray<HostKeyPin>;
  /** Opens the stream to run SSH over instead of a TCP connection (a channel through a jump host). */
  readonly via?: () => Promise<Duplex>;
  /** Only these host-key algorithms, whatever is pinned (to read each key a host has, one type at a time). */
  readonly hostKeyAlgorithms?: ReadonlyArray<string>;
  /** How messages name this host (host:port by default). */
  readonly label?: string;
  /** Connect + handshake + authentication must finish within this. */
  readonly contactTimeoutMs: number;
  /** Keepalive probe interval; a dead peer errors after about 3 missed probes. */
  readonly keepaliveIntervalMs?: number;
  /** Channels opened at once on this connection (OpenSSH MaxSessions defaults to 10). */
  readonly maxChannels?: number;
};

export type SshErrorCode = Extract<
  ErrorCode,
  | 'DNS'
  | 'REFUSED'
  | 'TIMEOUT'
  | 'HOST_KEY_UNKNOWN'
  | 'HOST_KEY_CHANGED'
  | 'HOST_KEY_NEW_ALGORITHM'
  | 'AUTH_FAILED'
  | 'NETWORK'
  | 'DISCONNECTED'
>;

/** A connection failure in words a sysadmin understands, with what was seen of the host key. */
export class SshError extends AppError {
  constructor(
    code: SshErrorCode,
    message: string,
    readonly presentedKey?: HostKeyPin,
  ) {
    super(code, message);
  }
}

/** `SHA256:` + unpadded base64 of the key blob: the form `ssh-keygen -lf` prints. */
export function fingerprintOfKey(rawKey: Buffer): HostKeyPin {
  const len = rawKey.readUInt32BE(0);
  const algorithm = rawKey.subarray(4, 4 + len).toString('latin1');
  const fingerprint = `SHA256:${createHash('sha256').update(rawKey).digest('base64').replace(/=+$/, '')}`;
  return { algorithm, fingerprint };
}

export type ExecResult = {
  readonly code: number | null;
  readonly signal?: string;
  readonly stdout: Buffer;
  readonly stderr: string;
};

/** An authenticated SSH connection whose host key matched its pin; channels are queued to a bound. */
export class SshConnection {
  private sftpPromise: Promise<SFTPWrapper> | null = null;
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  private closedError: Error | null = null;
  /** The SFTP session closed while the connection was up (never closed on purpose): until one reopens. */
  private sftpLost: Error | null = null;
  private warm: WarmShell | null = null;
  /** Small commands run in turn on one session (see CommandShell); allowed where the GNU tools are. */
  private commandShellAllowed = false;
  private commandShell: Promise<CommandShell | null> | null = null;
  private commandShellIdle: NodeJS.Timeout | null = null;
  /** How long the command session may wait for its next command before it is closed. */
  private commandShellIdleMs = COMMAND_SHELL_IDLE_MS;
  /** The command session once it runs on the server (null before, and after it ended). */
  private readyShell: CommandShell | null = null;
  /** The host key as the server sent it (the blob a known_hosts line holds), once it matched a pin. */
  hostKeyBlob: Buffer | null = null;
  /** The server refused a session once: it is at its limit, so none is opened ahead any more. */
  private refusedOnce = false;
  /** How commands and files are reached (the login itself, or sudo); see usePrivilege. */
  private privilege: Privilege = NO_PRIVILEGE;
  /** The sftp-server program SFTP runs through under sudo (found on the server by enablePrivilege). */
  private sftpServer: string | null = null;
  /** Exec channels open now (commands, tar streams), the session opened ahead not counted. */
  private execOpen = 0;
  /** A run follows: the next listing's session stays on as the command session (see execListing). */
  private listingKeepsSession = false;

  constructor(
    readonly client: InstanceType<typeof Client>,
    readonly hostKey: HostKeyPin,
    private maxChannels: number,
    private readonly label: string,
    /** The login user name. */
    readonly user = '',
  ) {
    client.on('close', () => {
      this.closedError ??= new SshError('DISCONNECTED', `The connection to ${label} was closed.`);
    });
    client.on('error', (err: Error) => {
      this.closedError = new SshError('DISCONNECTED', `The connection to ${label} was lost: ${err.message}`);
    });
  }

  get closed(): boolean {
    return this.closedError !== null;
  }

  /** Why the connection is gone (lost or closed), or null while it is usable. */
  get closedReason(): Error | null {
    return this.closedError;
  }

  /**
   * Why files can no longer be reached: the connection is gone, or its SFTP session closed under it.
   * When a link drops, ssh2 closes the channels before the connection says it closed, so a caller that
   * just saw a request fail on the closed session learns it from here without waiting for that event.
   */
  get lostReason(): Error | null {
    return this.closedError ?? this.sftpLost;
  }

  /**
   * From now on every command runs through `privilege` (sudo, as root or a user) and SFTP through
   * sudo's `sftpServer`. A sudo password stays in this object's memory only, until close().
   */
  usePrivilege(privilege: Privilege, sftpServer: string | null): void {
    const changed =
      privilege.sudo !== this.privilege.sudo ||
      (privilege.sudo && this.privilege.sudo && privilege.user !== this.privilege.user);
    this.privilege = privilege;
    this.sftpServer = sftpServer;
    // Sessions started before run as the old login: the next command starts its own.
    if (changed) {
      this.closeCommandShell();
      void this.dropPrepared();
    }
  }

  /** Commands and files run through sudo. */
  get privileged(): boolean {
    return this.privilege.sudo;
  }

  /** Commands and files run as root: a root login, or sudo as root. */
  get asRoot(): boolean {
    if (this.privilege.sudo) return !this.privilege.user || this.privilege.user === 'root';
    return this.user === 'root';
  }

  /** Channel slots held right now (exec channels and the SFTP session): a leak shows here. */
  get openChannels(): number {
    return this.active;
  }

  /** Commands and streams running now: a connection let go with some still running was left midway. */
  get execInFlight(): number {
    return this.execOpen;
  }

  /** The channel bound in force: the configured one, or lower once the server refused a channel at it. */
  get channelLimit(): number {
    return this.maxChannels;
  }

  /** Waits for a free channel slot; the returned function releases it. */
  async acquireChannel(): Promise<() => void> {
    if (this.closedError) throw this.closedError;
    if (this.active >= this.maxChannels) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    return this.releaser();
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      this.waiting.shift()?.();
    };
  }

  /**
   * Opens a session ahead for the next command (when a slot is free and one more stays free), so the
   * login shell's start-up on the server overlaps other work instead of delaying that command. Used
   * by the next execChannel; closed after a few seconds (or `idleMs`) if none comes.
   */
  prepareExec(idleMs?: number): void {
    if (this.warm || this.closedError || this.refusedOnce || this.active + 1 >= this.maxChannels) return;
    this.active++;
    const shell: WarmShell = new WarmShell(
      this.client,
      this.releaser(),
      () => {
        if (this.warm === shell) this.warm = null;
      },
      this.privilege,
      idleMs,
    );
    this.warm = shell;
  }

  /**
   * Lets exec() run small commands (no streamed output, little stdin) on one kept session instead of
   * one session each; for servers with the GNU tools (the loop needs GNU dd).
   */
  allowCommandShell(): void {
    this.commandShellAllowed = true;
  }

  /**
   * Starts the command session now rather than at its first command (a run follows): when it is
   * allowed, not started yet, and two more sessions fit (the listing needs one meanwhile).
   */
  openCommandShellAhead(): void {
    if (!this.commandShellAllowed || this.commandShell || this.closedError || this.refusedOnce) return;
    if (this.active + 2 >= this.maxChannels) return;
    this.commandShell = this.startCommandShell();
  }

  /**
   * The connection waits unused for up to `idleMs` (a long-running process keeps it for its next
   * run): its command session is started if it does not run yet and kept as long, so that run's
   * listing and commands run on it with no login on the server.
   */
  keepCommandSession(idleMs: number): void {
    if (!this.commandShellAllowed || this.closedError) return;
    this.commandShellIdleMs = Math.max(COMMAND_SHELL_IDLE_MS, idleMs);
    this.openCommandShellAhead();
    if (this.commandShell) this.touchCommandShell();
  }

  /**
   * The command session is starting, or runs and is free: a command given to exec() without a stream
   * now runs there as soon as it is ready, sooner than on a session that would have to log in.
   */
  commandShellComing(): boolean {
    if (!this.commandShellAllowed || this.closedError || !this.commandShell) return false;
    const s = this.readyShell;
    return s === null || (s.alive && !s.busy);
  }

  /**
   * A run follows what is listed next (a plan with `sync --yes`): that listing's session goes on as
   * the command session once the listing is done, so the run's first commands need no login of
   * their own on the server (here 90-300 ms of root's rc files, which the listing paid already).
   */
  keepListingSession(): void {
    this.listingKeepsSession = true;
  }

  /** Whether the next listing runs through execListing (see keepListingSession). */
  get listingBecomesCommandShell(): boolean {
    return (
      this.listingKeepsSession &&
      this.commandShellAllowed &&
      !this.commandShell &&
      !this.closedError &&
      !this.refusedOnce &&
      this.active + 1 < this.maxChannels
    );
  }

  /**
   * Runs a listing command with its output streamed to `onStdout`, then keeps its session as the
   * command session (commandLoop). The listing's end is a record `#end SECRET` NUL `STATUS` NUL, its
   * SECRET random and sent on stdin (never on a command line another user of the server could read),
   * so no name in the listing can end it early; what follows it is the loop's. The listing runs with
   * no stdin; its result comes at its end (the session stays). A session that ends before the end
   * record gives the listing's status as the server reported it, and no command session.
   */
  async execListing(command: string, onStdout: (chunk: Buffer) => void): Promise<ExecResult> {
    const secret = randomBytes(16).toString('hex');
    const mark = `cs${randomBytes(8).toString('hex')}`;
    const script =
      `IFS= read -r m || exit 1\n( ${command}\n) </dev/null\n` +
      `printf '#end %s\\000%s\\000' "$m" "$?"\n${commandLoop(mark)}`;
    this.listingKeepsSession = false;
    let handOver: (shell: CommandShell | null) => void = () => undefined;
    const coming = new Promise<CommandShell | null>((r) => (handOver = r));
    this.commandShell = coming;
    let channel: ClientChannel;
    try {
      channel = await this.execChannel(script, false);
    } catch (err) {
      if (this.commandShell === coming) this.commandShell = null;
      handOver(null);
      throw err;
    }
    this.execOpen++;
    channel.write(`${secret}\n`);
    const end = new ListingEnd(secret);
    return new Promise<ExecResult>((resolve, reject) => {
      let stderr = '';
      let code: number | null = null;
      let settled = false;
      const onErr = (d: Buffer) => (stderr += d.toString('utf8'));
      const onExit = (c: number | null) => (code = c);
      const finish = () => {
        settled = true;
        this.execOpen--;
        channel.removeListener('data', onData);
        channel.stderr.removeListener('data', onErr);
        channel.removeListener('exit', onExit);
        channel.removeListener('close', onClose);
      };
      const onData = (d: Buffer) => {
        const done = end.push(d, onStdout);
        if (!done) return;
        finish();
        resolve({ code: done.code, stdout: Buffer.alloc(0), stderr });
        const shell = new CommandShell(channel, mark, () => this.closedError, done.rest);
        trace(`${this.label}: command session opening (after the listing)`);
        void shell.ready().then((ok) => {
          if (!ok) {
            // No GNU tools after all, or the session died: one session per command, as before.
            if (this.commandShell === coming) this.commandShell = null;
            this.commandShellAllowed = false;
            return handOver(null);
          }
          trace(`${this.label}: command session ready`);
          if (this.commandShell === coming) {
            this.readyShell = shell;
            this.touchCommandShell();
          } else shell.close();
          handOver(shell);
        });
      };
      const onClose = () => {
        if (settled) return;
        finish();
        if (this.commandShell === coming) this.commandShell = null;
        handOver(null);
        if (code === null && this.closedError) return reject(this.closedError);
        resolve({ code: code ?? 255, stdout: Buffer.alloc(0), stderr });
      };
      channel.on('data', onData);
      channel.stderr.on('data', onErr);
      channel.on('exit', onExit);
      channel.on('close', onClose);
      channel.on('error', (err: Error) => {
        if (settled) return;
        finish();
        if (this.commandShell === coming) this.commandShell = null;
        handOver(null);
        reject(err);
      });
    });
  }

  /** The command session runs and is free now: a command given to exec() runs there at once. */
  commandShellFree(): boolean {
    const s = this.readyShell;
    return this.commandShellAllowed && !this.closedError && s !== null && s.alive && !s.busy;
  }

  /** A session opened ahead (prepareExec) waits for the next streamed command. */
  get sessionAhead(): boolean {
    return this.warm !== null;
  }

  /** The command session, started on first use (from a session opened ahead when there is one). */
  private async useCommandShell(): Promise<CommandShell | null> {
    if (!this.commandShellAllowed || this.closedError) return null;
    if (!this.commandShell) {
      if (this.refusedOnce || (!this.warm && this.active + 1 >= this.maxChannels)) return null;
      this.commandShell = this.startCommandShell();
    }
    const shell = await this.commandShell;
    if (shell && !shell.alive) {
      this.commandShell = null;
      return null;
    }
    return shell;
  }

  private async startCommandShell(): Promise<CommandShell | null> {
    const mark = `cs${randomBytes(8).toString('hex')}`;
    const loop = commandLoop(mark);
    const warm = this.warm;
    this.warm = null;
    let channel = (await warm?.use(loop)) ?? null;
    if (!channel) {
      const release = await this.acquireChannel();
      try {
        channel = await new Promise<ClientChannel>((resolve, reject) => {
          this.client.exec(remoteCommand(loop, this.privilege), (err, ch) =>
            err ? reject(err) : resolve(ch),
          );
        });
      } catch (err) {
        release();
        if (/open failed/i.test((err as Error).message)) this.refusedOnce = true;
        this.commandShellAllowed = false;
        return null;
      }
      channel.once('close', release);
      const prefix = stdinPrefix(this.privilege);
      if (prefix) channel.write(prefix);
    }
    const shell = new CommandShell(channel, mark, () => this.closedError);
    trace(`${this.label}: command session opening`);
    if (!(await shell.ready())) {
      // sudo refused, no GNU tools after all, or the session died: one session per command, as before.
      this.commandShellAllowed = false;
      return null;
    }
    trace(`${this.label}: command session ready`);
    this.readyShell = shell;
    return shell;
  }

  /** Closes the command session (its slot is needed, or the connection goes). */
  private closeCommandShell(): void {
    const shell = this.commandShell;
    this.commandShell = null;
    this.readyShell = null;
    void shell?.then((s) => s?.close());
  }

  /** Closes a session opened ahead and not used (settles once its slot is free). */
  async dropPrepared(): Promise<void> {
    const shell = this.warm;
    this.warm = null;
    await shell?.drop();
  }

  /**
   * Opens an exec channel (counted against maxChannels until it closes). A server that allows fewer
   * sessions than the bound (OpenSSH MaxSessions) refuses the open: the bound is lowered to what was
   * open then, and the request waits in the queue for a slot instead of failing.
   */
  async execChannel(command: string, counted = true): Promise<ClientChannel> {
    const warm = this.warm;
    this.warm = null;
    if (this.closedError) throw this.closedError;
    const ready = await warm?.use(command);
    if (ready) {
      trace(`${this.label}: exec (warm) ${traced(command, 60)}`);
      if (counted) this.countExec(ready);
      return ready;
    }
    // OpenSSH also frees a session slot only after it has reaped the previous command, a moment after
    // the client saw the channel close: a refusal with no other channel open is retried briefly.
    for (let attempt = 0; ; attempt++) {
      const release = await this.acquireChannel();
      try {
        trace(`${this.label}: exec ${traced(command, 60)}`);
        // Run by /bin/sh whatever the login shell is, through sudo when the server is set up so;
        // sudo's password (if any) goes first on stdin, never on the command line.
        const wrapped = remoteCommand(command, this.privilege);
        const channel = await new Promise<ClientChannel>((resolve, reject) => {
          this.client.exec(wrapped, (err, ch) => (err ? reject(err) : resolve(ch)));
        });
        const prefix = stdinPrefix(this.privilege);
        if (prefix) channel.write(prefix);
        trace(`${this.label}: exec opened`);
        if (counted) this.countExec(channel);
        channel.once('close', () => {
          trace(`${this.label}: exec closed ${command.slice(0, 30)}`);
          release();
        });
        return channel;
      } catch (err) {
        const others = this.active - 1;
        release();
        if (/open failed/i.test((err as Error).message)) {
          this.refusedOnce = true;
          this.commandShellAllowed = false;
          this.closeCommandShell();
          await this.dropPrepared();
        }
        if (this.closedError || attempt >= 50 || !/open failed/i.test((err as Error).message))
          throw this.closedError ?? err;
        // The SFTP session holds a slot for the connection's life: never go below it plus one.
        const floor = this.sftpPromise ? 2 : 1;
        if (others >= floor && others < this.maxChannels) this.maxChannels = others;
        else await new Promise((r) => setTimeout(r, Math.min(200, 10 * (attempt + 1))));
      }
    }
  }

  private countExec(channel: ClientChannel): void {
    this.execOpen++;
    channel.once('close', () => this.execOpen--);
  }

  /** Runs a command to completion, optionally feeding stdin; collects (or streams) stdout and collects stderr. */
  async exec(
    command: string,
    stdin?: Buffer | string,
    options: {
      readonly onStdout?: (chunk: Buffer) => void;
      /** Never on the command session (a user's command: see SshEndpoint.run). */
      readonly ownSession?: boolean;
    } = {},
  ): Promise<ExecResult> {
    if (
      !options.onStdout &&
      !options.ownSession &&
      (stdin === undefined || stdin.length <= COMMAND_SHELL_STDIN_UP_TO)
    ) {
      const shell = await this.useCommandShell();
      if (shell && !shell.busy) {
        trace(`${this.label}: exec (command session) ${traced(command, 60)}`);
        traceStdin(this.label, stdin);
        // No idle timer while a command runs (a big backup's cp may take minutes): set again after it.
        if (this.commandShellIdle) clearTimeout(this.commandShellIdle);
        this.commandShellIdle = null;
        try {
          const r = await shell.run(command, stdin);
          trace(`${this.label}: exec done ${command.slice(0, 30)}`);
          return r;
        } finally {
          this.touchCommandShell();
        }
      }
    }
    const channel = await this.execChannel(command);
    traceStdin(this.label, stdin);
    return new Promise((resolve, reject) => {
      const out: Buffer[] = [];
      let err = '';
      let code: number | null = null;
      let signal: string | undefined;
      // Streamed to the caller as it comes (then stdout in the result is empty), or collected.
      channel.on('data', options.onStdout ?? ((d: Buffer) => out.push(d)));
      channel.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
      channel.on('exit', (c: number | null, s?: string) => {
        code = c;
        signal = s;
      });
      channel.on('error', reject);
      const settle = () => {
        if (code === null && this.closedError) return reject(this.closedError);
        resolve({ code, ...(signal ? { signal } : {}), stdout: Buffer.concat(out), stderr: err });
      };
      // With no exit status the connection may be going down: its close event can follow the channel's.
      channel.on('close', () => (code === null ? setImmediate(settle) : settle()));
      channel.end(stdin);
    });
  }

  /** The connection's one SFTP session (opened on first use, holds one channel). */
  sftp(): Promise<SFTPWrapper> {
    this.sftpPromise ??= (async () => {
      for (let attempt = 0; ; attempt++) {
        const release = await this.acquireChannel();
        try {
          return await new Promise<SFTPWrapper>((resolve, reject) => {
            trace(`${this.label}: sftp open`);
            const opened = (err: Error | undefined, sftp: SFTPWrapper) => {
              if (err) return reject(err);
              trace(`${this.label}: sftp ready`);
              this.sftpLost = null;
              sftp.once('close', () => {
                release();
                this.sftpPromise = null;
                this.sftpLost ??= new SshError(
                  'DISCONNECTED',
                  `The connection to ${this.label} was lost (its SFTP session closed).`,
                );
              });
              resolve(sftp);
            };
            // Through sudo: the server's sftp-server program started by sudo on an exec channel.
            if (this.privilege.sudo && this.sftpServer)
              sftpOverExec(
                this.client,
                remoteProgram(this.sftpServer, this.privilege),
                stdinPrefix(this.privilege),
                opened,
              );
            else this.client.sftp(opened);
          });
        } catch (err) {
          release();
          // A server at its session limit (a session opened ahead may hold the last one): free that, retry.
          const refused = /open failed/i.test((err as Error).message);
          if (refused) this.refusedOnce = true;
          if (this.closedError || !refused || attempt >= 50) {
            this.sftpPromise = null;
            throw this.closedError ?? err;
          }
          await this.dropPrepared();
          await new Promise((r) => setTimeout(r, Math.min(200, 10 * (attempt + 1))));
        }
      }
    })();
    return this.sftpPromise;
  }

  /** The command session closes after this long unused (a kept connection keeps no idle process). */
  private touchCommandShell(): void {
    if (this.commandShellIdle) clearTimeout(this.commandShellIdle);
    this.commandShellIdle = setTimeout(() => {
      this.commandShellIdle = null;
      void this.commandShell?.then((sh) => {
        if (sh && !sh.busy) this.closeCommandShell();
      });
    }, this.commandShellIdleMs);
    this.commandShellIdle.unref();
  }

  /**
   * True when the server answers on this connection now (one SFTP round trip, within `timeoutMs`): a
   * kept connection whose peer went away a moment ago may not have heard of it yet.
   */
  async answers(timeoutMs: number): Promise<boolean> {
    if (this.closedError) return false;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
      timer.unref();
    });
    const probe = (async () => {
      const sftp = await this.sftp();
      await new Promise<void>((resolve, reject) =>
        sftp.realpath('.', (err) => (err ? reject(err) : resolve())),
      );
      return true;
    })().catch(() => false);
    try {
      return (await Promise.race([probe, late])) && !this.closedError;
    } finally {
      clearTimeout(timer);
    }
  }

  close(): void {
    this.closedError ??= new SshError('DISCONNECTED', `The connection to ${this.label} was closed.`);
    if (this.commandShellIdle) clearTimeout(this.commandShellIdle);
    this.client.end();
  }
}

/**
 * Connects, checks the host key against its pin and authenticates, all within the contact timeout.
 * Never accepts an unpinned key: an unknown key fails with HOST_KEY_UNKNOWN carrying the presented key,
 * so the caller can show it, let the user confirm it and retry with it pinned.
 */
export async function openSsh(target: SshTarget): Promise<SshConnection> {
  try {
    return await openOnce(target, true);
  } catch (err) {
    // The server offers none of the pinned key types any more: see what it offers instead (the
    // verifier then refuses it as a new algorithm or a changed key; nothing is sent either way).
    if (
      err instanceof SshError &&
      err.code === 'NETWORK' &&
      !target.hostKeyAlgorithms &&
      isNoPinnedAlgorithm(err)
    )
      return openOnce(target, false);
    throw err;
  }
}

async function openOnce(target: SshTarget, holdToPins: boolean): Promise<SshConnection> {
  const label = target.label ?? `${target.host}:${target.port}`;
  const pins = [
    ...(target.pinnedHostKey ? [target.pinnedHostKey] : []),
    ...(target.otherPinnedHostKeys ?? []),
  ];
  const allowed = target.hostKeyAlgorithms
    ? [...target.hostKeyAlgorithms]
    : holdToPins
      ? negotiableHostKeyAlgorithms(pins)
      : null;
  const sock = target.via ? await target.via() : undefined;
  return new Promise((resolve, reject) => {
    const client = new Client();
    let presented: HostKeyPin | undefined;
    let presentedBlob: Buffer | null = null;
    let keyError: SshError | null = null;
    let settled = false;
    const finish = (err: Error | null, conn?: SshConnection) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) {
        client.removeAllListeners('ready');
        client.on('error', () => undefined);
        client.end();
        client.destroy();
        reject(err);
      } else if (conn) resolve(conn);
    };
    // After the handshake the host has answered: what is left is the login, and sshd waits a few
    // seconds before it refuses a wrong password, so running out of time then is a refused login.
    let handshakeDone = false;
    const seconds = `${Number((target.contactTimeoutMs / 1000).toFixed(1))} s`;
    const timer = setTimeout(
      () =>
        finish(
          keyError ??
            (handshakeDone
              ? new SshError(
                  'AUTH_FAILED',
                  `${label} answered but refused the login or did not accept it within ${seconds}: check the user name, password or key (sshd waits before it refuses a wrong password).`,
                  presented,
                )
              : new SshError(
                  'TIMEOUT',
                  `${label} did not answer within ${seconds} (host down, firewalled or wrong port).`,
                  presented,
                )),
        ),
      target.contactTimeoutMs,
    );
    const config: ConnectConfig = {
      host: target.host,
      port: target.port,
      username: target.username,
      readyTimeout: target.contactTimeoutMs + 1000,
      keepaliveInterval: target.keepaliveIntervalMs ?? 5000,
      keepaliveCountMax: 3,
      hostVerifier: (key: Buffer): boolean => {
        presentedBlob = Buffer.from(key);
        presented = fingerprintOfKey(key);
        const verdict = judgeHostKey(presented, pins);
        if (verdict.kind === 'pinned') return true;
        const pin = verdict.kind === 'changed' ? verdict.pin : null;
        keyError =
          verdict.kind === 'new-algorithm'
            ? new SshError(
                'HOST_KEY_NEW_ALGORITHM',
                `${label} presented a ${presented.algorithm} key, a type not pinned yet: ${presented.fingerprint}. ` +
                  `Its pinned key${verdict.pins.length > 1 ? 's are' : ' is'} ${verdict.pins.map((p) => `${p.fingerprint} (${p.algorithm})`).join(', ')}; the server no longer offers ${verdict.pins.length > 1 ? 'those types' : 'that type'}. ` +
                  'This is not a change of a pinned key: confirm the new one on the server before connecting. Nothing was sent.',
                presented,
              )
            : pin
              ? new SshError(
                  'HOST_KEY_CHANGED',
                  `The host key of ${label} has CHANGED. Pinned: ${pin.fingerprint} (${pin.algorithm}); presented now: ${presented.fingerprint} (${presented.algorithm}). ` +
                    'This can mean the server was reinstalled, or that someone is intercepting the connection. Nothing was sent.',
                  presented,
                )
              : new SshError(
                  'HOST_KEY_UNKNOWN',
                  `${label} presented a host key that is not pinned yet: ${presented.fingerprint} (${presented.algorithm}). Confirm it before connecting.`,
                  presented,
                );
        return false;
      },
    };
    if (allowed) config.algorithms = { serverHostKey: allowed as ServerHostKeyAlgorithm[] };
    if (sock) config.sock = sock;
    if (target.auth.kind === 'key') {
      config.privateKey = target.auth.privateKey;
      if (target.auth.passphrase) config.passphrase = target.auth.passphrase;
    } else if (target.auth.kind === 'agent') {
      config.agent = target.auth.socket;
    } else {
      config.password = target.auth.password;
      config.tryKeyboard = true;
    }
    if (target.auth.kind === 'password') {
      const password = target.auth.password;
      client.on('keyboard-interactive', (_name, _instr, _lang, prompts, answer) =>
        answer(prompts.map(() => password)),
      );
    }
    client.on('ready', () => {
      trace(`${label}: authenticated`);
      if (!presented) return finish(new SshError('NETWORK', `${label}: no host key was seen.`));
      const conn = new SshConnection(client, presented, target.maxChannels ?? 8, label, target.username);
      conn.hostKeyBlob = presentedBlob;
      finish(null, conn);
    });
    client.on('error', (err: Error & { code?: string; level?: string }) => {
      finish(keyError ?? classify(err, label, presented));
    });
    client.on('close', () =>
      finish(keyError ?? new SshError('NETWORK', `${label} closed the connection during setup.`, presented)),
    );
    trace(`${label}: connect`);
    client.on('handshake', () => {
      handshakeDone = true;
      trace(`${label}: handshake done`);
    });
    try {
      client.connect(config);
      // From the first byte: the handshake and authentication are small request/response packets
      // that would each wait out a delayed ACK (~40 ms) under Nagle's algorithm.
      client.setNoDelay(true);
    } catch (err) {
      finish(new SshError('NETWORK', `${label}: ${(err as Error).message}`));
    }
  });
}

function classify(
  err: Error & { code?: string; level?: string },
  label: string,
  presented?: HostKeyPin,
): SshError {
  const code = err.code ?? '';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return new SshError('DNS', `The name "${label.split(':')[0]}" could not be resolved (DNS).`);
  if (code === 'ECONNREFUSED')
    return new SshError(
      'REFUSED',
      `${label} refused the connection: nothing listens on that port, or SSH is not running.`,
    );
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH')
    return new SshError('NETWORK', `${label} is unreachable from here (no route to host).`);
  if (err.level === 'client-timeout' || /timed out/i.test(err.message))
    return new SshError('TIMEOUT', `${label} did not answer in time.`, presented);
  if (err.level === 'client-authentication')
    return new SshError(
      'AUTH_FAILED',
      `${label} refused the login: the user name, key or password was not accepted.`,
      presented,
    );
  return new SshError('NETWORK', `${label}: ${err.message}`, presented);
}
