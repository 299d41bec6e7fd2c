import type { Handlers } from '../rpc/router.js';
import { scan, resolveRoot } from '../engine/scan.js';
import { compileFilter } from '../engine/filters.js';
import { syncSet } from '../../src-shared/contract/schemas/sync.js';
import type { SyncService } from './sync-service.js';
import type { SyncSetService } from './sync-set-service.js';
import type { ServerService } from './server-service.js';
import type { Endpoint } from '../transport/endpoint.js';
import { pickParticipants } from './sync-wiring.js';

export type SyncHandlerDeps = {
  readonly sets: SyncSetService;
  readonly sync: SyncService;
  readonly servers: ServerService;
  readonly connect: (serverId: string) => Promise<Endpoint>;
  readonly resolvePath: (serverId: string, path: string) => string;
};

type SyncMethod =
  | 'sets.list'
  | 'sets.save'
  | 'sets.remove'
  | 'sets.preview'
  | 'sync.plan'
  | 'sync.entries'
  | 'sync.apply'
  | 'sync.cancel'
  | 'sync.wait'
  | 'sync.restore'
  | 'sync.runs';

/** Handlers for `sets.*` and `sync.*`: sets from the store, participants from the server list's roles. */
export function syncHandlers(deps: SyncHandlerDeps): Pick<Handlers, SyncMethod> {
  return {
    'sets.list': () => ({ sets: deps.sets.list() }),
    'sets.save': ({ set }) => ({ set: deps.sets.save(set) }),
    'sets.remove': ({ id }) => ({ removed: deps.sets.remove(id) }),
    'sets.preview': async ({ set: draft, serverId, limit }) => {
      const set = syncSet.parse({ ...draft, id: draft.id ?? 'preview' });
      const servers = deps.servers.committed();
      const id = serverId ?? servers.find((s) => s.role === 'primary')?.id ?? 'local';
      const endpoint = await deps.connect(id);
      try {
        const items = [];
        for (const item of set.items) {
          const root = await resolveRoot(endpoint, deps.resolvePath(id, item.path));
          const all = await scan(endpoint, root, {});
          const keep = compileFilter({ include: set.include, exclude: set.exclude });
          const included: string[] = [];
          const excluded: string[] = [];
          for (const e of all.entries) if (e.type !== 'dir') (keep(e.path, false) ? included : excluded).push(e.path);
          items.push({
            path: item.path,
            resolvedRoot: root,
            exists: all.exists,
            included: included.slice(0, limit),
            excluded: excluded.slice(0, limit),
            includedTotal: included.length,
            excludedTotal: excluded.length,
          });
        }
        return { serverId: id, items };
      } finally {
        endpoint.close();
      }
    },
    'sync.plan': async ({ setId, sourceServerId, destinationServerIds }) => {
      const set = deps.sets.get(setId);
      const who = pickParticipants(deps.servers.committed(), sourceServerId, destinationServerIds);
      const planned = await deps.sync.plan({ set, ...who });
      return { ...planned, setId, sourceServerId: who.sourceServerId };
    },
    'sync.entries': (input) => deps.sync.entries(input),
    'sync.apply': (input) => deps.sync.start(input),
    'sync.cancel': (input) => deps.sync.cancel(input),
    'sync.wait': ({ runId }) => deps.sync.wait(runId),
    'sync.restore': async (input) => {
      const r = await deps.sync.restore(input);
      return { ...r, errors: [...r.errors] };
    },
    'sync.runs': async () => ({ runs: await deps.sync.listRuns() }),
  };
}
