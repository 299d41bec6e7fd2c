// Bundles the CLI into build/cli/configsync.cjs, started by build/cli/configsync.mjs: one file loads in
// about half the time of ~300 ES modules and packages resolved one by one, and from its compile cache
// in a fraction of that (see the README's Performance section).
import { build } from 'esbuild';
import { rm } from 'node:fs/promises';

const outdir = new URL('../build/cli/', import.meta.url).pathname;
await rm(outdir, { recursive: true, force: true });
const common = { outdir, bundle: true, platform: 'node', target: 'node20', logLevel: 'warning' };
// The CLI itself, one CommonJS file: build/cli/configsync.mjs runs it from V8's compiled code of an
// earlier run (src-main/cli/compile-cache.ts), which Node 20 can do for a script but not for ES modules.
await build({
  ...common,
  entryPoints: { configsync: new URL('../src-main/cli/bin.ts', import.meta.url).pathname },
  outExtension: { '.js': '.cjs' },
  format: 'cjs',
  sourcemap: 'linked',
  minifyWhitespace: true,
  minifySyntax: true,
  // ssh2's optional native parts, loaded in try/catch: left for Node to find (or not) at run time.
  external: ['cpu-features', '*.node'],
  // The sources are ES modules that find files beside themselves through import.meta.url.
  define: { 'import.meta.url': '__csImportMetaUrl' },
  banner: { js: "const __csImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
});
// The `configsync` command: a few lines that load the bundle above through the compile cache.
await build({
  ...common,
  entryPoints: { configsync: new URL('../src-main/cli/launcher.ts', import.meta.url).pathname },
  outExtension: { '.js': '.mjs' },
  format: 'esm',
});
