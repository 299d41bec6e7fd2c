import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { createRouter, type Handlers, type Router } from './rpc/router.js';
import { EventBus } from './rpc/event-bus.js';
import { appHandlers } from './services/app/app-handlers.js';
import { fileHandlers, type FileDialogs } from './services/files/file-handlers.js';
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
import {
  endpointConnector,
  pathResolver,
  poolKeyOf,
  type EndpointDeps,
} from './services/servers/server-endpoint.js';
import { ConnectionPool } from './transport/connection-pool.js';
import { HandoverServer } from './handover/handover-server.js';
import { CONNECTIONS_KEY, connectionSettingsFrom } from './transport/connection-settings.js';
import { legacyStateDirOf, logsDirOf } from './services/sync/run-paths.js';
import { HistoryStore } from './services/history/history-store.js';
import { historyHandlers } from './services/history/history-handlers.js';
import { NotifyConfig } from './services/notify/notify-config.js';
import { notifyHandlers } from './services/notify/notify-handlers.js';
import { eventBusNotifier, type Notifier } from './services/notify/notify-notifier.js';
import { StatusService } from './services/status/status-service.js';
import { StatusStateStore } from './services/status/status-state.js';
import { statusHandlers } from './services/status/status-handlers.js';
import { SudoPasswords } from './transport/sudo-passwords.js';
import { Automation, type AutomationOptions } from './scheduler/automation.js';
import { automationHandlers } from './scheduler/automation-handlers.js';
import { logError, openAppLog, type AppLog } from './log/app-log.js';
import { Housekeeping } from './log/housekeeping.js';
import { RETENTION_KEY, retentionFrom } from './log/retention.js';
import { logRunFinished } from './log/run-lines.js';
import { SchedulerPresence } from './scheduler/scheduler-presence.js';
import { serviceHandlers } from './service-install/service-handlers.js';
import { selfCommand } from './service-install/self-command.js';

export type Shell = 'electron' | 'browser' | 'cli';

export type ComposeOptions = {
  /** The app's data folder: store, keys, history, logs. */
  readonly dataDir: string;
  readonly shell: Shell;
  /** Also told every diagnostic written to the app log (the CLI prints them on stderr). */
  readonly log?: (msg: string, err?: unknown) => void;
  /** The app log (`<data>/logs/app.log`); opened here when not given, and then closed by dispose(). */
  readonly appLog?: AppLog;
  /** Bulk fast paths over SSH (default on); off forces per-file SFTP (tests, odd hosts). */
  readonly fastPath?: boolean;
  /**
   * Where each server keeps ConfigSync's journals, locks and backups (default `~/.configsync` of the
   * login there). Tests whose servers share one login give each app a folder of its own, so that one
   * app's recovery never takes another's interrupted runs.
   */
  readonly stateDirOf?: (serverId: string) => string | undefined;
  /** Seals the app's private key at rest (the Electron shell passes a safeStorage box); default file-mode. */
  readonly secretBox?: SecretBox;
  /**
   * Start schedules and automatic triggers at once. Default: yes in the long-running shells (electron,
   * browser), no in the one-shot CLI (its `configsync scheduler` starts them through `scheduler.start`).
   */
  readonly background?: boolean;
  /** Clock, debounce, poll period, push watch, retry policy of the background side (tests). */
  readonly automation?: AutomationOptions;
  /** The scheduler lease's stale time and retry period (tests; default 30 s and 10 s). */
  readonly schedulerLease?: { readonly staleMs?: number; readonly retryMs?: number };
  /**
   * How to run this program's CLI, for the scheduler service it installs: the installed app's binary
   * (the Electron shell passes it), else node and the bundled CLI (see selfCommand).
   */
  readonly selfCommand?: ReadonlyArray<string>;
  /** Desktop notifications; default: 'app.notice' events to the renderer (the Electron shell may pass its own). */
  readonly notifier?: Notifier;
  /** Native save and open dialogs (the Electron shell); without them `files.*` leave it to the page. */
  readonly fileDialogs?: FileDialogs;
};

export type ComposedApp = {
  readonly router: Router;
  readonly events: EventBus;
  readonly dataDir: string;
  /** Schedules, triggers and the follow-up of every run (history, status, notifications). */
  readonly automation: Automation;
  /** `<data>/logs/app.log`: diagnostics and one line per destination of every run. */
  readonly appLog: AppLog;
  /** The SSH connections kept between runs. */
  readonly pool: ConnectionPool;
  dispose(): Promise<void>;
};

