import { existsSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * How a service runs this program's CLI when no shell said so: node and the bundled CLI
 * (build/cli/configsync.mjs) beside this build, as `npm run build` or an npm install leaves it; when
 * this process is that CLI, its own script. `process.execPath` is absolute, so the service does not
 * depend on PATH.
 */
export function selfCommand(
  argv: ReadonlyArray<string> = process.argv,
  execPath: string = process.execPath,
): string[] {
  const script = argv[1];
  if (script && /configsync(\.mjs)?$/.test(script) && existsSync(script))
    return [execPath, realpathSync(script)];
  // Running from the tsc build (browser shell) or from sources: the bundle sits in build/cli.
  for (const rel of [
    '../../cli/configsync.mjs',
    '../../build/cli/configsync.mjs',
    '../build/cli/configsync.mjs',
  ]) {
    const candidate = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(candidate)) return [execPath, candidate];
  }
  return [execPath, fileURLToPath(new URL('../../build/cli/configsync.mjs', import.meta.url))];
}
