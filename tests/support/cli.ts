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