/** The one composition root: every shell (Electron, browser, CLI) builds the services here. */
export function compose(options: ComposeOptions): ComposedApp {
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const appLog = options.appLog ?? openAppLog(options.dataDir, { shell: options.shell });
  const log = (msg: string, err?: unknown) => {
    logError(appLog.logger, msg, err);
    options.log?.(msg, err);
  };
  const settings = openSettingsStore(options.dataDir);
  const events = new EventBus();
  const servers = new ServerService(settings);
  // One box for every shell of the store: the OS keychain only where the CLI and the scheduler reach it
  // too, else 0600 files; a box set aside here still opens what an earlier version sealed with it.
  const box = sharedBox(options.secretBox ?? fileModeBox, fileModeBox);
  const legacyBox = options.secretBox && options.secretBox.kind !== box.kind ? options.secretBox : null;
  const keys = new AppKeyStore(options.dataDir, box, legacyBox);
  // Sudo passwords live here only while a call connects (see syncHandlers), never in a store or a log.
  const sudoPasswords = new SudoPasswords();
  // Each server's connection is kept between runs (idle time, keepalive: the store's `connections`);
  // in a process that serves runs one after another (see serveCli), with its command session running.
  let servesRuns = false;
  const connectionSettings = () => connectionSettingsFrom(settings.get(CONNECTIONS_KEY));
  const endpointDeps: EndpointDeps = {
    service: servers,
    keys,
    fastPath: options.fastPath ?? true,
    sudoPasswords,
    keepaliveMs: () => connectionSettings().keepaliveSeconds * 1000,
  };
  const pool = new ConnectionPool({
    keyOf: (id) => poolKeyOf(endpointDeps, id),
    settings: () => {
      const c = connectionSettings();
      return { idleMs: c.keepIdleSeconds * 1000, openAhead: c.openAhead, keepCommandSession: servesRuns };
    },
  });
  const connect = endpointConnector({ ...endpointDeps, pool });
  const resolvePath = pathResolver(servers);
  const logsDir = logsDirOf(options.dataDir);
  const trigger = options.shell === 'cli' ? 'cli' : 'manual';
  const sync = new SyncService({
    connect,
    resolvePath,
    logsDir,
    legacyStateDir: legacyStateDirOf,
    ...(options.stateDirOf ? { stateDir: options.stateDirOf } : {}),
    storeName: `${hostname()}:${options.dataDir}`,
    onProgress: (p) => events.emit('sync.progress', p),
    onFinished: (r) => events.emit('sync.finished', r),
  });
  const sets = new SyncSetService(settings);
  const history = HistoryStore.inDataDir(options.dataDir);
  const housekeeping = new Housekeeping({
    logsDir,
    history,
    retention: () => retentionFrom(settings.get(RETENTION_KEY)),
    activeRuns: () => sync.activeRunIds(),
    logger: appLog.logger,
  });
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
    log: (msg) => {
      appLog.logger.info(msg);
      options.log?.(msg);
    },
    presence: new SchedulerPresence(
      options.dataDir,
      options.shell === 'electron' ? 'app' : options.shell === 'browser' ? 'browser' : 'scheduler',
      options.schedulerLease,
    ),
    ...(options.automation ? { options: options.automation } : {}),
  });
  // The follow-up of every run (history, status, notifications) hears of it as an event.
  sync.onRunFinished((r) => automation.onRunFinished(r));
  sync.onRunFinished((r) => {
    logRunFinished(appLog.logger, r, (id) => servers.committed().find((s) => s.id === id)?.name);
    housekeeping.afterRun();
  });
  // The store's CLI hands its commands to this process (when it runs for long) over a local socket,
  // through the same router as the other shells. That router is built below from handlers that include
  // scheduler.start, which starts this server: the one cycle of the root, bound by this closure.
  const handover = new HandoverServer({
    dataDir: options.dataDir,
    version: appVersion(),
    shell: options.shell,
    router: { handle: (raw, ctx) => router.handle(raw, ctx) },
    log: (msg) => appLog.logger.info(msg),
    onClientGone: ({ planIds, runIds }) => {
      for (const id of planIds) sync.discardPlan(id);
      for (const runId of runIds) sync.cancel({ runId });
    },
  });
  const serveCli = () => {
    servesRuns = true;
    return handover.start().catch((err: unknown) => log('serving the CLI over the local socket failed', err));
  };
  // A process that runs the schedules runs for long: the store's CLI may hand its commands to it.
  const automationMethods = automationHandlers({ automation, sets, status, beforeSchedulerStart: serveCli });
  const syncMethods = syncHandlers({
    sets,
    sync,
    servers,
    connect,
    resolvePath,
    runs: automation.runner,
    trigger,
    sudoPasswords,
    restoreFinished: (input) => automation.restoreFinished(input),
    recoverFinished: (input) => automation.recoverFinished(input),
  });
  const handlers: Handlers = {
    ...appHandlers({
      version: appVersion(),
      shell: options.shell,
      dataDir: options.dataDir,
      storePath: settings.path,
    }),
    ...fileHandlers(options.fileDialogs ?? null),
    ...serverHandlers({
      service: servers,
      keys,
      // A commit may change names and roles (the status tab shows them) or, after an import, every
      // schedule and trigger: both are read again at once.
      onCommitted: async (imported) => {
        pool.sweep();
        if (imported) await automation.storeReplaced();
        else await automation.reconfigure();
        status.changed('servers');
      },
    }),
    ...syncMethods,
    ...historyHandlers(history),
    ...statusHandlers({
      status,
      servers,
      rolesChanged: () => automation.reconfigure(),
      background: () => automation.backgroundNow(),
    }),
    ...automationMethods,
    ...notifyHandlers(notify),
    ...serviceHandlers({
      installer: async () =>
        new (await import('./service-install/service-installer.js')).ServiceInstaller({
          storeDir: options.dataDir,
          self: options.selfCommand ?? selfCommand(),
        }),
      runner: async () => (await automation.backgroundNow()).runner,
    }),
  };
  const router = createRouter(handlers, log);
  const background = options.background ?? options.shell !== 'cli';
  if (background) {
    void automation.start().catch((err: unknown) => log('starting schedules and triggers failed', err));
    void serveCli();
  }
  return {
    router,
    events,
    dataDir: options.dataDir,
    automation,
    appLog,
    pool,
    async dispose() {
      await handover.stop();
      await automation.stop();
      sync.dispose();
      pool.closeAll();
      await housekeeping.idle();
      if (!options.appLog) await appLog.close();
    },
  };
}
