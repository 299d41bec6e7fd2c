import { create } from 'zustand';
import type { Output } from '../../src-shared/contract/api.js';
import { call } from '../api/client.js';

type AppInfo = Output<'app.info'>;

type AppInfoState = {
  readonly info: AppInfo | null;
  readonly error: string | null;
  load(): Promise<void>;
};

/** Facts about the running instance (version, shell, store path), read once through `app.info`. */
export const useAppInfo = create<AppInfoState>()((set) => ({
  info: null,
  error: null,
  load: async () => {
    try {
      set({ info: await call('app.info', {}), error: null });
    } catch (err) {
      set({ error: err instanceof Error ? err.message : String(err) });
    }
  },
}));
