import { parseArgs } from 'node:util';
import type { CliCommand, CliContext } from './commands-types.js';
import { exitCodeOf, exitCodes } from '../../src-shared/errors.js';
import { bytes, exitLine, table } from './format.js';
import { listCommand } from './list-command.js';
import { serverByName, setByName } from './lookup.js';
import { CliCallError } from './rpc-call.js';
import type { Output } from '../../src-shared/contract/api.js';

const setAdd: CliCommand = {
  name: 'sets add',
  summary: 'add or replace a sync set',
  help: `Options:
  --name NAME              set name (required; names the backup folders)
  --path PATH              an item, repeatable; may use the servers' \${VARS} (required)
  --include GLOB           only matching files, repeatable
  --exclude GLOB           leave out, repeatable (replaces the default exclusions: licenses/**, *.lic)
  --mode mirror|update     mirror (strict, default) or update (easy: only newer, extras kept)
  --compare time-size|checksum
  --validate CMD           run on each destination over a shadow of the whole tree as it will be (outside
                           the live folder; %s names it, and it is the working folder); non-zero: nothing
                           changes there
  --post-apply CMD         run on the destination after a successful apply
  --health CMD             run on each destination after its files are in place and the post-apply
                           command (e.g. a probe); non-zero or too slow: that destination is rolled back
                           from this run's backup (edits made meanwhile are left), and counts as failed
  --health-timeout SEC     seconds the health command may take (60)
  --rollout ORDER          all (default: every destination at once, up to --parallel), one-at-a-time,
                           or canary (the first destination alone; if it fails the others are not started)
  --parallel N             destinations applied at once (4)
  --stop-after N           start no further destination once N have failed (0: never stop)`,
  async run(args, ctx) {
    const { values: v } = parseArgs({
      args,
      options: {
        name: { type: 'string' },
        path: { type: 'string', multiple: true },
        include: { type: 'string', multiple: true },
        exclude: { type: 'string', multiple: true },
        mode: { type: 'string' },
        compare: { type: 'string' },
        validate: { type: 'string' },
        'post-apply': { type: 'string' },
        health: { type: 'string' },
        'health-timeout': { type: 'string' },
        rollout: { type: 'string' },
        parallel: { type: 'string' },
        'stop-after': { type: 'string' },
      },
      strict: true,
    });
    if (!v.name || !v.path?.length)
      throw new CliCallError('BAD_PARAMS', '--name and at least one --path are required.');
    const { sets } = await ctx.call('sets.list', {});
    const existing = sets.find((s) => s.name === v.name);
    const { set } = await ctx.call('sets.save', {
      set: {
        ...(existing ? { id: existing.id } : {}),
        name: v.name,
        items: v.path.map((path) => ({ path })),
        ...(v.include ? { include: v.include } : {}),
        ...(v.exclude ? { exclude: v.exclude } : {}),
        ...(v.mode ? { mode: v.mode as 'mirror' | 'update' } : {}),
        ...(v.compare ? { compare: v.compare as 'time-size' | 'checksum' } : {}),
        ...(v.validate ? { validateCommand: v.validate } : {}),
        ...(v['post-apply'] ? { postApplyCommand: v['post-apply'] } : {}),
        ...(v.health ? { healthCommand: v.health } : {}),
        ...(v['health-timeout'] !== undefined ? { healthTimeoutSec: Number(v['health-timeout']) } : {}),
        rollout: {
          ...(v.rollout ? { order: v.rollout as 'all' | 'one-at-a-time' | 'canary' } : {}),
          ...(v.parallel !== undefined ? { parallel: Number(v.parallel) } : {}),
          ...(v['stop-after'] !== undefined ? { stopAfterFailures: Number(v['stop-after']) } : {}),
        },
      },
    });
    ctx.io.out(
      `${existing ? 'Updated' : 'Added'} sync set ${set.name} (${set.mode}, ${set.compare}, roll-out ${rolloutWords(set.rollout)}).`,
    );
    for (const line of commandLines(set)) ctx.io.out(`  ${line}`);
    return exitCodes.ok;
  },
};

