import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import type { Input, Output } from '../../src-shared/contract/api.js';
import { describeRunner } from '../../src-shared/model/scheduler-runner.js';
import type { CliCommand } from './commands-types.js';
import { exitCodes } from '../../src-shared/errors.js';
import { CliCallError } from './rpc-call.js';

type View = Output<'service.status'>;

const optionSpec = {
  'allow-root': { type: 'boolean', default: false },
  platform: { type: 'string' },
  'time-zone': { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

function installInput(v: {
  'allow-root'?: boolean;
  platform?: string;
  'time-zone'?: string;
}): Input<'service.status'> {
  if (v.platform !== undefined && !['linux', 'darwin', 'win32'].includes(v.platform))
    throw new CliCallError('BAD_PARAMS', `--platform is linux, darwin or win32, not "${v.platform}".`);
  return {
    ...(v['allow-root'] ? { allowRoot: true } : {}),
    ...(v.platform ? { platform: v.platform as 'linux' | 'darwin' | 'win32' } : {}),
    ...(v['time-zone'] ? { timeZone: v['time-zone'] } : {}),
  };
}

const managerWords = {
  systemd: { system: 'systemd system unit', user: 'systemd user unit' },
  launchd: { system: 'launchd daemon', user: 'launchd agent' },
  'task-scheduler': { system: 'Task Scheduler task', user: 'Task Scheduler task' },
} as const;

function describe(view: View): string {
  const lines = [
    `service:   ${view.name} (${managerWords[view.manager][view.scope]}, runs as ${view.user})`,
    `defined:   ${view.definitionPath}${view.installed ? '' : ' (not installed)'}`,
    `state:     ${view.installed ? view.state : 'not installed'}`,
    `command:   ${view.command.join(' ')}`,
  ];
  if (!view.available && view.unavailableReason) lines.push(`here:      ${view.unavailableReason}`);
  lines.push(`schedules: ${describeRunner(view.runner, { thisHost: hostname(), viewer: 'this command' })}`);
  for (const n of view.notes) lines.push(`note:      ${n}`);
  return lines.join('\n');
}

const install: CliCommand = {
  name: 'service install',
  summary: "run this store's schedules as a service of this host (systemd, launchd, Task Scheduler)",
  help: `Usage: configsync service install [--print] [--allow-root] [--time-zone ZONE] [--platform linux|darwin|win32]
Sets up "configsync scheduler" for this store as a service of this host, started at boot and restarted
after a failure, running as the user that owns the store:
  Linux    a systemd unit: as root, a system unit (/etc/systemd/system) with User= the store's owner;
           as the user, a user unit (~/.config/systemd/user), which runs without a login only after
           "loginctl enable-linger USER"
  macOS    a launchd daemon as root (/Library/LaunchDaemons, UserName= the owner), or an agent
           (~/Library/LaunchAgents), which runs while the user is logged in
  Windows  a Task Scheduler task at boot as this user, without a stored password (elevated prompt)
The service writes to the app's log (configsync service logs).
  --print        print the unit, plist or task XML instead of installing it (for another host: --platform)
  --allow-root   the store belongs to root: let the schedules run as root
  --time-zone    the zone schedule entries are read in (TZ of the service), e.g. Europe/Paris`,
  async run(args, ctx) {
    const { values } = parseArgs({
      args,
      options: { ...optionSpec, print: { type: 'boolean', default: false } },
      strict: true,
    });
    const input = installInput(values);
    if (values.print || values.platform) {
      const view = await ctx.call('service.status', input);
      ctx.io.out(values.json ? JSON.stringify(view, null, 2) : view.definition.trimEnd());
      return exitCodes.ok;
    }
    const view = await ctx.call('service.install', input);
    ctx.io.out(values.json ? JSON.stringify(view, null, 2) : `Installed.\n${describe(view)}`);
    return exitCodes.ok;
  },
};

const uninstall: CliCommand = {
  name: 'service uninstall',
  summary: "stop and remove this store's scheduler service",
  help: `Usage: configsync service uninstall
Stops the service and removes its definition; the store, its schedules and its logs stay.`,
  async run(args, ctx) {
    const { values } = parseArgs({ args, options: optionSpec, strict: true });
    const { removed, view } = await ctx.call('service.uninstall', installInput(values));
    ctx.io.out(
      values.json
        ? JSON.stringify({ removed, view }, null, 2)
        : removed
          ? `Removed ${view.name}.`
          : `No service of this store was installed (${view.definitionPath}).`,
    );
    return exitCodes.ok;
  },
};

const status: CliCommand = {
  name: 'service status',
  summary: "whether this store's scheduler service is installed and running, and who runs the schedules",
  help: `Usage: configsync service status [--json] [--allow-root]
Shows the service's name, definition, state and account, whether this host's service manager can be
used, and which process runs this store's schedules now (the service, the app, or none).`,
  async run(args, ctx) {
    const { values } = parseArgs({ args, options: optionSpec, strict: true });
    const view = await ctx.call('service.status', installInput(values));
    ctx.io.out(values.json ? JSON.stringify(view, null, 2) : describe(view));
    return exitCodes.ok;
  },
};

/** One app-log line for people: time, level, shell, message, then the run and server it concerns. */
export function formatLogLine(line: string): string {
  try {
    const o = JSON.parse(line) as Record<string, unknown>;
    const extra = ['runId', 'server', 'set', 'status']
      .filter((k) => o[k] !== undefined)
      .map((k) => `${k}=${String(o[k])}`)
      .join(' ');
    const err = (o.err as { message?: string } | undefined)?.message;
    return [
      String(o.time ?? '')
        .replace('T', ' ')
        .slice(0, 19),
      String(o.level ?? '')
        .toUpperCase()
        .padEnd(5),
      `[${String(o.shell ?? '?')} ${String(o.pid ?? '')}]`,
      String(o.msg ?? ''),
      err ? `: ${err}` : '',
      extra ? ` (${extra})` : '',
    ]
      .join(' ')
      .replace(/ {2,}: /, ': ')
      .trimEnd();
  } catch {
    return line;
  }
}

const logs: CliCommand = {
  name: 'service logs',
  summary: 'the newest lines of the app log, which the service and every other shell write to',
  help: `Usage: configsync service logs [-n LINES] [--json]
  -n, --lines LINES   how many of the newest lines (default 50)
  --json              the lines as they are in <store>/logs/app.log (JSON, one per line)
Where systemd runs the service, "journalctl -u NAME" (or --user-unit) also has its start and stop.`,
  async run(args, ctx) {
    const { values } = parseArgs({
      args,
      options: {
        lines: { type: 'string', short: 'n', default: '50' },
        json: { type: 'boolean', default: false },
      },
      strict: true,
    });
    const n = Number(values.lines);
    if (!Number.isInteger(n) || n < 1 || n > 5000)
      throw new CliCallError(
        'BAD_PARAMS',
        `--lines is a whole number from 1 to 5000, not "${values.lines}".`,
      );
    const r = await ctx.call('service.logs', { lines: n });
    if (values.json) ctx.io.out(r.lines.join('\n'));
    else ctx.io.out(r.lines.length === 0 ? `${r.path} is empty.` : r.lines.map(formatLogLine).join('\n'));
    return exitCodes.ok;
  },
};

export const serviceCommands: ReadonlyArray<CliCommand> = [install, uninstall, status, logs];
