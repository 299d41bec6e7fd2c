import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { compose } from '../compose.js';
import { defaultDataDir } from '../paths.js';
import { startBrowserShell } from './browser-shell.js';

/**
 * Entry point of the browser shell: `node build/main/src-main/web/start.js [--port N] [--store DIR] [--json]`.
 * Prints the address to open (with its token); `--json` prints one JSON line for scripts and tests.
 */
export async function main(
  argv: ReadonlyArray<string>,
  hooks: { onUrl?: (url: string) => void } = {},
): Promise<void> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      port: { type: 'string', default: process.env.CONFIGSYNC_PORT ?? '0' },
      store: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be 0..65535, got "${values.port}"`);
  const rendererDir = fileURLToPath(new URL('../../../renderer', import.meta.url));
  if (!existsSync(rendererDir))
    throw new Error(`The renderer is not built (${rendererDir} is missing): run npm run build.`);
  const dataDir = values.store ?? defaultDataDir();
  const app = compose({ dataDir, shell: 'browser' });
  const shell = await startBrowserShell({ app, rendererDir, port });
  if (values.json) {
    console.log(JSON.stringify({ url: shell.url, port: shell.port, dataDir }));
  } else {
    console.log(`ConfigSync browser shell on 127.0.0.1:${shell.port} (store: ${dataDir})`);
    console.log(`Open: ${shell.url}`);
    console.log('Press Ctrl+C to stop.');
  }
  hooks.onUrl?.(shell.url);
  const stop = () => {
    void shell
      .close()
      .then(() => app.dispose())
      .finally(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(`ConfigSync: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
