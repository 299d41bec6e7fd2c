// Bundles the CLI into build/cli/configsync.mjs: one file loads in about half the time of ~300 ES
// modules and packages resolved one by one (see the README's Performance section).
import { build } from 'esbuild';
import { rm } from 'node:fs/promises';

const outdir = new URL('../build/cli/', import.meta.url).pathname;
await rm(outdir, { recursive: true, force: true });
await build({
  entryPoints: { configsync: new URL('../src-main/cli/main.ts', import.meta.url).pathname },
  outdir,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  splitting: true, // what is imported on demand (the mailer) stays out of the start-up file
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  // ssh2's optional native parts, loaded in try/catch: left for Node to find (or not) at run time.
  external: ['cpu-features', '*.node'],
  banner: {
    // The CommonJS packages in the bundle (ssh2) expect these.
    js: [
      "import { createRequire as __csRequire } from 'node:module';",
      "import { fileURLToPath as __csPath } from 'node:url';",
      "import { dirname as __csDir } from 'node:path';",
      'const require = __csRequire(import.meta.url);',
      'const __filename = __csPath(import.meta.url);',
      'const __dirname = __csDir(__filename);',
    ].join('\n'),
  },
  logLevel: 'warning',
});
