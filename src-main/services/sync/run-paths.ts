import { join } from 'node:path';

/** Where run logs live in the app's data folder. */
export function logsDirOf(dataDir: string): string {
  return join(dataDir, 'logs');
}

/**
 * The state folder (journals, backups) older versions kept per server entry on its host. Destination
 * state now lives per destination root (see engine/state-dir.ts); what is left here is still read
 * (interrupted runs, backups to restore).
 */
export function legacyStateDirOf(serverId: string): string {
  const safe = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(serverId)
    ? serverId
    : `id-${Buffer.from(serverId).toString('hex').slice(0, 32)}`;
  return `~/.configsync/servers/${safe}`;
}
