import { parseArgs } from 'node:util';
import type { Output } from '../../src-shared/contract/api.js';
import type { CliCommand } from './commands-types.js';
import { exitCodes } from '../../src-shared/errors.js';
import { exitLine, table } from './format.js';

type Overview = Output<'status.overview'>;

/**
 * What `configsync status` exits with: 5 when a server taking part did not answer at its last
 * contact, 10 when a secondary differs from the primary, 0 otherwise (in sync, or not checked yet).
 */
export function statusExitCode(overview: Overview): number {
  const taking = overview.servers.filter((s) => s.role !== 'not-selected');
  if (taking.some((s) => s.contact.ok === false)) return exitCodes.unreachable;
  if (taking.some((s) => s.drift.state === 'differs')) return exitCodes.drift;
  return exitCodes.ok;
}

function when(ms: number | null | undefined): string {
  return ms ? new Date(ms).toISOString().replace('T', ' ').slice(0, 19) : '-';
}

function rows(overview: Overview): string[][] {
  return overview.servers.map((s) => [
    s.name,
    s.role,
    s.contact.ok === null ? 'never' : s.contact.ok ? 'reachable' : 'UNREACHABLE',
    s.lastSync
      ? `${when(s.lastSync.at)} ${s.lastSync.status} (${s.lastSync.trigger}, ${s.lastSync.setName})`
      : '-',
    s.drift.state === 'differs' ? `${s.drift.differences} difference(s)` : s.drift.state,
    s.lastBackup ? when(s.lastBackup.at) : '-',
    s.health.state === 'ok' || s.health.state === 'unknown'
      ? s.health.state
      : `${s.health.state}: ${s.health.checks
          .filter((c) => c.state !== 'ok')
          .map((c) => c.message)
          .join('; ')}`,
  ]);
}

const status: CliCommand = {
  name: 'status',
  summary: 'one line per server: contact, last sync, drift, backup, health (exit 10 drift, 5 unreachable)',
  help: `Usage: configsync status [--check] [--json]
  --check   run a drift check (every set planned, nothing applied) and the health checks first
  --json    print the whole status as JSON
Without --check, the drift and health are those of the last check (the app's or a previous --check).
${exitLine([
  ['ok', 'every secondary in sync (or not checked yet)'],
  ['drift', 'a secondary differs'],
  ['unreachable', 'a server unreachable'],
])}`,
  async run(args, ctx) {
    const { values } = parseArgs({
      args,
      options: { json: { type: 'boolean', default: false }, check: { type: 'boolean', default: false } },
      strict: true,
    });
    const overview = values.check
      ? await ctx.call('status.checkNow', {})
      : await ctx.call('status.overview', {});
    if (values.json) ctx.io.out(JSON.stringify(overview, null, 2));
    else {
      ctx.io.out(
        table(['SERVER', 'ROLE', 'CONTACT', 'LAST SYNC', 'DRIFT', 'LAST BACKUP', 'HEALTH'], rows(overview)),
      );
      ctx.io.out(
        overview.lastCheckAt
          ? `last check: ${when(overview.lastCheckAt)}`
          : 'not checked yet: run "configsync status --check"',
      );
      if (overview.promote.offered)
        ctx.io.out(
          `${overview.promote.reason}\nA secondary can take over: configsync servers edit NAME --role primary`,
        );
    }
    return statusExitCode(overview);
  },
};

export const statusCommands: ReadonlyArray<CliCommand> = [status];
