import type { ClientChannel } from 'ssh2';
import type ssh2 from 'ssh2';
import { remoteCommand, stdinPrefix, type Privilege } from './remote-command.js';

/**
 * What a session opened ahead runs: the login shell (with whatever its rc files do, which is what
 * makes a session slow to start) reads one line, then hands the session to `sh -c` with that line.
 * `read` takes the line byte by byte, so whatever follows it (a tar stream, a script) is left as the
 * command's stdin, exactly as for a session opened with that command.
 */
export const WARM_COMMAND = `IFS= read -r c && exec /bin/sh -c "$(printf '%b' "$c")"`;

/** One line `printf %b` turns back into `command` (backslashes doubled, newlines escaped). */
export function commandLine(command: string): string {
  return `${command.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}\n`;
}

/** An unused session opened ahead is closed after this long. */
const IDLE_MS = 3000;
/** How long closing one waits for the server. */
const DROP_WAIT_MS = 2000;

/** A session opened ahead of the command it will run (see WARM_COMMAND). */
export class WarmShell {
  private readonly opened: Promise<ClientChannel | null>;
  private readonly closed: Promise<void>;
  private exited = false;
  private used = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    client: InstanceType<typeof ssh2.Client>,
    release: () => void,
    onGone: () => void,
    privilege: Privilege,
    /** Closed after this long unused (a kept connection's waits as long as the connection is kept). */
    idleMs = IDLE_MS,
  ) {
    let closed = () => undefined as void;
    this.closed = new Promise<void>((r) => (closed = r));
    const gone = () => {
      release();
      onGone();
      closed();
    };
    this.opened = new Promise((resolve) => {
      // A connection that goes down before the server answered never calls back: settle on its close.
      const lost = () => {
        gone();
        resolve(null);
      };
      client.once('close', lost);
      try {
        // Like every command: /bin/sh whatever the login shell is, through sudo when configured (its
        // password is read first, before the command line).
        client.exec(remoteCommand(WARM_COMMAND, privilege), (err, ch) => {
          client.removeListener('close', lost);
          if (err) {
            gone();
            return resolve(null);
          }
          const prefix = stdinPrefix(privilege);
          if (prefix) ch.write(prefix);
          ch.once('exit', () => (this.exited = true));
          ch.once('close', gone);
          resolve(ch);
        });
      } catch {
        client.removeListener('close', lost);
        gone();
        resolve(null);
      }
    });
    this.timer = setTimeout(() => void this.drop(), idleMs);
    this.timer.unref();
  }

  /** Runs `command` on this session; null when it cannot (it died): the caller opens one as usual. */
  async use(command: string): Promise<ClientChannel | null> {
    clearTimeout(this.timer);
    this.used = true;
    const ch = await this.opened;
    if (!ch || this.exited) {
      ch?.resume();
      ch?.end();
      return null;
    }
    ch.write(commandLine(command));
    return ch;
  }

  /** Closes it unless a command took it; settles once its slot is free again. */
  async drop(): Promise<void> {
    clearTimeout(this.timer);
    if (this.used) return;
    this.used = true;
    // Bounded: a connection that stopped answering must not hold up the run that is ending.
    const settled = (p: Promise<unknown>) =>
      Promise.race([p, new Promise((r) => setTimeout(r, DROP_WAIT_MS).unref())]);
    const ch = await settled(this.opened);
    if (!ch) return;
    // EOF first: the waiting `read` ends, the shell exits, and the server closes the session (its
    // output, rc-file noise included, is drained so that the close can come).
    (ch as ClientChannel).resume();
    (ch as ClientChannel).stderr.resume();
    (ch as ClientChannel).end();
    await settled(this.closed);
  }
}
