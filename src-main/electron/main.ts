// The Electron shell: one window on the shared composition root, a tray icon, and close-to-tray while
// schedules or automatic synchronization run. Every security and lifecycle decision it wires here is a
// pure function tested under plain Node (window-options, navigation, trusted-sender, csp, close-to-tray,
// tray-menu); a static test checks that this file really uses them.
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { app, BrowserWindow, dialog, safeStorage, session, type WebContents } from 'electron';
import { compose, type ComposedApp } from '../compose.js';
import { cliArgsOfLaunch, runLaunchAsCli } from '../cli/launch-dispatch.js';
import { terminalIo } from '../cli/main.js';
import { eventBusNotifier } from '../services/notify/notify-notifier.js';
import { contentSecurityPolicy, withContentSecurityPolicy } from '../security/csp.js';
import { hiddenToTrayNotice, isBackgroundActive, shouldHideOnClose } from './close-to-tray.js';
import { forwardEvents, serveRpc } from './ipc.js';
import { installMenu } from './menu.js';
import { isAllowedNavigation } from './navigation.js';
import { electronNotifier } from './notifier.js';
import { electronFileDialogs } from './file-dialogs.js';
import { safeStorageBox } from './safe-storage-box.js';
import { installTray } from './tray.js';
import { trayIconPath } from './tray-menu.js';
import { windowOptions } from './window-options.js';

const preloadPath = fileURLToPath(new URL('./preload.cjs', import.meta.url));
const indexPath = join(app.getAppPath(), 'build', 'renderer', 'index.html');
const appUrl = pathToFileURL(indexPath).href;
const devTools = !app.isPackaged;
const iconPath = trayIconPath(app.getAppPath(), process.platform);

let mainWindow: BrowserWindow | undefined;
let composed: ComposedApp | undefined;
/** Set by a real quit (tray Quit, app menu Quit, OS shutdown): the window then closes instead of hiding. */
let quitting = false;
/** The hide-to-tray notice is shown once per start. */
let toldHidden = false;

/**
 * Desktop notices through Electron (a click brings the window back); in-app notices when the desktop
 * has no notification service.
 */
const notifier = electronNotifier({
  iconPath,
  onClick: () => openWindow(),
  fallback: {
    notify: (title, body, level) => {
      if (composed) eventBusNotifier(composed.events).notify(title, body, level);
    },
  },
});

/** How a scheduler service runs this app again: the AppImage file (not its mount), or the binary. */
const selfCommand = app.isPackaged
  ? [process.env.APPIMAGE ?? process.execPath]
  : [process.execPath, app.getAppPath()];

if (cliArgsOfLaunch(process.argv, { packaged: app.isPackaged })) {
  // `configsync sync --set app --yes`: the installed app is its own CLI, with no window.
  runAsCli();
} else {
  app.enableSandbox();
  if (app.requestSingleInstanceLock()) {
    start();
  } else {
    // Another ConfigSync is running: it gets the 'second-instance' event and comes to the front.
    app.quit();
  }
}

/** Runs the command line as the npm CLI would (same dispatch, tested under Node), then exits with its code. */
function runAsCli(): void {
  app.dock?.hide();
  // No window: on Linux, Chromium's headless platform, so a command runs over SSH or from cron with no
  // display (not verifiable without the Electron runtime, which cannot be fetched here).
  if (process.platform === 'linux') app.commandLine.appendSwitch('ozone-platform', 'headless');
  app
    .whenReady()
    .then(() =>
      runLaunchAsCli(process.argv, {
        packaged: app.isPackaged,
        io: terminalIo(),
        selfCommand,
        // After 'ready', as in the window's shell: the app key the app sealed opens here too.
        secretBox: safeStorageBox(safeStorage),
      }),
    )
    .then(
      async (code) => {
        await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
        app.exit(code ?? 0);
      },
      (err: unknown) => {
        process.stderr.write(`configsync: ${err instanceof Error ? err.message : String(err)}\n`);
        app.exit(1);
      },
    );
}

function start(): void {
  app.on('second-instance', () => bringToFront(mainWindow));
  app.on('web-contents-created', (_event, contents) => guardContents(contents));
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => openWindow());
  app.on('before-quit', () => {
    quitting = true;
  });
  app.on('will-quit', () => void composed?.dispose());

  app
    .whenReady()
    .then(() => {
      lockDownSession();
      // After 'ready': before it, safeStorage reports no encryption on Linux and Windows.
      composed = compose({
        dataDir: app.getPath('userData'),
        shell: 'electron',
        secretBox: safeStorageBox(safeStorage),
        notifier,
        background: true,
        selfCommand,
        fileDialogs: electronFileDialogs(() => mainWindow),
      });
      serveRpc(composed, () => mainWindow, appUrl);
      installMenu(composed.events, { devTools });
      const services = composed;
      installTray({
        iconPath,
        state: () => services.automation.background(),
        events: services.events,
        actions: {
          open: () => openWindow(),
          showStatus: () => {
            openWindow();
            services.events.emit('menu.command', { command: 'view-sync-status' });
          },
          quit: () => app.quit(),
        },
      });
      mainWindow = createWindow(composed);
    })
    .catch((err: unknown) => {
      dialog.showErrorBox('ConfigSync could not start', err instanceof Error ? err.message : String(err));
      app.exit(1);
    });
}

/** Every web contents (the window and anything it might spawn): no new windows, no foreign pages, no webviews. */
function guardContents(contents: WebContents): void {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-navigate', (event) => {
    if (!isAllowedNavigation(event.url, appUrl)) event.preventDefault();
  });
  contents.on('will-frame-navigate', (event) => {
    if (!isAllowedNavigation(event.url, appUrl)) event.preventDefault();
  });
  contents.on('will-redirect', (event) => {
    if (!isAllowedNavigation(event.url, appUrl)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

/** The session refuses every permission and download, and stamps our CSP on every response. */
function lockDownSession(): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.setDevicePermissionHandler(() => false);
  ses.on('will-download', (event) => event.preventDefault());
  const policy = contentSecurityPolicy();
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: withContentSecurityPolicy(details.responseHeaders, policy) });
  });
}

/** Shows the window, hidden in the tray or not, or makes a new one if it was closed. */
function openWindow(): void {
  if (!composed) return;
  if (!mainWindow || mainWindow.isDestroyed()) mainWindow = createWindow(composed);
  else bringToFront(mainWindow);
}

function createWindow(services: ComposedApp): BrowserWindow {
  const win = new BrowserWindow(windowOptions({ preload: preloadPath, devTools }));
  win.once('ready-to-show', () => win.show());
  forwardEvents(services, win);
  win.on('close', (event) => {
    const background = services.automation.background();
    if (!shouldHideOnClose({ quitting, backgroundActive: isBackgroundActive(background) })) return;
    event.preventDefault();
    win.hide();
    if (!toldHidden) {
      toldHidden = true;
      const notice = hiddenToTrayNotice(background);
      notifier.notify(notice.title, notice.body, 'info');
    }
  });
  win.on('closed', () => {
    if (mainWindow === win) mainWindow = undefined;
  });
  win.loadURL(appUrl).catch((err: unknown) => {
    dialog.showErrorBox(
      'ConfigSync could not load its window',
      `${indexPath} did not load (${err instanceof Error ? err.message : String(err)}). Run "npm run build" first.`,
    );
  });
  return win;
}

function bringToFront(win: BrowserWindow | undefined): void {
  if (!win || win.isDestroyed()) return;
  if (win.isMinimized()) win.restore();
  win.show();
  win.focus();
}
