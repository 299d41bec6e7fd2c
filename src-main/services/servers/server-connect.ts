import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { AppError } from '../../errors/app-error.js';
import { SshError, type SshAuth, type SshConnection } from '../../transport/ssh-connection.js';
import { openSshChain, type JumpHop } from '../../transport/jump.js';
import { addPin, isNoPinnedAlgorithm, judgeHostKey } from '../../transport/host-keys.js';
import type { AppKeyStore } from '../../secrets/app-key-store.js';
import type { ServerService } from './server-service.js';
import { probeCapabilities } from './server-capabilities.js';
import { probeHost } from '../../transport/capabilities.js';
import { keyTypeLabel, type HostKeyPin } from '../../../src-shared/model/host-key.js';
import {
  hostKeyPins,
  jumpChain,
  type Server,
  type ServerListState,
  type SshServer,
} from '../../../src-shared/model/server.js';
import type { ConnectionTestResult } from '../../../src-shared/contract/methods/servers.js';
import { assertNever } from '../../../src-shared/assert-never.js';

/** What the connection functions need: the list, the app key, and the environment (agent socket, home). */
export type ConnectDeps = {
  readonly service: ServerService;
  readonly keys: AppKeyStore;
  readonly env?: NodeJS.ProcessEnv;
  readonly homeDir?: string;
  /** The keepalive interval of the connections opened for runs (the store's `connections` setting). */
  readonly keepaliveMs?: () => number;
};

export type PresentedHostKey = HostKeyPin & { readonly display: string };

const ecdsaBits: Readonly<Record<string, number>> = {
  'ecdsa-sha2-nistp256': 256,
  'ecdsa-sha2-nistp384': 384,
  'ecdsa-sha2-nistp521': 521,
};

/**
 * The line `ssh-keygen -lf` prints for a key, `256 SHA256:… (ED25519)`, so the user can compare it
 * with what they see on the server. RSA sizes are not in the fingerprint, so they are left out there.
 */
export function keygenDisplay(pin: HostKeyPin): PresentedHostKey {
  const bits = pin.algorithm === 'ssh-ed25519' ? 256 : ecdsaBits[pin.algorithm];
  const display = `${bits !== undefined ? `${bits} ` : ''}${pin.fingerprint} (${keyTypeLabel(pin.algorithm)})`;
  return { ...pin, display };
}

/** How to log in to a server with its chosen auth; says in words what is missing. */
export function sshAuthFor(server: SshServer, deps: ConnectDeps): SshAuth {
  const auth = server.auth;
  switch (auth.kind) {
    case 'app-key':
      return { kind: 'key', privateKey: deps.keys.ensure().privateKey };
    case 'agent': {
      const socket = (deps.env ?? process.env).SSH_AUTH_SOCK;
      if (!socket)
        throw new AppError(
          'NO_AGENT',
          `"${server.name}" logs in with the ssh-agent, but no agent is running here (SSH_AUTH_SOCK is not set).`,
        );
      return { kind: 'agent', socket };
    }
    case 'key-file': {
      const path = auth.path.replace(/^~(?=\/|$)/, deps.homeDir ?? homedir());
      try {
        return { kind: 'key', privateKey: readFileSync(path) };
      } catch (err) {
        throw new AppError(
          'KEY_FILE',
          `The key file ${path} for "${server.name}" cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`,
        );
      }
    }
    default:
      return assertNever(auth);
  }
}

/**
 * Opens an authenticated connection to a server with its pins, within its contact timeout: directly,
 * or through its chain of jump hosts (each its own entry of `servers`, with its own pins and login).
 */
export function connectTo(
  server: SshServer,
  deps: ConnectDeps,
  auth: SshAuth = sshAuthFor(server, deps),
  servers: ReadonlyArray<Server> = deps.service.draftList(),
): Promise<SshConnection> {
  const jumps = jumpsOf(server, servers);
  const keepalive = deps.keepaliveMs?.();
  return openSshChain([
    ...jumps.map((j) => hopOf(j, sshAuthFor(j, deps), keepalive)),
    hopOf(server, auth, keepalive),
  ]);
}

