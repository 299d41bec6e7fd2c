import { parseArgs } from 'node:util';
import {
  ANY,
  autoSyncTrigger,
  scheduleTime,
  type ScheduleOperation,
  type ScheduleTime,
} from '../../src-shared/model/schedule.js';
import type { Output } from '../../src-shared/contract/api.js';
import type { CliCommand, CliContext } from './commands-types.js';
import { exitCodes } from '../../src-shared/errors.js';
import { table } from './format.js';
import { listCommand } from './list-command.js';
import { setByName } from './lookup.js';
import { CliCallError } from './rpc-call.js';

/** "0 1 ANY ANY ANY" (or with *): the five CTPView fields, checked by the contract's own schema. */
export function parseScheduleTime(text: string): ScheduleTime {
  const fields = text.trim().split(/\s+/);
  if (fields.length !== 5)
    throw new CliCallError(
      'BAD_PARAMS',
      `--at wants five fields "MINUTE HOUR DAY MONTH WEEKDAY" (ANY for any), got "${text}".`,
    );
  const values = fields.map((f) =>
    f.toUpperCase() === ANY || f === '*' ? ANY : /^\d+$/.test(f) ? Number(f) : f,
  );
  const parsed = scheduleTime.safeParse(values);
  if (!parsed.success)
    throw new CliCallError('BAD_PARAMS', `--at: ${parsed.error.issues.map((i) => i.message).join('; ')}.`);
  return parsed.data;
}

async function operationOf(
  ctx: CliContext,
  v: { set?: string; operation?: string },
): Promise<ScheduleOperation> {
  const kind = v.operation ?? (v.set ? 'sync-set' : undefined);
  switch (kind) {
    case 'sync-set': {
      if (!v.set) throw new CliCallError('BAD_PARAMS', '--set NAME is required to synchronize a set.');
      return { kind: 'sync-set', setId: (await setByName(ctx, v.set)).id };
    }
    case 'backup-config':
    case 'health-check':
    case 'drift-check':
      return { kind };
    default:
      throw new CliCallError(
        'BAD_PARAMS',
        '--set NAME, or --operation backup-config|health-check|drift-check, is required.',
      );
  }
}

function describe(
  entry: Output<'schedules.list'>['entries'][number],
  setName: (id: string) => string,
): string {
  const op = entry.operation;
  return op.kind === 'sync-set' ? `synchronize ${setName(op.setId)}` : op.kind;
}

const add: CliCommand = {
  name: 'schedule add',
  summary: 'add (or replace, with --id) a schedule entry',
  help: `Usage: configsync schedule add (--set NAME | --operation backup-config|health-check|drift-check) --at "M H D MO WD" [options]
  --at "0 1 ANY ANY ANY"   minute hour day month weekday, ANY (or *) for any: 01:00 every day
  --id ID                  replaces the entry with this id (a new id is made otherwise)
  --catch-up               run once at start when the time passed while nothing was running
  --disabled               keep the entry without running it
Entries run while the app or "configsync scheduler" runs.`,
  async run(args, ctx) {
    const { values: v } = parseArgs({
      args,
      options: {
        set: { type: 'string' },
        operation: { type: 'string' },
        at: { type: 'string' },
        id: { type: 'string' },
        'catch-up': { type: 'boolean', default: false },
        disabled: { type: 'boolean', default: false },
      },
      strict: true,
    });
    if (!v.at) throw new CliCallError('BAD_PARAMS', '--at "MINUTE HOUR DAY MONTH WEEKDAY" is required.');
    const time = parseScheduleTime(v.at);
    const operation = await operationOf(ctx, v);
    const id = v.id ?? `entry-${Date.now().toString(36)}`;
    const saved = await ctx.call('schedules.save', {
      id,
      operation,
      time,
      catchUp: v['catch-up'],
      enabled: !v.disabled,
    });
    ctx.io.out(
      `Saved ${saved.id}: ${saved.reading}; next run ${saved.nextRunAt ? new Date(saved.nextRunAt).toISOString() : 'never'}.`,
    );
    return exitCodes.ok;
  },
};

