import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { AppError } from '../../errors/app-error.js';
import { openSsh, SshError, type SshAuth, type SshConnection } from '../../transport/ssh-connection.js';
import type { AppKeyStore } from '../../secrets/app-key-store.js';
import type { ServerService } from './server-service.js';
import { probeCapabilities } from './server-capabilities.js';
import { keyTypeLabel, type HostKeyPin } from '../../../src-shared/model/host-key.js';
import type { ServerListState, SshServer } from '../../../src-shared/model/server.js';
import type { ConnectionTestResult } from '../../../src-shared/contract/methods/servers.js';
import { assertNever } from '../../../src-shared/assert-never.js';

/** What the connection functions need: the list, the app key, and the environment (agent socket, home). */
export type ConnectDeps = {
  readonly service: ServerService;
  readonly keys: AppKeyStore;
  readonly env?: NodeJS.ProcessEnv;
  readonly homeDir?: string;
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

/** Opens an authenticated connection to a draft server with its pin, within its contact timeout. */
export function connectTo(
  server: SshServer,
  deps: ConnectDeps,
  auth: SshAuth = sshAuthFor(server, deps),
): Promise<SshConnection> {
  return openSsh({
    host: server.host,
    port: server.port,
    username: server.user,
    auth,
    pinnedHostKey: server.pinnedHostKey,
    contactTimeoutMs: server.contactTimeoutSec * 1000,
  });
}

/**
 * The key the host presents right now. Connects with no pin, so the handshake stops at the host-key
 * check: no credential is ever sent to a host whose key is not confirmed.
 */
export async function presentedHostKey(server: SshServer): Promise<PresentedHostKey> {
  try {
    const conn = await openSsh({
      host: server.host,
      port: server.port,
      username: server.user,
      auth: { kind: 'agent', socket: '/nonexistent' },
      pinnedHostKey: null,
      contactTimeoutMs: server.contactTimeoutSec * 1000,
    });
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
    deps.service.recordContact(id, false, err.message);
    return { ok: false, code: err.code, message: err.message, presentedKey: presented, pinnedKey: pinned };
  }
  try {
    const capabilities = await probeCapabilities(conn, path);
    const message = `Connected to ${server.user}@${server.host}:${server.port} (${capabilities.os || 'unknown OS'}).`;
    deps.service.recordContact(id, true, message);
    return { ok: true, hostKey: keygenDisplay(conn.hostKey), capabilities, message };
  } finally {
    conn.close();
  }
}

/**
 * `servers.trustHostKey`: pins the key the host presents now, only if it is the one the user
 * confirmed. An already pinned, different key is never replaced here (see replaceHostKey).
 */
export async function trustHostKey(
  deps: ConnectDeps,
  id: string,
  fingerprint: string,
): Promise<{ pinned: PresentedHostKey; state: ServerListState }> {
  const server = deps.service.getSsh(id);
  const presented = await presentedHostKey(server);
  if (server.pinnedHostKey && server.pinnedHostKey.fingerprint !== presented.fingerprint)
    throw new AppError(
      'HOST_KEY_CHANGED',
      `The host key of "${server.name}" has CHANGED. Pinned: ${keygenDisplay(server.pinnedHostKey).display}; presented now: ${presented.display}. ` +
        'It was not replaced. If the server was reinstalled, replace the pinned key explicitly.',
    );
  if (presented.fingerprint !== fingerprint)
    throw new AppError(
      'HOST_KEY_MISMATCH',
      `"${server.name}" presents ${presented.display} now, not the confirmed ${fingerprint}. Nothing was pinned; check the key again.`,
    );
  const pin: HostKeyPin = { algorithm: presented.algorithm, fingerprint: presented.fingerprint };
  const state = deps.service.update(id, (s) => (s.kind === 'ssh' ? { ...s, pinnedHostKey: pin } : s));
  return { pinned: presented, state };
}

/** `servers.replaceHostKey`: the explicit override after a changed-key warning; still pins only what is presented now. */
export async function replaceHostKey(
  deps: ConnectDeps,
  id: string,
  fingerprint: string,
): Promise<{ pinned: PresentedHostKey; previous: PresentedHostKey | null; state: ServerListState }> {
  const server = deps.service.getSsh(id);
  const presented = await presentedHostKey(server);
  if (presented.fingerprint !== fingerprint)
    throw new AppError(
      'HOST_KEY_MISMATCH',
      `"${server.name}" presents ${presented.display} now, not ${fingerprint}. The pinned key was kept.`,
    );
  const pin: HostKeyPin = { algorithm: presented.algorithm, fingerprint: presented.fingerprint };
  const state = deps.service.update(id, (s) => (s.kind === 'ssh' ? { ...s, pinnedHostKey: pin } : s));
  return {
    pinned: presented,
    previous: server.pinnedHostKey ? keygenDisplay(server.pinnedHostKey) : null,
    state,
  };
}