/**
 * What a connection to `server` is made of, as one string: address, login and its credential (a
 * digest of the key itself), sudo, the pinned keys, and the same of each jump host in front of it. A
 * connection kept under another key was made for a server that has changed since.
 */
export function connectionKey(
  server: SshServer,
  deps: ConnectDeps,
  servers: ReadonlyArray<Server> = deps.service.committed(),
): string {
  const part = (s: SshServer) => {
    const auth = sshAuthFor(s, deps);
    const credential =
      auth.kind === 'key'
        ? createHash('sha256').update(auth.privateKey).digest('base64')
        : auth.kind === 'agent'
          ? auth.socket
          : 'password';
    return [s.id, s.host, s.port, s.user, s.auth, credential, s.sudo ?? null, hostKeyPins(s)];
  };
  const key = JSON.stringify([...jumpsOf(server, servers).map(part), part(server)]);
  return createHash('sha256').update(key).digest('base64');
}

/** The jump hosts in front of a server, nearest first; a broken chain is a clear error. */
function jumpsOf(server: SshServer, servers: ReadonlyArray<Server>): SshServer[] {
  const chain = jumpChain(servers, server);
  if (!chain.ok) throw new AppError('JUMP_HOST', chain.message);
  return chain.hops;
}

function hopOf(server: SshServer, auth: SshAuth, keepaliveMs?: number): JumpHop {
  const [first, ...others] = hostKeyPins(server);
  return {
    name: server.name,
    host: server.host,
    port: server.port,
    username: server.user,
    auth,
    pinnedHostKey: first ?? null,
    otherPinnedHostKeys: others,
    contactTimeoutMs: server.contactTimeoutSec * 1000,
    ...(keepaliveMs !== undefined ? { keepaliveIntervalMs: keepaliveMs } : {}),
  };
}

/** Key types a host may hold, each tried on its own to read every key (RSA under its three signatures). */
const KEY_TYPES: ReadonlyArray<ReadonlyArray<string>> = [
  ['ssh-ed25519'],
  ['ecdsa-sha2-nistp256'],
  ['ecdsa-sha2-nistp384'],
  ['ecdsa-sha2-nistp521'],
  ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
];

/**
 * The key the host presents right now (of one of `algorithms` when given). Connects with no pin, so
 * the handshake stops at the host-key check: no credential is ever sent to a host whose key is not
 * confirmed. Behind jump hosts, those are logged in to (they are pinned) and the check runs through them.
 */
export async function presentedHostKey(
  server: SshServer,
  deps?: ConnectDeps,
  algorithms?: ReadonlyArray<string>,
): Promise<PresentedHostKey> {
  const servers = deps?.service.draftList() ?? [];
  const jumps = server.jumpVia && deps ? jumpsOf(server, servers) : [];
  const hop: JumpHop = {
    ...hopOf(server, { kind: 'agent', socket: '/nonexistent' }),
    pinnedHostKey: null,
    otherPinnedHostKeys: [],
    ...(algorithms ? { hostKeyAlgorithms: algorithms } : {}),
  };
  try {
    const conn = deps
      ? await openSshChain([...jumps.map((j) => hopOf(j, sshAuthFor(j, deps))), hop])
      : await openSshChain([hop]);
    conn.close();
  } catch (err) {
    if (err instanceof SshError && err.code === 'HOST_KEY_UNKNOWN' && err.presentedKey)
      return keygenDisplay(err.presentedKey);
    throw err;
  }
  throw new AppError(
    'NETWORK',
    `${server.host}:${server.port} accepted a connection without a host-key check.`,
  );
}

/** Every key the host holds, one per key type it offers (each read by a handshake held to that type). */
export async function presentedHostKeys(server: SshServer, deps: ConnectDeps): Promise<PresentedHostKey[]> {
  const keys: PresentedHostKey[] = [];
  for (const types of KEY_TYPES) {
    try {
      keys.push(await presentedHostKey(server, deps, types));
    } catch (err) {
      if (err instanceof SshError && isNoPinnedAlgorithm(err)) continue;
      throw err;
    }
  }
  return keys;
}

