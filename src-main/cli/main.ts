#!/usr/bin/env node
import { createInterface } from 'node:readline/promises';
import { trace } from '../trace.js';
import { appVersion } from '../version.js';
import { openHandover } from '../handover/handover-client.js';
import { defaultDataDir } from '../paths.js';
import { callMethod, CliCallError } from './rpc-call.js';
import { exitCodeHelp, exitCodeOf, exitCodes } from '../../src-shared/errors.js';
import { commands, type CliCommand, type CliContext, type CliIo } from './commands.js';
import type { SecretBox } from '../secrets/secret-box.js';

const usage = `configsync — keep secondaries' configuration identical to the primary's, over SSH

Usage: configsync [--store DIR] <command> [options]

The store defaults to $CONFIGSYNC_STORE or the per-user config folder.
Commands:
${commands.map((c) => `  ${c.name.padEnd(22)} ${c.summary}`).join('\n')}

Run "configsync <command> --help" for a command's options.
Exit codes:
${exitCodeHelp()}
An error's code is printed in brackets, [CODE]; each code has its exit code.`;

/** What the launcher of the CLI knows that the CLI cannot: the installed app passes both. */
export type RunCliOptions = {
  /** How a service installed from here runs this CLI again (default: node and this bundle). */
  readonly selfCommand?: ReadonlyArray<string>;
  /** Seals the app key as the store's shell does (the Electron shell's safeStorage). */
  readonly secretBox?: SecretBox;
};

/** Runs one CLI invocation; returns the exit code instead of exiting, so tests can call it in-process. */
export async function runCli(
  argv: ReadonlyArray<string>,
  io: CliIo,
  options: RunCliOptions = {},
): Promise<number> {
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
  const dataDir = store ?? defaultDataDir();
  // A running app or scheduler of this store carries the command with its kept connections.
  if (command.handOver && process.env.CONFIGSYNC_HANDOVER !== '0') {
    const remote = await openHandover(dataDir, appVersion());
    if (remote) {
      trace(`cli: handed over to pid ${remote.peer.pid}`);
      try {
        return await runCommand(command, rest, {
          io,
          call: (method, params) => remote.call(method, params, (f) => new CliCallError(f.code, f.message)),
        });
      } finally {
        remote.close();
      }
    }
  }
  // Loaded only when the command runs here: a handed-over one never pays for it.
  const { compose } = await import('../compose.js');
  const app = compose({
    dataDir,
    shell: 'cli',
    log: (m, e) => io.err(`${m} ${e ?? ''}`),
    ...(options.selfCommand ? { selfCommand: options.selfCommand } : {}),
    ...(options.secretBox ? { secretBox: options.secretBox } : {}),
  });
  try {
    return await runCommand(command, rest, {
      io,
      call: (method, params) => callMethod(app, method, params),
    });
  } finally {
    await app.dispose();
  }
}

/** Runs a command and turns its failure into the error table's exit code. */
async function runCommand(command: CliCommand, rest: string[], ctx: CliContext): Promise<number> {
  const io = ctx.io;
  try {
    return await command.run(rest, ctx);
  } catch (err) {
    if (err instanceof CliCallError) return fail(io, `${err.message} [${err.code}]`, exitCodeOf(err.code));
    if (
      err instanceof TypeError &&
      /parseArgs|ERR_PARSE_ARGS/i.test(String((err as { code?: string }).code ?? err.message))
    )
      return fail(io, err.message, exitCodes.usage);
    return fail(io, err instanceof Error ? err.message : String(err), exitCodes.error);
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

/**
 * The CLI's terminal: stdout and stderr, and a yes/no prompt on stderr when stdin is a terminal. The
 * npm CLI and the installed app's CLI use the same one.
 */
export function terminalIo(): CliIo {
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
  const secret = process.stdin.isTTY ? readSecret : undefined;
  return {
    out: (s) => console.log(s),
    err: (s) => console.error(s),
    ...(confirm ? { confirm } : {}),
    ...(secret ? { secret } : {}),
    stdinLine: readStdinLine,
  };
}

/** Reads one line from the terminal with echo off (a sudo password): it is never shown or kept. */
function readSecret(prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const input = process.stdin;
    process.stderr.write(prompt);
    input.setRawMode?.(true);
    input.resume();
    let line = '';
    const done = (err: Error | null) => {
      input.setRawMode?.(false);
      input.pause();
      input.removeListener('data', onData);
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(line);
    };
    const onData = (d: Buffer) => {
      for (const ch of d.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done(null);
        if (ch === '\u0003') return done(new Error('Interrupted.'));
        if (ch === '\u007f' || ch === '\b') line = line.slice(0, -1);
        else line += ch;
      }
    };
    input.on('data', onData);
  });
}

/** The first line of stdin, without its line ending (--sudo-password-stdin). */
async function readStdinLine(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) {
    text += (chunk as Buffer).toString('utf8');
    if (text.includes('\n')) break;
  }
  return text.split(/\r?\n/)[0] ?? '';
}
