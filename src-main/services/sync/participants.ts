import type { Server } from '../../../src-shared/model/server.js';
import { AppError } from '../../errors/app-error.js';

/**
 * The source and destinations of a run: by default the primary and every secondary. Not Selected servers
 * are never part of a run, and the primary is never a destination (change roles first).
 */
export function pickParticipants(
  servers: ReadonlyArray<Server>,
  sourceId: string | undefined,
  destinationIds: ReadonlyArray<string> | undefined,
): { sourceServerId: string; destinationServerIds: string[] } {
  const byId = new Map(servers.map((s) => [s.id, s]));
  const primary = servers.find((s) => s.role === 'primary');
  const source = sourceId ? byId.get(sourceId) : primary;
  if (!source)
    throw new AppError(
      sourceId ? 'NOT_FOUND' : 'NO_PRIMARY',
      sourceId
        ? `There is no server "${sourceId}".`
        : 'No server is the primary yet: choose one in the server list.',
    );
  if (source.role === 'not-selected')
    throw new AppError(
      'NOT_SELECTED',
      `"${source.name}" is Not Selected, so it takes part in no synchronization.`,
    );
  const ids =
    destinationIds ?? servers.filter((s) => s.role === 'secondary' && s.id !== source.id).map((s) => s.id);
  if (ids.length === 0) throw new AppError('NO_DESTINATIONS', 'There is no secondary to synchronize to.');
  for (const id of ids) {
    const s = byId.get(id);
    if (!s) throw new AppError('NOT_FOUND', `There is no server "${id}".`);
    if (s.id === source.id)
      throw new AppError(
        'PRIMARY_AS_DESTINATION',
        `"${s.name}" is the source; it cannot also be a destination.`,
      );
    if (s.role === 'primary')
      throw new AppError(
        'PRIMARY_AS_DESTINATION',
        `"${s.name}" is the primary and is never overwritten; change roles first.`,
      );
    if (s.role === 'not-selected')
      throw new AppError(
        'NOT_SELECTED',
        `"${s.name}" is Not Selected, so it takes part in no synchronization.`,
      );
  }
  return { sourceServerId: source.id, destinationServerIds: [...ids] };
}
