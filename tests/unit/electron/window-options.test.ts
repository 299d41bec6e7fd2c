import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EVENT_CHANNEL, RPC_CHANNEL } from '../../../src-main/electron/channels.js';
import { trayIconPath } from '../../../src-main/electron/tray-menu.js';
import { webPreferences, windowOptions } from '../../../src-main/electron/window-options.js';
import { bridgeKey } from '../../../src-shared/contract/bridge.js';
import {
  callsIn,
  functionNamed,
  objectKeys,
  scanSource,
  stringConstant,
  valueImports,
  type FoundCall,
} from './source-scan.js';

const input = {
  preload: '/opt/ConfigSync/resources/app.asar/build/main/src-main/electron/preload.cjs',
  devTools: false,
};

describe('windowOptions', () => {
  const prefs = windowOptions(input).webPreferences;

  it('isolates the renderer: context isolation, OS sandbox, no Node anywhere', () => {
    expect(prefs?.contextIsolation).toBe(true);
    expect(prefs?.sandbox).toBe(true);
    expect(prefs?.nodeIntegration).toBe(false);
    expect(prefs?.nodeIntegrationInWorker).toBe(false);
    expect(prefs?.nodeIntegrationInSubFrames).toBe(false);
  });

  it('keeps web security on and the risky features off', () => {
    expect(prefs?.webSecurity).toBe(true);
    expect(prefs?.allowRunningInsecureContent).toBe(false);
    expect(prefs?.webviewTag).toBe(false);
    expect(prefs?.spellcheck).toBe(false);
    expect(prefs?.navigateOnDragDrop).toBe(false);
  });

  it('loads the given CommonJS preload and passes the devtools choice through', () => {
    expect(prefs?.preload).toBe(input.preload);
    expect(prefs?.preload?.endsWith('.cjs')).toBe(true);
    expect(windowOptions({ ...input, devTools: true }).webPreferences?.devTools).toBe(true);
    expect(prefs?.devTools).toBe(false);
  });

  it('is the same object webPreferences() builds, and the window stays hidden until painted', () => {
    expect(prefs).toEqual(webPreferences(input));
    expect(windowOptions(input).show).toBe(false);
  });
});

/** The handler registered with `<target>.on(event, handler)`, or undefined. */
function handlerFor(calls: ReadonlyArray<FoundCall>, event: string): string | undefined {
  return calls.find((c) => c.callee.endsWith('.on') && c.args[0] === `'${event}'`)?.args[1];
}

