import { parseArgs } from 'node:util';
import type { Input, Method, Output } from '../../src-shared/contract/api.js';
import { exitCodes } from './exit-codes.js';

export type CliIo = { out(text: string): void; err(text: string): void };
export type CliContext = {
  readonly io: CliIo;
  call<M extends Method>(method: M, params: Input<M>): Promise<Output<M>>;
};
export type CliCommand = {
  readonly name: string;
  readonly summary: string;
  readonly help: string;
  run(args: string[], ctx: CliContext): Promise<number>;
};

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
export const commands: ReadonlyArray<CliCommand> = [info];
