import { execFile } from 'node:child_process';
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

/**
 * The oracle, after a scenario's last ConfigSync run: `rsync -anciHAX --delete` from the source to
 * ConfigSync's copy prints nothing (the bench trees hold none of the README's intended differences).
 * With `via`, the source is on that server and rsync runs there. Throws with what rsync printed.
 */
export async function assertSameTree(what: string, src: string, s: SshdServer, dest: string, via?: SshdServer): Promise<void> {
  const args = ['-anciHAX', '--delete', '-e', sshCommand(s), `${src}/`, `${s.user}@${s.host}:${dest}/`];
  const shq = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;
  const out = via
    ? await run('sh', ['-c', `${sshCommand(via)} ${via.user}@${via.host} ${shq(['rsync', ...args].map(shq).join(' '))}`])
    : await run('rsync', args);
  if (out.trim() !== '') throw new Error(`${what}: rsync -anciHAX --delete finds differences:\n${out.slice(0, 3000)}`);
}

function run(cmd: string, args: ReadonlyArray<string>): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(cmd, args, { maxBuffer: 64 << 20 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${cmd} failed: ${stderr || err.message}`)) : resolve(stdout),
    ),
  );
}
