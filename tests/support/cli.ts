import { runCli } from '../../src-main/cli/main.js';

export type CliRun = { readonly code: number; readonly out: string; readonly err: string };

/** Runs `configsync --store <store> …args` in-process and collects its exit code and output. */
export async function runCliIn(store: string, ...args: string[]): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(['--store', store, ...args], {
    out: (s) => out.push(s),
    err: (s) => err.push(s),
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/**
 * The arguments of `configsync servers add` for a test sshd: key login, its host key pinned, a 5 s
 * contact timeout, and `ROOT` set to `root`.
 */
export function serverAddArgs(
  s: {
    readonly host: string;
    readonly port: number;
    readonly user: string;
    readonly clientKey: { readonly privateKeyPath: string };
    readonly hostKeyFingerprint: string;
  },
  name: string,
  role: string,
  root: string,
): string[] {
  return [
    'servers',
    'add',
    '--name',
    name,
    '--host',
    s.host,
    '--port',
    String(s.port),
    '--user',
    s.user,
    '--role',
    role,
    '--key-file',
    s.clientKey.privateKeyPath,
    '--var',
    `ROOT=${root}`,
    '--timeout',
    '5',
    '--fingerprint',
    s.hostKeyFingerprint,
  ];
}