/** The set's commands, one line each, as `sets add` and `sets list` show them. */
function commandLines(s: {
  validateCommand?: string | undefined;
  postApplyCommand?: string | undefined;
  healthCommand?: string | undefined;
  healthTimeoutSec?: number | undefined;
}): string[] {
  return [
    ...(s.validateCommand ? [`validate: ${s.validateCommand}`] : []),
    ...(s.postApplyCommand ? [`post-apply: ${s.postApplyCommand}`] : []),
    ...(s.healthCommand
      ? [`health: ${s.healthCommand} (roll back when it fails or takes over ${s.healthTimeoutSec ?? 60} s)`]
      : []),
  ];
}

function rolloutWords(r: { order: string; parallel: number; stopAfterFailures: number }): string {
  const order =
    r.order === 'all'
      ? `all, ${r.parallel} at once`
      : r.order === 'canary'
        ? `canary, then ${r.parallel} at once`
        : 'one at a time';
  return r.stopAfterFailures > 0 ? `${order}, stop after ${r.stopAfterFailures} failed` : order;
}

const setList = listCommand({
  name: 'sets list',
  summary: 'list the sync sets',
  fetch: async (ctx) => (await ctx.call('sets.list', {})).sets,
  text: (sets) => {
    const commands = sets.flatMap((s) => commandLines(s).map((l) => `${s.name} ${l}`));
    return [
      table(
        ['NAME', 'MODE', 'COMPARE', 'ROLL-OUT', 'ITEMS'],
        sets.map((s) => [
          s.name,
          s.mode,
          s.compare,
          rolloutWords(s.rollout),
          s.items.map((i) => i.path).join(', '),
        ]),
      ),
      ...(commands.length > 0 ? ['', ...commands] : []),
    ].join('\n');
  },
});

const sudoOption = { 'sudo-password-stdin': { type: 'boolean', default: false } } as const;

const participantOptions = {
  set: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  json: { type: 'boolean', default: false },
  ...sudoOption,
} as const;

const SUDO_HELP = `  --sudo-password-stdin read the sudo password (servers whose sudo asks for one) from stdin's first
                        line; on a terminal it is asked for otherwise. Used for this run only.`;

/**
 * The sudo passwords of this run, for the servers among `ids` (all, when absent) whose sudo asks for
 * one: one line read from stdin with --sudo-password-stdin, else asked on the terminal per server.
 * They go to the call that connects and are kept nowhere.
 */
async function sudoPasswordsFor(
  ctx: CliContext,
  fromStdin: boolean | undefined,
  ids?: ReadonlyArray<string>,
): Promise<Record<string, string> | undefined> {
  const { committed } = await ctx.call('servers.list', {});
  const asking = committed.filter(
    (s) =>
      s.kind === 'ssh' &&
      s.sudo?.askPassword === true &&
      s.role !== 'not-selected' &&
      (ids === undefined || ids.includes(s.id)),
  );
  if (asking.length === 0) return undefined;
  const out: Record<string, string> = {};
  if (fromStdin) {
    const line = ctx.io.stdinLine ? await ctx.io.stdinLine() : '';
    if (!line) throw new CliCallError('BAD_PARAMS', '--sudo-password-stdin: stdin held no password line.');
    for (const s of asking) out[s.id] = line;
    return out;
  }
  if (!ctx.io.secret) return undefined;
  for (const s of asking) out[s.id] = await ctx.io.secret(`sudo password for ${s.name}: `);
  return out;
}

async function planFor(
  ctx: CliContext,
  v: { set?: string; from?: string; to?: string; 'sudo-password-stdin'?: boolean },
  /** The plan is applied at once (`sync --yes`). */
  applyNext = false,
): Promise<Output<'sync.plan'>> {
  if (!v.set) throw new CliCallError('BAD_PARAMS', '--set is required.');
  const set = await setByName(ctx, v.set);
  const source = v.from ? (await serverByName(ctx, v.from)).id : undefined;
  const destinations = v.to
    ? await Promise.all(v.to.split(',').map(async (n) => (await serverByName(ctx, n.trim())).id))
    : undefined;
  const ids = source && destinations ? [source, ...destinations] : undefined;
  const sudoPasswords = await sudoPasswordsFor(ctx, v['sudo-password-stdin'], ids);
  return ctx.call('sync.plan', {
    setId: set.id,
    ...(source ? { sourceServerId: source } : {}),
    ...(destinations ? { destinationServerIds: destinations } : {}),
    ...(sudoPasswords ? { sudoPasswords } : {}),
    ...(applyNext ? { applyNext } : {}),
  });
}

