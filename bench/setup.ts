import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { timed } from './measure.js';
import type { SshdServer } from '../tests/support/sshd.js';

const root = new URL('..', import.meta.url).pathname;
/** The bundled CLI, what `configsync` runs once installed. */
export const cliEntry = join(root, 'build/cli/configsync.mjs');

/** Runs the built CLI once (provisioning); throws with its output on failure. */
export async function cli(store: string, ...args: string[]): Promise<void> {
  await timed(process.execPath, [cliEntry, '--store', store, ...args]);
}

/** ssh options rsync uses to reach a test sshd with its client key (the key is pinned by the harness). */
export function sshCommand(s: SshdServer): string {
  return `ssh -p ${s.port} -i ${s.clientKey.privateKeyPath} -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o BatchMode=yes`;
}

/** Adds a server to a bench store with its pinned key and a ROOT variable. */
export async function addServer(store: string, name: string, s: SshdServer, role: string, rootDir: string): Promise<void> {
  await cli(store, 'servers', 'add', '--name', name, '--host', s.host, '--port', String(s.port), '--user', s.user, '--role', role,
    '--key-file', s.clientKey.privateKeyPath, '--fingerprint', s.hostKeyFingerprint, '--var', `ROOT=${rootDir}`);
}

/** Makes "This computer" the primary with its ROOT. */
export async function useLocalAsPrimary(store: string, rootDir: string): Promise<void> {
  await cli(store, 'servers', 'edit', 'local', '--role', 'primary', '--var', `ROOT=${rootDir}`);
}

export async function wipe(path: string): Promise<void> {
  await rm(path, { recursive: true, force: true });
}