describe('main.ts wiring (static): the pure functions are what the shell really uses', () => {
  const main = scanSource('src-main/electron/main.ts');
  const all = callsIn(main.file);

  it('creates every BrowserWindow from windowOptions() and never sets webPreferences itself', () => {
    const windows = all.filter((c) => c.callee === 'new BrowserWindow');
    expect(windows.length).toBeGreaterThan(0);
    for (const w of windows) {
      expect(w.args).toHaveLength(1);
      expect(w.args[0]).toMatch(/^windowOptions\(/);
    }
    expect(main.text).not.toMatch(/webPreferences/);
  });

  it('points the preload at the compiled preload.cjs beside main, built from preload.cts', () => {
    expect(main.text).toContain("new URL('./preload.cjs', import.meta.url)");
    expect(
      existsSync(fileURLToPath(new URL('../../../src-main/electron/preload.cts', import.meta.url))),
    ).toBe(true);
    expect(main.text).toContain("join(app.getAppPath(), 'build', 'renderer', 'index.html')");
  });

  it('guards every web contents: window.open denied, navigation checked, webviews refused', () => {
    expect(handlerFor(all, 'web-contents-created')).toMatch(/guardContents\(contents\)/);
    const guard = callsIn(functionNamed(main, 'guardContents'));
    const openHandler = guard.find((c) => c.callee === 'contents.setWindowOpenHandler');
    expect(openHandler?.args[0]).toMatch(/action: 'deny'/);
    expect(openHandler?.args[0]).not.toMatch(/'allow'/);
    for (const event of ['will-navigate', 'will-frame-navigate', 'will-redirect']) {
      const handler = handlerFor(guard, event);
      expect(handler, event).toMatch(
        /if \(!isAllowedNavigation\(event\.url, appUrl\)\) event\.preventDefault\(\)/,
      );
    }
    expect(handlerFor(guard, 'will-attach-webview')).toMatch(/event\.preventDefault\(\)/);
  });

  it('denies every permission request and check, and stamps the CSP on responses', () => {
    const session = callsIn(functionNamed(main, 'lockDownSession'));
    const request = session.find((c) => c.callee === 'ses.setPermissionRequestHandler');
    expect(request?.args[0]).toMatch(/callback\(false\)\s*$/);
    expect(session.find((c) => c.callee === 'ses.setPermissionCheckHandler')?.args[0]).toBe('() => false');
    expect(session.find((c) => c.callee === 'ses.setDevicePermissionHandler')?.args[0]).toBe('() => false');
    expect(session.some((c) => c.callee === 'contentSecurityPolicy' && c.args.length === 0)).toBe(true);
    const headers = session.find((c) => c.callee === 'ses.webRequest.onHeadersReceived');
    expect(headers?.args[0]).toContain('withContentSecurityPolicy(details.responseHeaders, policy)');
    expect(all.some((c) => c.callee === 'lockDownSession')).toBe(true);
  });

  it('holds the single-instance lock, sandboxes every renderer and composes the electron shell', () => {
    expect(all.some((c) => c.callee === 'app.requestSingleInstanceLock')).toBe(true);
    expect(handlerFor(all, 'second-instance')).toMatch(/bringToFront/);
    expect(all.some((c) => c.callee === 'app.enableSandbox')).toBe(true);
    const composeCall = all.find((c) => c.callee === 'compose');
    expect(composeCall?.args[0]).toMatch(/dataDir: app\.getPath\('userData'\)/);
    expect(composeCall?.args[0]).toMatch(/shell: 'electron'/);
    expect(all.some((c) => c.callee === 'serveRpc')).toBe(true);
  });

  it('passes the Electron notifier to compose and starts the background side', () => {
    const composeCall = all.find((c) => c.callee === 'compose');
    expect(composeCall?.args[0]).toMatch(/\bnotifier,/);
    expect(composeCall?.args[0]).toMatch(/background: true/);
    expect(all.find((c) => c.callee === 'electronNotifier')?.args[0]).toMatch(/iconPath/);
  });

  it('hides the window on close only as shouldHideOnClose() decides, and tells the user once', () => {
    const create = callsIn(functionNamed(main, 'createWindow'));
    const onClose = create.find((c) => c.callee === 'win.on' && c.args[0] === "'close'")?.args[1] ?? '';
    const decide = onClose.indexOf(
      'shouldHideOnClose({ quitting, backgroundActive: isBackgroundActive(background) })',
    );
    const prevent = onClose.indexOf('event.preventDefault()');
    expect(decide).toBeGreaterThan(-1);
    expect(onClose).toContain('if (!shouldHideOnClose(');
    expect(prevent).toBeGreaterThan(decide);
    expect(onClose).toContain('win.hide()');
    expect(onClose).toMatch(
      /if \(!toldHidden\) \{ toldHidden = true; const notice = hiddenToTrayNotice\(background\);/,
    );
    expect(onClose).toContain('notifier.notify(notice.title, notice.body');
    // A real quit sets the flag before windows are asked to close.
    expect(handlerFor(all, 'before-quit')).toMatch(/quitting = true/);
  });

  it('installs the tray: the app icon, its menu actions, Quit really quits', () => {
    expect(all.find((c) => c.callee === 'trayIconPath')?.args).toEqual([
      'app.getAppPath()',
      'process.platform',
    ]);
    const tray = all.find((c) => c.callee === 'installTray')?.args[0] ?? '';
    expect(tray).toContain('iconPath');
    expect(tray).toContain('state: () => services.automation.background()');
    expect(tray).toMatch(/open: \(\) => openWindow\(\)/);
    expect(tray).toMatch(/showStatus: .*openWindow\(\);.*'menu\.command', \{ command: 'view-sync-status' \}/);
    expect(tray).toContain('quit: () => app.quit()');
    expect(existsSync(trayIconPath(fileURLToPath(new URL('../../../', import.meta.url)), 'linux'))).toBe(
      true,
    );
    expect(existsSync(trayIconPath(fileURLToPath(new URL('../../../', import.meta.url)), 'darwin'))).toBe(
      true,
    );
  });
});

describe('tray.ts and notifier.ts wiring (static)', () => {
  it('the tray menu is trayMenuTemplate() and the tooltip trayTooltip()', () => {
    const calls = callsIn(scanSource('src-main/electron/tray.ts').file);
    expect(calls.find((c) => c.callee === 'Menu.buildFromTemplate')?.args[0]).toBe(
      'trayMenuTemplate(state, options.actions)',
    );
    expect(calls.find((c) => c.callee === 'tray.setToolTip')?.args[0]).toBe('trayTooltip(state)');
  });

  it('every notice is built by noticeOptions()', () => {
    const calls = callsIn(scanSource('src-main/electron/notifier.ts').file);
    const made = calls.filter((c) => c.callee === 'new Notification');
    expect(made.map((c) => c.args[0])).toEqual(['noticeOptions(title, body, level, options.iconPath)']);
  });
});

describe('ipc.ts wiring (static)', () => {
  const ipc = scanSource('src-main/electron/ipc.ts');
  const all = callsIn(ipc.file);

  it('checks the sender before the router sees anything', () => {
    const handle = all.find((c) => c.callee === 'ipcMain.handle');
    expect(handle?.args[0]).toBe('RPC_CHANNEL');
    const body = handle?.args[1] ?? '';
    const check = body.indexOf('isTrustedSender(frame.url, appUrl');
    const refuse = body.indexOf('if (!trusted) return forbiddenResponse(raw);');
    const route = body.indexOf("composed.router.handle(raw, { transport: 'electron' })");
    expect(check).toBeGreaterThan(-1);
    expect(body).toContain('isMainFrame: frame.parent === null');
    expect(body).toContain('isOwnWindow: event.sender === win.webContents');
    expect(refuse).toBeGreaterThan(check);
    expect(route).toBeGreaterThan(refuse);
    expect(ipc.text.match(/router\.handle\(/g)).toHaveLength(1);
  });

  it('sends events on the event channel only', () => {
    const sends = all.filter((c) => c.callee.endsWith('.send'));
    expect(sends.map((c) => c.args[0])).toEqual(['EVENT_CHANNEL']);
  });
});

describe('preload.cts (static)', () => {
  const preload = scanSource('src-main/electron/preload.cts');

  it('requires nothing but electron (sandboxed preloads cannot load local files)', () => {
    expect(valueImports(preload)).toEqual(['electron']);
    expect(callsIn(preload.file).some((c) => c.callee === 'require')).toBe(false);
  });

  it('exposes exactly invoke and onEvent under window.configsync', () => {
    const exposed = callsIn(preload.file).filter((c) => c.callee === 'contextBridge.exposeInMainWorld');
    expect(exposed).toEqual([
      { callee: 'contextBridge.exposeInMainWorld', args: [`'${bridgeKey}'`, 'bridge'] },
    ]);
    expect(objectKeys(preload, 'bridge')).toEqual(['invoke', 'onEvent']);
  });

  it('uses the same channel names as main', () => {
    expect(stringConstant(preload, 'RPC_CHANNEL')).toBe(RPC_CHANNEL);
    expect(stringConstant(preload, 'EVENT_CHANNEL')).toBe(EVENT_CHANNEL);
  });
});

describe('pure modules', () => {
  it.each([
    'src-main/electron/window-options.ts',
    'src-main/electron/navigation.ts',
    'src-main/electron/trusted-sender.ts',
    'src-main/electron/menu-template.ts',
    'src-main/electron/channels.ts',
    'src-main/electron/close-to-tray.ts',
    'src-main/electron/tray-menu.ts',
    'src-main/electron/notice-options.ts',
    'src-main/security/csp.ts',
  ])('%s imports electron for types only', (path) => {
    const source = scanSource(path);
    expect(valueImports(source)).not.toContain('electron');
    expect(valueImports(source).filter((s) => s.startsWith('node:'))).toEqual([]);
  });
});
