import { mkdirSync } from 'node:fs';
import { createRouter, type Handlers, type Router } from './rpc/router.js';
import { EventBus } from './rpc/event-bus.js';
import { appHandlers } from './services/app/app-handlers.js';
import { openSettingsStore } from './store/settings-store.js';
import { ServerService } from './services/servers/server-service.js';
import { serverHandlers } from './services/servers/server-handlers.js';
import { AppKeyStore } from './secrets/app-key-store.js';
import { fileModeBox, type SecretBox } from './secrets/secret-box.js';
import { sharedBox } from './secrets/key-protection.js';
import { appVersion } from './version.js';
import { SyncService } from './services/sync/sync-service.js';
import { SyncSetService } from './services/sync/sync-set-service.js';
import { syncHandlers } from './services/sync/sync-handlers.js';
import { endpointConnector, pathResolver } from './services/servers/server-endpoint.js';
import { logsDirOf, stateDirOf } from './services/sync/run-paths.js';
import { HistoryStore } from './services/history/history-store.js';
import { historyHandlers } from './services/history/history-handlers.js';
import { NotifyConfig } from './services/notify/notify-config.js';
import { notifyHandlers } from './services/notify/notify-handlers.js';
import { eventBusNotifier, type Notifier } from './services/notify/notify-notifier.js';
import { StatusService } from './services/status/status-service.js';
import { StatusStateStore } from './services/status/status-state.js';
import { statusHandlers } from './services/status/status-handlers.js';
import { Automation, type AutomationOptions } from './scheduler/automation.js';
import { automationHandlers } from './scheduler/automation-handlers.js';

export type Shell = 'electron' | 'browser' | 'cli';

export type ComposeOptions = {
  /** The app's data folder: store, keys, history, logs. */
  readonly dataDir: string;
  readonly shell: Shell;
  readonly log?: (msg: string, err?: unknown) => void;
  /** Bulk fast paths over SSH (default on); off forces per-file SFTP (tests, odd hosts). */
  readonly fastPath?: boolean;
  /** Seals the app's private key at rest (the Electron shell passes a safeStorage box); default file-mode. */
  readonly secretBox?: SecretBox;
  /**
   * Start schedules and automatic triggers at once. Default: yes in the long-running shells (electron,
   * browser), no in the one-shot CLI (its `configsync scheduler` starts them through `scheduler.start`).
   */
  readonly background?: boolean;
  /** Clock, debounce, poll period, push watch, retry policy of the background side (tests). */
  readonly automation?: AutomationOptions;
  /** Desktop notifications; default: 'app.notice' events to the renderer (the Electron shell may pass its own). */
  readonly notifier?: Notifier;
};

export type ComposedApp = {
  readonly router: Router;
  readonly events: EventBus;
  readonly dataDir: string;
  /** Schedules, triggers and the follow-up of every run (history, status, notifications). */
  readonly automation: Automation;
  dispose(): Promise<void>;
};

/** The one composition root: every shell (Electron, browser, CLI) builds the services here. */
export function compose(options: ComposeOptions): ComposedApp {
  const log = options.log ?? ((msg, err) => console.error(`[configsync] ${msg}`, err ?? ''));
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const settings = openSettingsStore(options.dataDir);
  const events = new EventBus();
  const servers = new ServerService(settings);
  // One box for every shell of the store: the OS keychain only where the CLI and the scheduler reach it
  // too, else 0600 files; a box set aside here still opens what an earlier version sealed with it.
  const box = sharedBox(options.secretBox ?? fileModeBox, fileModeBox);
  const legacyBox = options.secretBox && options.secretBox.kind !== box.kind ? options.secretBox : null;
  const keys = new AppKeyStore(options.dataDir, box, legacyBox);
  const connect = endpointConnector({ service: servers, keys, fastPath: options.fastPath ?? true });
  const resolvePath = pathResolver(servers);
  const logsDir = logsDirOf(options.dataDir);
  const trigger = options.shell === 'cli' ? 'cli' : 'manual';
  const sync = new SyncService({
    connect,
    resolvePath,
    logsDir,
    stateDir: stateDirOf,
    onProgress: (p) => events.emit('sync.progress', p),
    onFinished: (r) => events.emit('sync.finished', r),
  });
  const sets = new SyncSetService(settings);
  const history = HistoryStore.inDataDir(options.dataDir);
  const status = new StatusService({
    servers,
    sets,
    history,
    syncRuns: () => sync.listRuns(),
    state: StatusStateStore.inDataDir(options.dataDir),
    connect,
    resolvePath,
    events,
  });
  const notify = new NotifyConfig(settings, options.dataDir, box, legacyBox);
  const automation = new Automation({
    dataDir: options.dataDir,
    logsDir,
    settings,
    sync,
    sets,
    servers,
    connect,
    resolvePath,
    history,
    status,
    notify,
    notifier: options.notifier ?? eventBusNotifier(events),
    manualTrigger: trigger,
    log: (msg) => log(msg),
    ...(options.automation ? { options: options.automation } : {}),
  });
  // The follow-up of every run (history, status, notifications) hears of it as an event.
  sync.onRunFinished((r) => automation.onRunFinished(r));
  const handlers: Handlers = {
    ...appHandlers({
      version: appVersion(),
      shell: options.shell,
      dataDir: options.dataDir,
      storePath: settings.path,
    }),
    ...serverHandlers({
      service: servers,
      keys,
      // A commit may change names and roles (the status tab shows them) or, after an import, every
      // schedule and trigger: both are read again at once.
      onCommitted: async (imported) => {
        if (imported) await automation.storeReplaced();
        else await automation.reconfigure();
        status.changed('servers');
      },
    }),
    ...syncHandlers({ sets, sync, servers, connect, resolvePath, runs: automation.runner, trigger }),
    ...historyHandlers(history),
    ...statusHandlers({
      status,
      servers,
      rolesChanged: () => automation.reconfigure(),
      background: () => automation.background(),
    }),
    ...automationHandlers({ automation, sets, status }),
    ...notifyHandlers(notify),
  };
  const background = options.background ?? options.shell !== 'cli';
  if (background)
    void automation.start().catch((err: unknown) => log('starting schedules and triggers failed', err));
  return {
    router: createRouter(handlers, log),
    events,
    dataDir: options.dataDir,
    automation,
    async dispose() {
      await automation.stop();
      sync.dispose();
    },
  };
}
