import { parseArgs } from 'node:util';
import type { CliCommand, CliContext } from './commands-types.js';
import { exitCodes } from '../../src-shared/errors.js';

/**
 * A read-only command with one option, `--json`: fetches once, then prints JSON for scripts or text for
 * people. Keeps the many listing commands (servers, sets, runs, schedules, info) alike.
 */
export function listCommand<T>(spec: {
  readonly name: string;
  readonly summary: string;
  fetch(ctx: CliContext): Promise<T>;
  /** What `--json` prints (default: the fetched value). */
  json?(value: T): unknown;
  text(value: T, ctx: CliContext): Promise<string> | string;
}): CliCommand {
  return {
    name: spec.name,
    summary: spec.summary,
    help: 'Options:\n  --json   print JSON',
    async run(args, ctx) {
      const { values } = parseArgs({
        args,
        options: { json: { type: 'boolean', default: false } },
        strict: true,
      });
      const value = await spec.fetch(ctx);
      ctx.io.out(
        values.json
          ? JSON.stringify(spec.json ? spec.json(value) : value, null, 2)
          : await spec.text(value, ctx),
      );
      return exitCodes.ok;
    },
  };
}
