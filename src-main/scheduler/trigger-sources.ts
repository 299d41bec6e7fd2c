import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import type { SyncSet } from '../../src-shared/contract/schemas/sync.js';
import { compileFilter } from '../engine/filters.js';
import { resolveRoot, scan } from '../engine/scan.js';
import type { ServerService } from '../services/servers/server-service.js';
import type { Endpoint } from '../transport/endpoint.js';
import { SshEndpoint } from '../transport/ssh-endpoint.js';
import type { TriggerSource } from './auto-triggers.js';
import type { Clock } from './clock.js';
import { watchRemoteWithInotify } from './remote-inotify.js';

export type TriggerSourceDeps = {
  readonly servers: ServerService;
  readonly connect: (serverId: string) => Promise<Endpoint>;
  readonly resolvePath: (serverId: string, path: string) => Promise<string> | string;
  /** Watch a remote source with inotifywait when its host has it; false: always poll. */
  readonly pushWatch: boolean;
  readonly debounceMs?: number;
  readonly clock: Clock;
};

/** A connection kept open between polls, opened again after a failure; close() ends it. */
export class CachedEndpoint {
  private current: Promise<Endpoint> | null = null;
  private closed = false;

  constructor(private readonly open: () => Promise<Endpoint>) {}

  async use<T>(fn: (ep: Endpoint) => Promise<T>): Promise<T> {
    if (this.closed) throw new Error('The source watch was stopped.');
    const p = (this.current ??= this.open());
    try {
      return await fn(await p);
    } catch (err) {
      // A broken connection is dropped; the next poll connects again.
      if (this.current === p) this.current = null;
      void p.then((ep) => ep.close()).catch(() => undefined);
      throw err;
    }
  }

  close(): void {
    this.closed = true;
    void this.current?.then((ep) => ep.close()).catch(() => undefined);
    this.current = null;
  }
}

/**
 * How to notice that a set's source changed. "This computer" as the primary with one item: chokidar on
 * the folder. Anything else: a listing signature of every item (the same scan and filters a sync
 * uses, so only changes a sync would carry count), pushed by inotifywait where the host has it.
 * Returns the source and the resources to release when the trigger stops.
 */
export async function triggerSourceFor(
  set: SyncSet,
  deps: TriggerSourceDeps,
): Promise<{ source: TriggerSource; release: () => void }> {
  const primary = deps.servers.committed().find((s) => s.role === 'primary');
  if (!primary) throw new Error('No server is the primary, so there is no source to watch.');
  const filters = { include: set.include, exclude: set.exclude };
  const first = set.items[0];
  if (primary.kind === 'local' && set.items.length === 1 && first) {
    const raw = await deps.resolvePath(primary.id, first.path);
    const root = raw === '~' || raw.startsWith('~/') ? `${homedir()}${raw.slice(1)}` : raw;
    const keep = compileFilter(filters);
    return { source: { kind: 'local', root, ignored: (rel) => !keep(rel, true) }, release: () => undefined };
  }
  const cached = new CachedEndpoint(() => deps.connect(primary.id));
  const rootsOf = (ep: Endpoint) =>
    Promise.all(set.items.map(async (i) => resolveRoot(ep, await deps.resolvePath(primary.id, i.path))));
  const signature = () =>
    cached.use(async (ep) => {
      const hash = createHash('sha256');
      for (const root of await rootsOf(ep)) {
        const index = await scan(ep, root, filters);
        hash.update(JSON.stringify([root, index.exists, index.entries]));
      }
      return hash.digest('hex');
    });
  const watched = new CachedEndpoint(() => deps.connect(primary.id));
  const canPush = deps.pushWatch && primary.kind === 'ssh' && set.items.length === 1;
  const source: TriggerSource = {
    kind: 'remote',
    signature,
    ...(canPush
      ? {
          watch: (onChange, onEnd) =>
            watched.use(async (ep) => {
              if (!(ep instanceof SshEndpoint)) return null;
              const [root] = await rootsOf(ep);
              if (!root) return null;
              return watchRemoteWithInotify(ep.conn, root, {
                onChange,
                onEnd,
                clock: deps.clock,
                ...(deps.debounceMs !== undefined ? { debounceMs: deps.debounceMs } : {}),
              });
            }),
        }
      : {}),
  };
  return {
    source,
    release: () => {
      cached.close();
      watched.close();
    },
  };
}