const list = listCommand({
  name: 'schedule list',
  summary: 'list schedule entries with their reading and next run',
  fetch: (ctx) => ctx.call('schedules.list', {}),
  async text(out, ctx) {
    const { sets } = await ctx.call('sets.list', {});
    const setName = (id: string) => sets.find((s) => s.id === id)?.name ?? id;
    return (
      table(
        ['ID', 'OPERATION', 'FIELDS', 'WHEN', 'NEXT RUN', 'ENABLED', 'CATCH-UP'],
        out.entries.map((e) => [
          e.id,
          describe(e, setName),
          e.time.join(' '),
          e.reading,
          e.nextRunAt ? new Date(e.nextRunAt).toISOString() : '-',
          e.enabled ? 'yes' : 'no',
          e.catchUp ? 'yes' : 'no',
        ]),
      ) + `\ntimes in ${out.timeZone}`
    );
  },
});

const remove: CliCommand = {
  name: 'schedule remove',
  summary: 'remove a schedule entry',
  help: 'Usage: configsync schedule remove ID',
  async run(args, ctx) {
    const { positionals } = parseArgs({ args, options: {}, allowPositionals: true, strict: true });
    const id = positionals[0];
    if (!id)
      throw new CliCallError(
        'BAD_PARAMS',
        'Give the id of the entry ("configsync schedule list" shows them).',
      );
    const { removed } = await ctx.call('schedules.remove', { id });
    if (!removed) throw new CliCallError('NOT_FOUND', `There is no schedule entry "${id}".`);
    ctx.io.out(`Removed ${id}.`);
    return exitCodes.ok;
  },
};

const auto: CliCommand = {
  name: 'schedule auto',
  summary: 'automatic synchronization of a set: off, on-change, or every N seconds',
  help: `Usage: configsync schedule auto --set NAME --trigger off|on-change|SECONDS
  on-change   a local source is watched, a remote one watched with inotifywait or polled
  SECONDS     a run every N seconds (at least 5), which also repairs edits made on a secondary`,
  async run(args, ctx) {
    const { values: v } = parseArgs({
      args,
      options: { set: { type: 'string' }, trigger: { type: 'string' } },
      strict: true,
    });
    if (!v.set || !v.trigger) throw new CliCallError('BAD_PARAMS', '--set and --trigger are required.');
    const raw = /^\d+$/.test(v.trigger) ? { every: Number(v.trigger) } : v.trigger;
    const trigger = autoSyncTrigger.safeParse(raw);
    if (!trigger.success)
      throw new CliCallError(
        'BAD_PARAMS',
        `--trigger: ${trigger.error.issues[0]?.message ?? 'off, on-change or a number of seconds'}.`,
      );
    const set = await setByName(ctx, v.set);
    await ctx.call('autoSync.set', { setId: set.id, trigger: trigger.data });
    ctx.io.out(
      `Automatic synchronization of ${set.name}: ${typeof trigger.data === 'object' ? `every ${trigger.data.every} s` : trigger.data}.`,
    );
    return exitCodes.ok;
  },
};

/** Resolves on the first SIGINT or SIGTERM. */
function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const done = (signal: string) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(signal);
    };
    const onInt = () => done('SIGINT');
    const onTerm = () => done('SIGTERM');
    process.once('SIGINT', onInt);
    process.once('SIGTERM', onTerm);
  });
}

const scheduler: CliCommand = {
  name: 'scheduler',
  summary: 'run schedule entries and automatic synchronization in the foreground until stopped',
  help: `Usage: configsync scheduler
Runs the schedule entries (missed ones with catch-up first) and every set's automatic synchronization,
on the same store as the app, until SIGINT (Ctrl+C) or SIGTERM; runs under way are finished first.
Meant for headless primaries (a systemd service) where no app window is open.`,
  async run(args, ctx) {
    parseArgs({ args, options: {}, strict: true });
    const started = await ctx.call('scheduler.start', {});
    ctx.io.out(
      `Scheduler running: ${started.scheduleEntries} schedule entr${started.scheduleEntries === 1 ? 'y' : 'ies'}, ` +
        `${started.autoSyncSets.length} set(s) synchronized automatically. Stop with Ctrl+C.`,
    );
    const signal = await untilSignal();
    ctx.io.out(`${signal}: stopping after the runs under way.`);
    return exitCodes.ok;
  },
};

export const scheduleCommands: ReadonlyArray<CliCommand> = [add, list, remove, auto, scheduler];
