import type { Handlers } from '../../rpc/router.js';
import type { ParsedInput } from '../../../src-shared/contract/api.js';
import type { RunTrigger } from '../../../src-shared/model/history.js';
import { scan, resolveRoot } from '../../engine/scan.js';
import { compileFilter } from '../../engine/filters.js';
import { syncSet } from '../../../src-shared/contract/schemas/sync.js';
import { FILE_DIFF_LIMIT } from '../../../src-shared/contract/methods/sync.js';
import { AppError } from '../../errors/app-error.js';
import type { SyncService } from './sync-service.js';
import type { SyncSetService } from './sync-set-service.js';
import type { ServerService } from '../servers/server-service.js';
import type { Endpoint } from '../../transport/endpoint.js';
import type { SudoPasswords } from '../../transport/sudo-passwords.js';
import { pickParticipants } from './participants.js';
import { PlanPlacesMemo, readSide } from './sync-file-diff.js';
import type { RestoreDone, RestoreOutcome } from '../history/restore-record.js';
import type { RecoverDone } from '../history/recover-record.js';

export type SyncHandlerDeps = {
  readonly sets: SyncSetService;
  readonly sync: SyncService;
  readonly servers: ServerService;
  readonly connect: (serverId: string) => Promise<Endpoint>;
  readonly resolvePath: (serverId: string, path: string) => string;
  /** Where a call's sudo passwords are held while it connects (the connector reads them). */
  readonly sudoPasswords?: SudoPasswords;
  /**
   * Every plan is remembered with its set, so its apply goes through the set's run gate (shared with
   * schedules and triggers) and the history can say which set and who started it.
   */
  readonly runs: {
    rememberPlan(planId: string, setId: string): void;
    applyPlan(input: ParsedInput<'sync.apply'>, trigger: RunTrigger): Promise<{ runId: string }>;
  };
  /** Who starts a run through `sync.apply`: 'cli' in the CLI, 'manual' in the shells. */
  readonly trigger: RunTrigger;
  /** What follows a restore, whether it succeeded or failed: its history line and the status tab. */
  readonly restoreFinished?: (input: RestoreDone) => Promise<void>;
  /** What follows a recover: a history line for each run it ended (see recoverRecord), the status tab. */
  readonly recoverFinished?: (input: RecoverDone) => Promise<void>;
};

type SyncMethod =
  | 'sets.list'
  | 'sets.save'
  | 'sets.remove'
  | 'sets.preview'
  | 'sync.plan'
  | 'sync.cancelPlan'
  | 'sync.entries'
  | 'sync.tickedSummary'
  | 'sync.fileDiff'
  | 'sync.apply'
  | 'sync.cancel'
  | 'sync.wait'
  | 'sync.restore'
  | 'sync.runs'
  | 'sync.recover';

