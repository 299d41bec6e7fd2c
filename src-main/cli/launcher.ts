#!/usr/bin/env node
// build/cli/configsync.mjs, the `configsync` command: runs the CLI's bundle (configsync.cjs beside it)
// from V8's compiled code of an earlier run (see compile-cache.ts).
import { fileURLToPath } from 'node:url';
import { compileCacheDir, runWithCompileCache } from './compile-cache.js';

/** Commands that plan or run: a cache written by one of them holds the code a plan compiles. */
const FULL = new Set(['sync', 'plan', 'status', 'scheduler', 'recover', 'restore']);

const run = runWithCompileCache(fileURLToPath(new URL('./configsync.cjs', import.meta.url)), {
  cacheDir: compileCacheDir(),
  full: process.argv.slice(2).some((a) => FULL.has(a)),
});
if (process.env.CONFIGSYNC_TRACE) process.stderr.write(`[trace] cli: compile cache ${run.status}\n`);
