import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { makeTempDir } from '../../support/temp.js';

export const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const entry = `${repoRoot}build/main/src-main/web/start.js`;

export type RunningShell = {
  /** The address with the token, as printed for a user. */
  readonly url: string;
  /** The same origin without the token. */
  readonly origin: string;
  readonly dataDir: string;
  readonly output: () => string;
  stop(): Promise<void>;
};

/**
 * Starts the built browser shell as its own process (as `npm start` would), on a free port with a temp
 * store, and waits for the URL it prints. Needs `npm run build` first.
 */
export async function startShellProcess(options: { dataDir?: string; env?: NodeJS.ProcessEnv } = {}): Promise<RunningShell> {
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run npm run build first`);
  const tmp = options.dataDir ? null : await makeTempDir('configsync-e2e-store-');
  const dataDir = options.dataDir ?? `${tmp?.dir}/store`;
  const child: ChildProcess = spawn(process.execPath, [entry, '--port', '0', '--store', dataDir, '--json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
  });
  let out = '';
  const ready = new Promise<{ url: string }>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve(JSON.parse(line) as { url: string });
    });
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => reject(new Error(`browser shell exited (${code}): ${out}`)));
  });
  const { url } = await ready;
  return {
    url,
    origin: new URL(url).origin,
    dataDir,
    output: () => out,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      await tmp?.cleanup();
    },
  };
}
