import { parseArgs } from 'node:util';
import { exitCodes } from './exit-codes.js';
import type { CliCommand } from './commands-types.js';
import { serverCommands } from './commands-servers.js';
import { syncCommands } from './commands-sync.js';
import { statusCommands } from './commands-status.js';
import { scheduleCommands } from './commands-schedule.js';

export type { CliCommand, CliContext, CliIo } from './commands-types.js';

const info: CliCommand = {
  name: 'info',
  summary: 'show the version and where the store is',
  help: 'Options:\n  --json   print JSON',
  async run(args, { io, call }) {
    const { values } = parseArgs({ args, options: { json: { type: 'boolean', default: false } }, strict: true });
    const result = await call('app.info', {});
    io.out(values.json ? JSON.stringify(result, null, 2) : `ConfigSync ${result.version}\nstore: ${result.storePath}`);
    return exitCodes.ok;
  },
};

/** Every CLI command; each is a thin client of one or more contract methods. */
export const commands: ReadonlyArray<CliCommand> = [info, ...serverCommands, ...syncCommands, ...statusCommands, ...scheduleCommands];
