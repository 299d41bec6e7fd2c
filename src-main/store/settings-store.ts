import Conf from 'conf';

/**
 * The app's persistent settings file. In the Electron shell electron-store writes the same file through
 * the same library (conf); the browser shell and CLI use conf directly so they run under plain Node.
 */
export type SettingsStore = {
  readonly path: string;
  get<T>(key: string): T | undefined;
  set(key: string, value: unknown): void;
};

/** Opens (creating if needed) `config.json` in `dataDir`. */
export function openSettingsStore(dataDir: string): SettingsStore {
  const conf = new Conf<Record<string, unknown>>({ cwd: dataDir, configName: 'config', projectName: 'configsync' });
  return {
    path: conf.path,
    get: <T>(key: string) => conf.get(key) as T | undefined,
    set: (key, value) => conf.set(key, value),
  };
}
