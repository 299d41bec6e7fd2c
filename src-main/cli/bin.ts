// The `configsync` command: what build/cli/configsync.cjs runs (loaded by build/cli/configsync.mjs
// through the compile cache, see compile-cache.ts).
import './zod-jitless.js';
import { trace } from '../trace.js';
import { exitCodes } from '../../src-shared/errors.js';
import { runCli, terminalIo } from './main.js';

runCli(process.argv.slice(2), terminalIo()).then(
  (code) => {
    trace(`exit ${code}`);
    process.exit(code);
  },
  (err: unknown) => {
    console.error(err);
    process.exit(exitCodes.error);
  },
);
