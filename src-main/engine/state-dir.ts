import { createHash } from 'node:crypto';
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

/** The name of a destination root's own state folder: a hash of the root path as that host spells it. */
export function rootKey(root: string): string {
  return createHash('sha256').update(root, 'utf8').digest('hex').slice(0, 20);
}

/**
 * The state folder of one destination root (its lock, journals and backups): `<base>/roots/<hash>`.
 * Keyed by the root itself and nothing a store owns, so every store, process and machine that
 * targets this root on this host sees the same lock and the same unfinished runs.
 */
export function rootStateDir(base: string, root: string): string {
  return joinRoot(base, `roots/${rootKey(root)}`);
}

/** rootStateDir with `base` resolved on that side (`~/…` made absolute). */
export async function destinationStateDir(endpoint: Endpoint, root: string, base?: string): Promise<string> {
  return rootStateDir(await resolveStateDir(endpoint, base), root);
}

/** Every root's state folder under `base` (recover and restore look through them all). */
export async function allRootStateDirs(endpoint: Endpoint, base: string): Promise<string[]> {
  const dir = joinRoot(base, 'roots');
  return (await endpoint.readdir(dir))
    .filter((n) => /^[0-9a-f]{20}$/.test(n))
    .sort()
    .map((n) => joinRoot(dir, n));
}
