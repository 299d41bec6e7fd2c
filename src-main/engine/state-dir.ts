import type { Endpoint } from '../transport/endpoint.js';
import { joinRoot } from './rel-path.js';

/** Where journals and backups live on a destination when nothing else is said. */
export const DEFAULT_STATE_DIR = '~/.configsync';

/** A state folder with a leading `~/` made absolute with that side's home folder. */
export async function resolveStateDir(
  endpoint: Endpoint,
  stateDir: string = DEFAULT_STATE_DIR,
): Promise<string> {
  if (stateDir === '~') return endpoint.home();
  if (stateDir.startsWith('~/'))
    return joinRoot((await endpoint.home()).replace(/\/+$/, ''), stateDir.slice(2));
  return stateDir;
}