async function nameOf(ctx: CliContext): Promise<(id: string) => string> {
  const { committed } = await ctx.call('servers.list', {});
  return (id) => committed.find((s) => s.id === id)?.name ?? id;
}

function planRows(plan: Output<'sync.plan'>, name: (id: string) => string): string[][] {
  return plan.targets.map((t) => {
    const c = t.summary?.counts;
    return [
      name(t.serverId),
      t.item,
      t.ok ? `${c?.create ?? 0}` : '-',
      t.ok ? `${c?.update ?? 0}` : '-',
      t.ok ? `${c?.delete ?? 0}` : '-',
      t.ok ? `${c?.['skip-newer-on-destination'] ?? 0}` : '-',
      t.ok ? bytes(t.summary?.bytesToCopy ?? 0) : '-',
      t.ok
        ? t.guards.length
          ? `REFUSED unless confirmed: ${t.guards.map((g) => g.message).join('; ')}`
          : changes(t)
            ? 'differs'
            : 'in sync'
        : `${t.status === 'sudo-refused' ? 'sudo refused: ' : ''}${t.code}: ${t.message}`,
    ];
  });
}

function changes(t: Output<'sync.plan'>['targets'][number]): number {
  const c = t.summary?.counts;
  return c ? c.create + c.update + c.delete : 0;
}

const planCmd: CliCommand = {
  name: 'plan',
  summary: 'show what a sync would change (exit 10 when something differs)',
  handOver: true,
  help: `Options:
  --set NAME        the sync set (required)
  --from SERVER     the source (the primary by default)
  --to A,B          destinations (every secondary by default)
  --json            print the plan summary as JSON
${SUDO_HELP}
${exitLine([
  ['ok', 'in sync'],
  ['drift', 'something differs'],
  ['unreachable', 'a destination unreachable or its login refused'],
  ['interrupted', 'a destination holds an interrupted run'],
  ['locked', 'a destination is locked by another run'],
])}`,
  async run(args, ctx) {
    const { values: v } = parseArgs({ args, options: participantOptions, strict: true });
    const plan = await planFor(ctx, v);
    if (v.json) ctx.io.out(JSON.stringify(plan, null, 2));
    else
      ctx.io.out(
        table(
          ['DESTINATION', 'ITEM', 'CREATE', 'UPDATE', 'DELETE', 'SKIP', 'TO COPY', 'STATE'],
          planRows(plan, await nameOf(ctx)),
        ),
      );
    const failed = plan.targets.find((t) => !t.ok);
    if (failed) return failed.code ? exitCodeOf(failed.code) : exitCodes.unreachable;
    return plan.targets.some((t) => changes(t) > 0) ? exitCodes.drift : exitCodes.ok;
  },
};

