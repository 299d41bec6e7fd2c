import type { Server, SshServer } from '../../../src-shared/model/server.js';
import { expandPathVars } from '../../../src-shared/path-vars.js';
import { AppError } from '../../errors/app-error.js';
import type { Endpoint } from '../../transport/endpoint.js';
import { LocalEndpoint } from '../../transport/local-endpoint.js';
import { SshEndpoint } from '../../transport/ssh-endpoint.js';
import { fastPathsOf, probeHost } from '../../transport/capabilities.js';
import { enablePrivilege, type Privilege } from '../../transport/remote-command.js';
import type { SudoPasswords } from '../../transport/sudo-passwords.js';
import { connectionKey, connectTo, type ConnectDeps } from './server-connect.js';
import type { ConnectionPool } from '../../transport/connection-pool.js';
import type { SshConnection } from '../../transport/ssh-connection.js';
import type { ServerService } from './server-service.js';

export type EndpointDeps = ConnectDeps & {
  /** Bulk fast paths (find listing, tar streams) where the host has them; off forces per-file SFTP. */
  readonly fastPath?: boolean;
  /** Sudo passwords given for the current run (servers whose sudo asks for one). */
  readonly sudoPasswords?: SudoPasswords;
  /**
   * Kept connections (the long-running shells): a server's connection is used again by the next run
   * while it lives. Servers whose sudo asks for a password are never kept past their run.
   */
  readonly pool?: ConnectionPool;
};

/** How a server's commands and files are reached: as its login, or through sudo with this run's password. */
export function privilegeOf(server: Server, passwords?: SudoPasswords): Privilege {
  if (server.kind !== 'ssh' || !server.sudo) return { sudo: false };
  const password = server.sudo.askPassword ? passwords?.get(server.id) : undefined;
  if (server.sudo.askPassword && password === undefined)
    throw new AppError(
      'SUDO_PASSWORD_NEEDED',
      `"${server.name}" uses sudo with a password: give the sudo password for this run. Nothing was changed.`,
    );
  return {
    sudo: true,
    ...(server.sudo.user ? { user: server.sudo.user } : {}),
    ...(password !== undefined ? { password } : {}),
  };
}

/** Opens the endpoint of a committed server: the local filesystem for "This computer", SSH otherwise. */
export function endpointConnector(deps: EndpointDeps): (serverId: string) => Promise<Endpoint> {
  return async (serverId) => {
    const server = committedServer(deps.service, serverId);
    if (server.kind === 'local') return new LocalEndpoint();
    const privilege = privilegeOf(server, deps.sudoPasswords);
    const open = () => openConnection(server, privilege, deps);
    // A sudo password lives in its connection's memory: such a connection ends with its run.
    const lease =
      deps.pool && !server.sudo?.askPassword
        ? await deps.pool
            .lease(server.id, connectionKey(server, deps), open)
            .then((l) => ({ conn: l.conn, pooled: l }))
        : { conn: await open(), pooled: null };
    // Probed once and kept with the server: which fast paths it has, and where SFTP stands in.
    let caps = server.capabilities;
    if (!caps) {
      try {
        caps = await probeHost(lease.conn);
      } catch (err) {
        if (lease.pooled) lease.pooled.release();
        else lease.conn.close();
        throw err;
      }
      deps.service.recordCapabilities(server.id, caps);
    }
    const fast = fastPathsOf(caps);
    const fastPath = (deps.fastPath ?? true) && fast.exec && fast.tar;
    if (fastPath) lease.pooled?.runsCommands();
    return new SshEndpoint(lease.conn, {
      fastPath,
      hashOnServer: (deps.fastPath ?? true) && fast.hash,
      label: server.name,
      windows: caps.os === 'windows',
      ...(lease.pooled ? { pooled: lease.pooled } : {}),
    });
  };
}

/** A new connection to a server: host key checked against its pins, login, sudo set up; the contact recorded. */
async function openConnection(
  server: SshServer,
  privilege: Privilege,
  deps: EndpointDeps,
): Promise<SshConnection> {
  let conn: SshConnection;
  try {
    conn = await connectTo(server, deps, undefined, deps.service.committed());
  } catch (err) {
    // The server list shows what the last real contact found, a run's included.
    if (err instanceof AppError) deps.service.recordContact(server.id, false, err.message, err.code);
    throw err;
  }
  try {
    await enablePrivilege(conn, privilege, server.name);
  } catch (err) {
    conn.close();
    throw err;
  }
  deps.service.recordContact(server.id, true, 'Connected.');
  return conn;
}

/**
 * What a kept connection of that server must have been made from (see connectionKey); null when the
 * server is gone, is "This computer" or its connections are not kept.
 */
export function poolKeyOf(deps: EndpointDeps, serverId: string): string | null {
  const server = deps.service.committed().find((s) => s.id === serverId);
  if (!server || server.kind !== 'ssh' || server.sudo?.askPassword) return null;
  return connectionKey(server, deps);
}

/** `${VARS}` of that server expanded in an item path; a missing variable is a clear error. */
export function pathResolver(service: ServerService): (serverId: string, path: string) => string {
  return (serverId, path) => {
    const server = committedServer(service, serverId);
    const r = expandPathVars(path, server.vars);
    if (!r.ok)
      throw new AppError(
        'PATH_VARIABLE',
        `"${server.name}" has no path variable ${r.missing.map((m) => `\${${m}}`).join(', ')} (used in ${path}). Add it in the server list.`,
      );
    return r.path;
  };
}

export function committedServer(service: ServerService, id: string): Server {
  const found = service.committed().find((s) => s.id === id);
  if (!found) throw new AppError('NOT_FOUND', `There is no server with id "${id}" in the committed list.`);
  return found;
}
