import { mkdirSync } from 'node:fs';
import { createRouter, type Handlers, type Router } from './rpc/router.js';
import { EventBus } from './rpc/event-bus.js';
import { appHandlers } from './services/app-service.js';
import { openSettingsStore } from './store/settings-store.js';
import { ServerService } from './services/server-service.js';
import { serverHandlers } from './services/server-handlers.js';
import { AppKeyStore } from './secrets/app-key-store.js';
import type { SecretBox } from './secrets/secret-box.js';
import { appVersion } from './version.js';
import { SyncService } from './services/sync-service.js';
import { SyncSetService } from './services/sync-set-service.js';
import { syncHandlers } from './services/sync-handlers.js';
import { endpointConnector, logsDirOf, pathResolver, stateDirOf } from './services/sync-wiring.js';

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
};

export type ComposedApp = {
  readonly router: Router;
  readonly events: EventBus;
  readonly dataDir: string;
  dispose(): Promise<void>;
};

/** The one composition root: every shell (Electron, browser, CLI) builds the services here. */
export function compose(options: ComposeOptions): ComposedApp {
  const log = options.log ?? ((msg, err) => console.error(`[configsync] ${msg}`, err ?? ''));
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const settings = openSettingsStore(options.dataDir);
  const events = new EventBus();
  const servers = new ServerService(settings);
  const keys = new AppKeyStore(options.dataDir, options.secretBox);
  const connect = endpointConnector({ service: servers, keys, fastPath: options.fastPath ?? true });
  const resolvePath = pathResolver(servers);
  const sync = new SyncService({
    connect,
    resolvePath,
    logsDir: logsDirOf(options.dataDir),
    stateDir: stateDirOf,
    onProgress: (p) => events.emit('sync.progress', p),
    onFinished: (r) => events.emit('sync.finished', r),
  });
  const sets = new SyncSetService(settings);
  const handlers: Handlers = {
    ...appHandlers({ version: appVersion(), shell: options.shell, dataDir: options.dataDir, storePath: settings.path }),
    ...serverHandlers({ service: servers, keys }),
    ...syncHandlers({ sets, sync, servers, connect, resolvePath }),
  };
  return {
    router: createRouter(handlers, log),
    events,
    dataDir: options.dataDir,
    async dispose() {
      sync.dispose();
    },
  };
}
