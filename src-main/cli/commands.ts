import { listCommand } from './list-command.js';
import type { CliCommand } from './commands-types.js';
import { serverCommands } from './commands-servers.js';
import { syncCommands } from './commands-sync.js';
import { statusCommands } from './commands-status.js';
import { scheduleCommands } from './commands-schedule.js';
import { serviceCommands } from './commands-service.js';
import { exportCommands } from './commands-export.js';

export type { CliCommand, CliContext, CliIo } from './commands-types.js';

const info = listCommand({
  name: 'info',
  summary: 'show the version and where the store is',
  fetch: (ctx) => ctx.call('app.info', {}),
  text: (result) => `ConfigSync ${result.version}\nstore: ${result.storePath}`,
});

/** Every CLI command; each is a thin client of one or more contract methods. */
export const commands: ReadonlyArray<CliCommand> = [
  info,
  ...serverCommands,
  ...syncCommands,
  ...statusCommands,
  ...scheduleCommands,
  ...serviceCommands,
  ...exportCommands,
];
