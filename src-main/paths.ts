import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where the app keeps its store when no `--store DIR` / CONFIGSYNC_STORE is given:
 * the platform's per-user config folder, as Electron's userData would be.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.CONFIGSYNC_STORE) return env.CONFIGSYNC_STORE;
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'ConfigSync');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'ConfigSync');
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'ConfigSync');
}