const syncCmd: CliCommand = {
  name: 'sync',
  summary: 'synchronize a set from the source to its destinations (needs --yes)',
  handOver: true,
  help: `Options:
  --set NAME            the sync set (required)
  --from SERVER         the source (the primary by default)
  --to A,B              destinations (every secondary by default)
  --yes                 apply without asking (required when not on a terminal)
  --confirm-guards      also apply plans a guard refused (mass deletion, empty source)
  --break-lock          break a destination lock whose run is gone (its process ended, its heartbeat stopped)
  --json                print the run record as JSON
${SUDO_HELP}
${exitLine([
  ['ok', 'applied everywhere'],
  ['usage', 'no --yes and no terminal'],
  ['partial', 'partial'],
  ['refused', 'refused by a guard or not confirmed'],
  ['unreachable', 'a destination unreachable'],
  ['error', 'sudo refused on a destination (a wrong password, no sudo right; 2 when none was given)'],
  ['interrupted', 'a destination holds an interrupted run, or the link went mid-swap (run recover)'],
  ['locked', 'a destination is locked by another run'],
  ['badEntry', 'a run completed but left entries on a destination it cannot carry, each listed'],
])}`,
  async run(args, ctx) {
    const { values: v } = parseArgs({
      args,
      options: {
        ...participantOptions,
        yes: { type: 'boolean', default: false },
        'confirm-guards': { type: 'boolean', default: false },
        'break-lock': { type: 'boolean', default: false },
      },
      strict: true,
    });
    const plan = await planFor(ctx, v, v.yes);
    const name = await nameOf(ctx);
    if (!v.json)
      ctx.io.out(
        table(
          ['DESTINATION', 'ITEM', 'CREATE', 'UPDATE', 'DELETE', 'SKIP', 'TO COPY', 'STATE'],
          planRows(plan, name),
        ),
      );
    if (!v.yes) {
      const ok = ctx.io.confirm ? await ctx.io.confirm('Apply these changes?') : false;
      if (!ok) {
        ctx.io.err(
          ctx.io.confirm
            ? 'Nothing was changed.'
            : 'Nothing was changed: add --yes to apply without a terminal.',
        );
        return ctx.io.confirm ? exitCodes.refused : exitCodes.usage;
      }
    }
    const confirm = v['confirm-guards']
      ? [...new Set(plan.targets.flatMap((t) => t.guards.map((g) => g.code)))]
      : [];
    const { runId } = await ctx.call('sync.apply', {
      planId: plan.planId,
      confirm,
      ...(v['break-lock'] ? { breakLock: true } : {}),
    });
    const record = await ctx.call('sync.wait', { runId });
    if (v.json) ctx.io.out(JSON.stringify(record, null, 2));
    else
      ctx.io.out(
        table(
          ['DESTINATION', 'STATUS', 'WRITTEN', 'DELETED', 'BYTES', 'SECONDS', 'MESSAGE'],
          record.reports.map((r) => [
            name(r.targetId.replace(/#\d+$/, '')),
            r.status,
            `${r.filesWritten}${r.timesSet ? ` (+${r.timesSet} time only)` : ''}`,
            `${r.filesDeleted}`,
            bytes(r.bytesWritten),
            (r.durationMs / 1000).toFixed(1),
            r.message ?? '',
          ]),
        ) + `\nrun ${runId}`,
      );
    const statuses = record.reports.map((r) => r.status);
    // A destination left interrupted or locked by another run has its own code; then one whose run
    // completed but left entries there it could not carry (BAD_ENTRY, listed in its warnings).
    const own: ReadonlyArray<number> = [exitCodes.interrupted, exitCodes.locked];
    const held = record.reports.find(
      (r) => r.status !== 'completed' && r.code && own.includes(exitCodeOf(r.code)),
    );
    if (held?.code) return exitCodeOf(held.code);
    const bad = record.reports.filter((r) => r.code && exitCodeOf(r.code) === exitCodes.badEntry);
    if (!v.json)
      for (const r of bad)
        for (const w of (r.warnings ?? []).filter((x) => x.path !== ''))
          ctx.io.err(`  ${name(r.targetId.replace(/#\d+$/, ''))}: ${w.path}: ${w.message}`);
    if (bad.length > 0) return exitCodes.badEntry;
    if (statuses.includes('refused')) return exitCodes.refused;
    if (statuses.includes('unreachable')) return exitCodes.unreachable;
    // sudo said no on a destination: the exit of its code (no password given: usage; else error).
    const sudo = record.reports.find((r) => r.status === 'sudo-refused' && r.code);
    if (sudo?.code) return exitCodeOf(sudo.code);
    if (statuses.some((s) => s !== 'completed')) return exitCodes.partial;
    return exitCodes.ok;
  },
};

const runs = listCommand({
  name: 'runs',
  summary: 'list past synchronization runs',
  fetch: async (ctx) => (await ctx.call('sync.runs', {})).runs,
  text: (list) =>
    table(
      ['RUN', 'SET', 'STARTED', 'RESULTS'],
      list.map((r) => [r.runId, r.setName, r.startedAt, r.reports.map((x) => x.status).join(', ')]),
    ),
});

const restore: CliCommand = {
  name: 'restore',
  summary: 'put a destination back as it was before a run, from its backup',
  help: `Usage: configsync restore --run RUN_ID --server NAME --set NAME [--yes] [--overwrite] [--sudo-password-stdin]
A path changed on the destination since the run is left as it is and listed; --overwrite puts it back
too (it is backed up first). The restore is a run of its own: restore its run id to undo it.
${SUDO_HELP}`,
  async run(args, ctx) {
    const { values: v } = parseArgs({
      args,
      options: {
        run: { type: 'string' },
        server: { type: 'string' },
        set: { type: 'string' },
        yes: { type: 'boolean', default: false },
        overwrite: { type: 'boolean', default: false },
        ...sudoOption,
      },
      strict: true,
    });
    if (!v.run || !v.server || !v.set)
      throw new CliCallError('BAD_PARAMS', '--run, --server and --set are required.');
    const server = await serverByName(ctx, v.server);
    const set = await setByName(ctx, v.set);
    if (
      !v.yes &&
      !(ctx.io.confirm && (await ctx.io.confirm(`Restore ${server.name} to before run ${v.run}?`)))
    ) {
      ctx.io.err(
        ctx.io.confirm
          ? 'Nothing was changed.'
          : 'Nothing was changed: add --yes to restore without a terminal.',
      );
      return ctx.io.confirm ? exitCodes.refused : exitCodes.usage;
    }
    const sudoPasswords = await sudoPasswordsFor(ctx, v['sudo-password-stdin'], [server.id]);
    const r = await ctx.call('sync.restore', {
      serverId: server.id,
      setName: set.name,
      runId: v.run,
      ...(v.overwrite ? { overwrite: true } : {}),
      ...(sudoPasswords ? { sudoPasswords } : {}),
    });
    ctx.io.out(
      `Restored ${r.restored} file(s), removed ${r.removed} the run had created, on ${server.name}${r.runId ? ` (restore run ${r.runId})` : ''}.`,
    );
    for (const e of [...r.errors, ...(r.left ?? [])]) ctx.io.err(`  ${e.path}: ${e.message}`);
    return r.errors.length || r.left?.length ? exitCodes.partial : exitCodes.ok;
  },
};

const recoverCmd: CliCommand = {
  name: 'recover',
  summary: 'end interrupted runs on a destination from their journals',
  help: `Usage: configsync recover --server NAME [--rollback] [--break-lock] [--overwrite] [--sudo-password-stdin]
A run that was killed or lost its link leaves whole files only, but part old and part new; such a
destination is not planned until recovered. By default the rest of the staged files are put in place;
--rollback restores the run's backup instead. A path changed since the run is left as it is and
listed; --overwrite replaces it too (backed up first). The lock a killed run left is broken only
with --break-lock; a run still going is never recovered.
${SUDO_HELP}`,
  async run(args, ctx) {
    const { values: v } = parseArgs({
      args,
      options: {
        server: { type: 'string' },
        rollback: { type: 'boolean', default: false },
        'break-lock': { type: 'boolean', default: false },
        overwrite: { type: 'boolean', default: false },
        ...sudoOption,
      },
      strict: true,
    });
    if (!v.server) throw new CliCallError('BAD_PARAMS', '--server is required.');
    const server = await serverByName(ctx, v.server);
    const sudoPasswords = await sudoPasswordsFor(ctx, v['sudo-password-stdin'], [server.id]);
    const { recovered } = await ctx.call('sync.recover', {
      serverId: server.id,
      mode: v.rollback ? 'rollback' : 'complete',
      breakLock: v['break-lock'],
      overwrite: v.overwrite,
      ...(sudoPasswords ? { sudoPasswords } : {}),
    });
    if (recovered.length === 0) ctx.io.out(`${server.name} has no interrupted run.`);
    for (const r of recovered) {
      ctx.io.out(
        `${server.name}: run ${r.runId} ${r.outcome}${r.recoveryRunId ? ` (recovery run ${r.recoveryRunId}: ${r.written ?? 0} ${r.outcome === 'rolled-back' ? 'put back' : 'put in place'}, ${r.removed ?? 0} removed)` : ''}.`,
      );
      for (const e of [...r.errors, ...(r.left ?? [])]) ctx.io.err(`  ${e.path}: ${e.message}`);
    }
    return recovered.some((r) => r.errors.length > 0 || (r.left?.length ?? 0) > 0)
      ? exitCodes.partial
      : exitCodes.ok;
  },
};

export const syncCommands: ReadonlyArray<CliCommand> = [
  setAdd,
  setList,
  planCmd,
  syncCmd,
  runs,
  restore,
  recoverCmd,
];