/** `servers.test`: connect, and on success report the host's capabilities; failures come back as data. */
export async function testConnection(
  deps: ConnectDeps,
  id: string,
  path?: string,
): Promise<ConnectionTestResult> {
  const server = deps.service.getSsh(id);
  const pinned = server.pinnedHostKey ? keygenDisplay(server.pinnedHostKey) : null;
  let conn: SshConnection;
  try {
    conn = await connectTo(server, deps);
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    const presented = err instanceof SshError && err.presentedKey ? keygenDisplay(err.presentedKey) : null;
    deps.service.recordContact(id, false, err.message, err.code);
    return { ok: false, code: err.code, message: err.message, presentedKey: presented, pinnedKey: pinned };
  }
  try {
    const capabilities = await probeCapabilities(conn, path);
    // Kept with the server: which fast paths the engine uses there, and where SFTP stands in.
    deps.service.recordCapabilities(id, await probeHost(conn));
    const message = `Connected to ${server.user}@${server.host}:${server.port} (${capabilities.os || 'unknown OS'}).`;
    deps.service.recordContact(id, true, message);
    return { ok: true, hostKey: keygenDisplay(conn.hostKey), capabilities, message };
  } finally {
    conn.close();
  }
}

/**
 * `servers.trustHostKey`: pins the key the user confirmed, only if the host presents it now. A key of a
 * type already pinned under another fingerprint is a change and is never replaced here (see
 * replaceHostKey); a key of a new type is added beside the pinned ones.
 */
export async function trustHostKey(
  deps: ConnectDeps,
  id: string,
  fingerprint: string,
): Promise<{ pinned: PresentedHostKey; state: ServerListState }> {
  const server = deps.service.getSsh(id);
  const presented = await findPresented(server, deps, fingerprint);
  if (!presented)
    throw new AppError(
      'HOST_KEY_MISMATCH',
      `"${server.name}" does not present ${fingerprint} now. Nothing was pinned; check the key again.`,
    );
  const pins = hostKeyPins(server);
  const verdict = judgeHostKey(presented, pins);
  if (verdict.kind === 'changed')
    throw new AppError(
      'HOST_KEY_CHANGED',
      `The host key of "${server.name}" has CHANGED. Pinned: ${keygenDisplay(verdict.pin).display}; presented now: ${presented.display}. ` +
        'It was not replaced. If the server was reinstalled, replace the pinned key explicitly.',
    );
  const next = addPin(pins, presented);
  const state = deps.service.update(id, (s) => (s.kind === 'ssh' ? { ...s, ...next } : s));
  return { pinned: presented, state };
}

/** The presented key with that fingerprint: the host's preferred one first, then each other type. */
async function findPresented(
  server: SshServer,
  deps: ConnectDeps,
  fingerprint: string,
): Promise<PresentedHostKey | undefined> {
  const preferred = await presentedHostKey(server, deps);
  if (preferred.fingerprint === fingerprint) return preferred;
  return (await presentedHostKeys(server, deps)).find((k) => k.fingerprint === fingerprint);
}

/**
 * `servers.replaceHostKey`: the explicit override after a changed-key warning (a reinstalled server);
 * still pins only what is presented now, and that key alone (the other pins were of the old install).
 */
export async function replaceHostKey(
  deps: ConnectDeps,
  id: string,
  fingerprint: string,
): Promise<{ pinned: PresentedHostKey; previous: PresentedHostKey | null; state: ServerListState }> {
  const server = deps.service.getSsh(id);
  const presented = await findPresented(server, deps, fingerprint);
  if (!presented)
    throw new AppError(
      'HOST_KEY_MISMATCH',
      `"${server.name}" does not present ${fingerprint} now. The pinned key was kept.`,
    );
  const pin: HostKeyPin = { algorithm: presented.algorithm, fingerprint: presented.fingerprint };
  const previous = hostKeyPins(server).find((p) => p.algorithm === pin.algorithm) ?? server.pinnedHostKey;
  const state = deps.service.update(id, (s) =>
    s.kind === 'ssh' ? { ...s, pinnedHostKey: pin, otherHostKeys: [] } : s,
  );
  return { pinned: presented, previous: previous ? keygenDisplay(previous) : null, state };
}
