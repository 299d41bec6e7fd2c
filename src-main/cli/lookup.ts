import type { Server } from '../../src-shared/model/server.js';
import type { CliContext } from './commands-types.js';
import { CliCallError } from './rpc-call.js';

/** Finds a server of the committed list by id or by name (names are unique). */
export async function serverByName(
  ctx: CliContext,
  nameOrId: string,
  from: 'committed' | 'draft' = 'committed',
): Promise<Server> {
  const state = await ctx.call('servers.list', {});
  const list = from === 'committed' ? state.committed : state.draft;
  const found = list.find((s) => s.id === nameOrId) ?? list.find((s) => s.name === nameOrId);
  if (!found)
    throw new CliCallError(
      'NOT_FOUND',
      `No server is named "${nameOrId}". "configsync servers list" shows them.`,
    );
  return found;
}

/** Finds a sync set by id or name. */
export async function setByName(ctx: CliContext, nameOrId: string): Promise<{ id: string; name: string }> {
  const { sets } = await ctx.call('sets.list', {});
  const found = sets.find((s) => s.id === nameOrId) ?? sets.find((s) => s.name === nameOrId);
  if (!found)
    throw new CliCallError(
      'SET_UNKNOWN',
      `No sync set is named "${nameOrId}". "configsync sets list" shows them.`,
    );
  return found;
}
