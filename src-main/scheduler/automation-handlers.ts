import type { Handlers } from '../rpc/router.js';
import type { SyncSetService } from '../services/sync/sync-set-service.js';
import type { StatusService } from '../services/status/status-service.js';
import type { Automation } from './automation.js';
import { scheduleHandlers } from './schedule-handlers.js';

type AutomationMethod =
  | 'schedules.list'
  | 'schedules.save'
  | 'schedules.remove'
  | 'schedules.preview'
  | 'autoSync.list'
  | 'autoSync.set'
  | 'scheduler.start';

export type AutomationHandlerDeps = {
  readonly automation: Automation;
  readonly sets: SyncSetService;
  readonly status: Pick<StatusService, 'changed'>;
  /** What a process that starts running the schedules does first (it runs for long: it serves the store's CLI). */
  readonly beforeSchedulerStart?: () => Promise<void>;
};

/** `schedules.*`, `autoSync.*` and `scheduler.start`: the background side's settings and its start. */
export function automationHandlers(deps: AutomationHandlerDeps): Pick<Handlers, AutomationMethod> {
  const { automation, sets, status } = deps;
  const schedules = scheduleHandlers({
    storage: automation.storage,
    scheduler: automation.scheduler,
    clock: automation.clock,
    timeZone: () => automation.timeZone,
    checkOperation: (entry) => {
      if (entry.operation.kind === 'sync-set') sets.get(entry.operation.setId);
    },
  });
  return {
    ...schedules,
    'schedules.save': async (entry) => {
      const view = await schedules['schedules.save'](entry);
      status.changed('schedules');
      return view;
    },
    'autoSync.list': async () => {
      const all = automation.autoSync.all();
      return {
        running: automation.isRunning,
        sets: sets.list().map((s) => ({ setId: s.id, setName: s.name, trigger: all[s.id] ?? 'off' })),
      };
    },
    'autoSync.set': async ({ setId, trigger }) => {
      sets.get(setId);
      automation.autoSync.set(setId, trigger);
      await automation.reconfigure();
      status.changed('auto-sync');
      return { setId, trigger };
    },
    'scheduler.start': async ({ service }) => {
      await deps.beforeSchedulerStart?.();
      await automation.start(service ? 'service' : 'scheduler');
      const b = automation.background();
      return {
        running: b.running,
        scheduleEntries: b.scheduleEntries,
        autoSyncSets: b.autoSyncSets,
        runner: b.runner,
      };
    },
  };
}
