import { create } from 'zustand';
import type { Input, Output } from '../../../src-shared/contract/api.js';
import type { ServerListState } from '../../../src-shared/model/server.js';
import { call } from '../../api/client.js';

type ServerListStore = {
  /** The last list main reported: committed, draft, dirty, problems. */
  readonly state: ServerListState | null;
  /** Why the list could not be read (e.g. STORE_CORRUPT), in main's words. */
  readonly error: string | null;
  /** Changes sent to main and not answered yet: they count as staged (Esc must still ask). */
  readonly pending: number;
  load(): Promise<void>;
  add(server: Input<'servers.add'>['server']): Promise<string>;
  edit(id: string, patch: Input<'servers.edit'>['patch']): Promise<void>;
  remove(id: string): Promise<void>;
  setRole(id: string, role: Input<'servers.setRole'>['role']): Promise<void>;
  commit(): Promise<void>;
  reset(): Promise<void>;
  /** For calls that return a list state of their own (trust, key setup, import). */
  accept(state: ServerListState): void;
};

/** The server list as the renderer sees it; every change goes through main, which owns the draft. */
export const useServerList = create<ServerListStore>()((set) => {
  const apply = async (p: Promise<ServerListState>) => {
    set((s) => ({ pending: s.pending + 1 }));
    try {
      const state = await p;
      set({ state, error: null });
    } finally {
      set((s) => ({ pending: s.pending - 1 }));
    }
  };
  return {
    state: null,
    error: null,
    pending: 0,
    load: async () => {
      try {
        set({ state: await call('servers.list', {}), error: null });
      } catch (err) {
        set({ error: err instanceof Error ? err.message : String(err) });
      }
    },
    add: async (server) => {
      const r: Output<'servers.add'> = await call('servers.add', { server });
      set({ state: r.state, error: null });
      return r.id;
    },
    edit: (id, patch) => apply(call('servers.edit', { id, patch })),
    remove: (id) => apply(call('servers.remove', { id })),
    setRole: (id, role) => apply(call('servers.setRole', { id, role })),
    commit: () => apply(call('servers.commit', {})),
    reset: () => apply(call('servers.reset', {})),
    accept: (state) => set({ state, error: null }),
  };
});
