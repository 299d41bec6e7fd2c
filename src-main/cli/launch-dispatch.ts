import type { SecretBox } from '../secrets/secret-box.js';
import { commands, type CliIo } from './commands.js';
import { runCli } from './main.js';

/** Switches Chromium, Electron or the OS put on an app's command line; they never make it CLI use. */
const launcherSwitch =
  /^(--no-sandbox|--disable-gpu|--disable-gpu-sandbox|--enable-logging(=.*)?|--ozone-platform(-hint)?=.*|--enable-features=.*|--disable-features=.*|--inspect(-brk)?(=.*)?|--remote-debugging-port=.*|--user-data-dir=.*|-psn_\d+_\d+|--allow-file-access-from-files)$/;

const commandWords = new Set(commands.map((c) => c.name.split(' ')[0]));

/**
 * The CLI arguments of an app launch, or null for a normal start of the window. The installed app is
 * its own `configsync`: `configsync sync --set app --yes` (the deb's /usr/bin/configsync, the
 * AppImage, ConfigSync.exe, ConfigSync.app/Contents/MacOS/ConfigSync) is CLI use when, leaving out the
 * switches Chromium and the OS add, the first word is a command, or the line asks for help or names a
 * store (`--store DIR`). argv is process.argv: the binary first, then (unpackaged, `electron .`) the
 * app's folder.
 */
export function cliArgsOfLaunch(
  argv: ReadonlyArray<string>,
  options: { readonly packaged: boolean },
): string[] | null {
  const args = argv.slice(options.packaged ? 1 : 2).filter((a) => !launcherSwitch.test(a));
  if (args.length === 0) return null;
  const first = args[0] as string;
  if (first === '--help' || first === '-h' || first === 'help') return ['--help'];
  if (first === '--store' || commandWords.has(first)) return args;
  return null;
}

export type LaunchCliOptions = {
  readonly packaged: boolean;
  readonly io: CliIo;
  /** How a service this launch installs runs the app again: the app's own binary (or AppImage). */
  readonly selfCommand: ReadonlyArray<string>;
  /** The Electron shell's safeStorage box, so the CLI reads the app key the app sealed. */
  readonly secretBox?: SecretBox;
};

/**
 * What the Electron main process calls first: for CLI use, runs the command exactly as the npm CLI
 * does (same commands, options, output and exit codes; no window) and resolves with its exit code;
 * null when the launch is the desktop app's.
 */
export async function runLaunchAsCli(
  argv: ReadonlyArray<string>,
  options: LaunchCliOptions,
): Promise<number | null> {
  const args = cliArgsOfLaunch(argv, { packaged: options.packaged });
  if (!args) return null;
  return runCli(args, options.io, {
    selfCommand: options.selfCommand,
    ...(options.secretBox ? { secretBox: options.secretBox } : {}),
  });
}
