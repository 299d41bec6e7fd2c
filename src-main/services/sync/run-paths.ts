import { join } from 'node:path';

/** Where run logs live in the app's data folder. */
export function logsDirOf(dataDir: string): string {
  return join(dataDir, 'logs');
}

/**
 * The state folder (journals, backups) of one server entry on its host: per entry, so two entries on
 * one host (or this computer as a destination) never share a journal or a backup folder.
 */
export function stateDirOf(serverId: string): string {
  const safe = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(serverId)
    ? serverId
    : `id-${Buffer.from(serverId).toString('hex').slice(0, 32)}`;
  return `~/.configsync/servers/${safe}`;
}
