// The Electron shell: one window on the shared composition root. Every security decision it wires
// here is a pure function tested under plain Node (window-options, navigation, trusted-sender, csp);
// a static test checks that this file really uses them.
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { app, BrowserWindow, dialog, safeStorage, session, type WebContents } from 'electron';
import { compose, type ComposedApp } from '../compose.js';
import { contentSecurityPolicy, withContentSecurityPolicy } from '../security/csp.js';
import { forwardEvents, serveRpc } from './ipc.js';
import { installMenu } from './menu.js';
import { isAllowedNavigation } from './navigation.js';
import { safeStorageBox } from './safe-storage-box.js';
import { windowOptions } from './window-options.js';

const preloadPath = fileURLToPath(new URL('./preload.cjs', import.meta.url));
const indexPath = join(app.getAppPath(), 'build', 'renderer', 'index.html');
const appUrl = pathToFileURL(indexPath).href;
const devTools = !app.isPackaged;

let mainWindow: BrowserWindow | undefined;
let composed: ComposedApp | undefined;

app.enableSandbox();
if (app.requestSingleInstanceLock()) {
  start();
} else {
  // Another ConfigSync is running: it gets the 'second-instance' event and comes to the front.
  app.quit();
}

function start(): void {
  app.on('second-instance', () => bringToFront(mainWindow));
  app.on('web-contents-created', (_event, contents) => guardContents(contents));
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => {
    if (composed && BrowserWindow.getAllWindows().length === 0) mainWindow = createWindow(composed);
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
      });
      serveRpc(composed, () => mainWindow, appUrl);
      installMenu(composed.events, { devTools });
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

function createWindow(services: ComposedApp): BrowserWindow {
  const win = new BrowserWindow(windowOptions({ preload: preloadPath, devTools }));
  win.once('ready-to-show', () => win.show());
  forwardEvents(services, win);
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