/** Handlers for `sets.*` and `sync.*`: sets from the store, participants from the server list's roles. */
export function syncHandlers(deps: SyncHandlerDeps): Pick<Handlers, SyncMethod> {
  /**
   * Runs `work` with this call's sudo passwords held for its connections, and forgets them after:
   * a connection keeps its own in memory until it is closed, nothing else does.
   */
  const withSudo = async <T>(
    passwords: Readonly<Record<string, string>> | undefined,
    work: () => Promise<T>,
  ) => {
    const ids = Object.keys(passwords ?? {});
    for (const id of ids) deps.sudoPasswords?.set(id, (passwords as Record<string, string>)[id] as string);
    try {
      return await work();
    } finally {
      for (const id of ids) deps.sudoPasswords?.clear(id);
    }
  };
  const places = new PlanPlacesMemo();
  /** Plans being computed, by the caller's planRequestId; and cancels that came before their plan. */
  const planning = new Map<string, AbortController>();
  const cancelledEarly = new Set<string>();
  /** True when the plan still lists `path` for that target: only such paths may be read for a diff. */
  const planLists = (planId: string, targetId: string, path: string): boolean => {
    for (let offset = 0; ; offset += 1000) {
      const page = deps.sync.entries({ planId, targetId, offset, limit: 1000, search: path });
      if (page.entries.some((e) => e.path === path)) return true;
      if (offset + 1000 >= page.total) return false;
    }
  };
  return {
    'sets.list': () => ({ sets: deps.sets.list() }),
    'sets.save': ({ set }) => ({ set: deps.sets.save(set) }),
    'sets.remove': ({ id }) => ({ removed: deps.sets.remove(id) }),
    'sets.preview': async ({ set: draft, serverId, limit }) => {
      const set = syncSet.parse({ ...draft, id: draft.id ?? 'preview' });
      const servers = deps.servers.committed();
      const id = serverId ?? servers.find((s) => s.role === 'primary')?.id ?? 'local';
      const endpoint = await deps.connect(id);
      try {
        const items = [];
        for (const item of set.items) {
          const root = await resolveRoot(endpoint, deps.resolvePath(id, item.path));
          const all = await scan(endpoint, root, {});
          const keep = compileFilter({ include: set.include, exclude: set.exclude });
          const included: string[] = [];
          const excluded: string[] = [];
          for (const e of all.entries)
            if (e.type !== 'dir') (keep(e.path, false) ? included : excluded).push(e.path);
          items.push({
            path: item.path,
            resolvedRoot: root,
            exists: all.exists,
            included: included.slice(0, limit),
            excluded: excluded.slice(0, limit),
            includedTotal: included.length,
            excludedTotal: excluded.length,
          });
        }
        return { serverId: id, items };
      } finally {
        endpoint.close();
      }
    },
    'sync.plan': async ({
      setId,
      sourceServerId,
      destinationServerIds,
      mode,
      compare,
      planRequestId,
      sudoPasswords,
      applyNext,
    }) => {
      const stored = deps.sets.get(setId);
      const set = { ...stored, mode: mode ?? stored.mode, compare: compare ?? stored.compare };
      const who = pickParticipants(deps.servers.committed(), sourceServerId, destinationServerIds);
      const controller = new AbortController();
      if (planRequestId) {
        planning.set(planRequestId, controller);
        if (cancelledEarly.delete(planRequestId)) controller.abort();
      }
      let planned;
      try {
        planned = await withSudo(sudoPasswords, () =>
          deps.sync.plan({ set, ...who, ...(applyNext ? { applyNext } : {}) }, { signal: controller.signal }),
        );
      } finally {
        if (planRequestId && planning.get(planRequestId) === controller) planning.delete(planRequestId);
      }
      places.remember(planned.planId, {
        sourceServerId: who.sourceServerId,
        targets: new Map(planned.targets.map((t) => [t.targetId, { serverId: t.serverId, item: t.item }])),
      });
      const backupFolders = deps.sync.backupFolders(planned.planId);
      deps.runs.rememberPlan(planned.planId, setId);
      return { ...planned, setId, sourceServerId: who.sourceServerId, backupFolders };
    },
    'sync.cancelPlan': ({ planRequestId }) => {
      const controller = planning.get(planRequestId);
      if (controller) {
        controller.abort();
        return { cancelled: true };
      }
      cancelledEarly.add(planRequestId);
      while (cancelledEarly.size > 100) cancelledEarly.delete(cancelledEarly.values().next().value as string);
      return { cancelled: false };
    },
    'sync.entries': (input) => deps.sync.entries(input),
    'sync.tickedSummary': (input) => deps.sync.tickedSummary(input),
    'sync.fileDiff': async ({ planId, targetId, path }) => {
      const where = places.get(planId);
      const target = where?.targets.get(targetId);
      if (!where || !target || !planLists(planId, targetId, path))
        throw new AppError('NOT_IN_PLAN', `"${path}" is not part of that plan, so it is not shown.`);
      const side = async (serverId: string) => {
        const endpoint = await deps.connect(serverId);
        try {
          return await readSide(endpoint, deps.resolvePath(serverId, target.item), path, FILE_DIFF_LIMIT);
        } finally {
          endpoint.close();
        }
      };
      const [source, destination] = await Promise.all([side(where.sourceServerId), side(target.serverId)]);
      return { path, source, destination };
    },
    // A run the CLI handed to this process (over its local socket) is still the CLI's.
    'sync.apply': (input, ctx) => deps.runs.applyPlan(input, ctx.transport === 'cli' ? 'cli' : deps.trigger),
    'sync.cancel': (input) => deps.sync.cancel(input),
    'sync.wait': ({ runId }) => deps.sync.wait(runId),
    // A restore is a run of its own: in History, on the status tab, and its run "restored at …".
    'sync.restore': async ({ sudoPasswords, ...input }) => {
      const startedAt = Date.now();
      const followUp = (outcome: RestoreOutcome) =>
        deps.restoreFinished?.({
          serverId: input.serverId,
          setName: input.setName,
          runId: input.runId,
          trigger: deps.trigger,
          startedAt,
          outcome,
        });
      let r: Awaited<ReturnType<SyncService['restore']>>;
      try {
        r = await withSudo(sudoPasswords, () => deps.sync.restore(input));
      } catch (err) {
        await followUp({ ok: false, message: err instanceof Error ? err.message : String(err) });
        throw err;
      }
      await followUp({
        ok: true,
        restored: r.restored,
        removed: r.removed,
        errors: r.errors.length,
        ...(r.errors[0] ? { firstError: `${r.errors[0].path}: ${r.errors[0].message}` } : {}),
      });
      return { ...r, errors: [...r.errors], left: [...r.left] };
    },
    'sync.runs': async () => ({ runs: await deps.sync.listRuns() }),
    // A recovery is a run of its own too: in History, and the run it ended "recovered at …".
    'sync.recover': async ({ serverId, mode, breakLock, overwrite, sudoPasswords }) => {
      const startedAt = Date.now();
      const recovered = (
        await withSudo(sudoPasswords, () => deps.sync.recover(serverId, mode, breakLock, overwrite))
      ).map(({ backupDir: _where, ...r }) => ({
        ...r,
        errors: [...r.errors],
        left: r.left ? [...r.left] : undefined,
      }));
      await deps.recoverFinished?.({ serverId, trigger: deps.trigger, startedAt, recovered });
      return { recovered };
    },
  };
}
