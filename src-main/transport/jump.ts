import type { Duplex } from 'node:stream';
import {
  openSsh,
  SshError,
  type SshConnection,
  type SshErrorCode,
  type SshTarget,
} from './ssh-connection.js';

/** One hop of a chain: a target as openSsh takes it, with the name the user gave that server entry. */
export type JumpHop = Omit<SshTarget, 'via'> & { readonly name: string };

/**
 * A TCP stream from the far side of `conn` to host:port (a direct-tcpip channel, what `ssh -J` uses),
 * counted against the connection's channel bound until it closes.
 */
export async function forwardThrough(
  conn: SshConnection,
  jumpName: string,
  host: string,
  port: number,
): Promise<Duplex> {
  const release = await conn.acquireChannel();
  return new Promise((resolve, reject) => {
    conn.client.forwardOut('127.0.0.1', 0, host, port, (err, channel) => {
      if (err) {
        release();
        const refused = /refused/i.test(err.message);
        return reject(
          new SshError(
            refused ? 'REFUSED' : 'NETWORK',
            `The jump host "${jumpName}" could not reach ${host}:${port}: ${err.message.replace(/^\(SSH\) /, '')}.`,
          ),
        );
      }
      channel.once('close', release);
      resolve(channel);
    });
  });
}

/**
 * Connects along a chain of hops, the first one directly and each next one through a channel of the
 * one before, each with its own pin (its own host-key check) and its own login. The last hop is the
 * connection returned; closing it (or losing it) closes the hops in front of it. A hop that fails
 * closes the ones already open, and its error says which jump host it was; a jump host's key is never
 * offered as the target's.
 */
export async function openSshChain(
  hops: ReadonlyArray<JumpHop>,
  open: (target: SshTarget) => Promise<SshConnection> = openSsh,
): Promise<SshConnection> {
  if (hops.length === 0) throw new Error('openSshChain needs at least one hop.');
  const opened: SshConnection[] = [];
  const closeAll = () => {
    for (const c of [...opened].reverse()) c.close();
  };
  for (const [i, hop] of hops.entries()) {
    const prev = opened[i - 1];
    const prevName = hops[i - 1]?.name ?? '';
    const isLast = i === hops.length - 1;
    try {
      const target: SshTarget = prev
        ? {
            ...hop,
            label: hop.label ?? `${hop.host}:${hop.port} (through "${prevName}")`,
            via: () => forwardThrough(prev, prevName, hop.host, hop.port),
          }
        : hop;
      opened.push(await open(target));
    } catch (err) {
      closeAll();
      if (isLast || !(err instanceof SshError)) throw err;
      throw new SshError(err.code as SshErrorCode, `Through the jump host "${hop.name}": ${err.message}`);
    }
  }
  const last = opened[opened.length - 1] as SshConnection;
  if (opened.length > 1) last.client.once('close', closeAll);
  return last;
}
