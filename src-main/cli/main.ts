#!/usr/bin/env node
import { fileURLToPath } from 'node:url';
import { realpathSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { compose } from '../compose.js';
import { trace } from '../trace.js';
import { defaultDataDir } from '../paths.js';
import { callMethod, CliCallError } from './rpc-call.js';
import { exitCodeHelp, exitCodeOf, exitCodes } from '../../src-shared/errors.js';
import { commands, type CliCommand, type CliIo } from './commands.js';

const usage = `configsync — keep secondaries' configuration identical to the primary's, over SSH

Usage: configsync [--store DIR] <command> [options]

The store defaults to $CONFIGSYNC_STORE or the per-user config folder.
Commands:
${commands.map((c) => `  ${c.name.padEnd(22)} ${c.summary}`).join('\n')}

Run "configsync <command> --help" for a command's options.
Exit codes:
${exitCodeHelp()}
An error's code is printed in brackets, [CODE]; each code has its exit code.`;

/** Runs one CLI invocation; returns the exit code instead of exiting, so tests can call it in-process. */
export async function runCli(argv: ReadonlyArray<string>, io: CliIo): Promise<number> {
  const args = [...argv];
  let store = process.env.CONFIGSYNC_STORE;
  const storeAt = args.indexOf('--store');
  if (storeAt >= 0) {
    store = args[storeAt + 1];
    if (!store) return fail(io, '--store needs a folder', exitCodes.usage);
    args.splice(storeAt, 2);
  }
  const words: string[] = [];
  while (args[0] && !args[0].startsWith('-')) words.push(args.shift() as string);
  if (words.length === 0) {
    io.out(usage);
    return args.includes('--help') || args.includes('-h') ? exitCodes.ok : exitCodes.usage;
  }
  const command = findCommand(words);
  if (!command) return fail(io, `Unknown command "${words.join(' ')}".\n\n${usage}`, exitCodes.usage);
  const rest = [...words.slice(command.name.split(' ').length), ...args];
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(`configsync ${command.name} — ${command.summary}\n\n${command.help}`);
    return exitCodes.ok;
  }
  trace('cli: modules loaded');
  const app = compose({
    dataDir: store ?? defaultDataDir(),
    shell: 'cli',
    log: (m, e) => io.err(`${m} ${e ?? ''}`),
  });
  try {
    return await command.run(rest, { io, call: (method, params) => callMethod(app, method, params) });
  } catch (err) {
    if (err instanceof CliCallError) return fail(io, `${err.message} [${err.code}]`, exitCodeOf(err.code));
    if (
      err instanceof TypeError &&
      /parseArgs|ERR_PARSE_ARGS/i.test(String((err as { code?: string }).code ?? err.message))
    )
      return fail(io, err.message, exitCodes.usage);
    return fail(io, err instanceof Error ? err.message : String(err), exitCodes.error);
  } finally {
    await app.dispose();
  }
}

function findCommand(words: string[]): CliCommand | undefined {
  for (let n = Math.min(words.length, 3); n > 0; n--) {
    const name = words.slice(0, n).join(' ');
    const found = commands.find((c) => c.name === name);
    if (found) return found;
  }
  return undefined;
}

function fail(io: CliIo, message: string, code: number): number {
  io.err(`configsync: ${message}`);
  return code;
}

function isMain(): boolean {
  if (!process.argv[1]) return false;
  try {
    return realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

if (isMain()) {
  const confirm = process.stdin.isTTY
    ? async (question: string) => {
        const rl = createInterface({ input: process.stdin, output: process.stderr });
        try {
          return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
        } finally {
          rl.close();
        }
      }
    : undefined;
  runCli(process.argv.slice(2), {
    out: (s) => console.log(s),
    err: (s) => console.error(s),
    ...(confirm ? { confirm } : {}),
  }).then(
    (code) => {
      trace(`exit ${code}`);
      process.exit(code);
    },
    (err: unknown) => {
      console.error(err);
      process.exit(exitCodes.error);
    },
  );
}
