import type { BrowserWindowConstructorOptions, WebPreferences } from 'electron';

export type WindowOptionsInput = {
  /** Absolute path of the compiled preload (preload.cjs): sandboxed preloads must be CommonJS. */
  readonly preload: string;
  /** DevTools only in development; a packaged app does not open them. */
  readonly devTools: boolean;
};

/**
 * The renderer's web preferences. The renderer is untrusted UI code: it gets no Node, runs in the
 * OS sandbox in an isolated world, and reaches main only through the two preload functions.
 * Kept pure (electron imported for types only) so a plain-Node test checks every flag.
 */
export function webPreferences(input: WindowOptionsInput): WebPreferences {
  return {
    preload: input.preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    spellcheck: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    devTools: input.devTools,
  };
}

/** The main window: its size, hidden until its first paint, and the secure web preferences. */
export function windowOptions(input: WindowOptionsInput): BrowserWindowConstructorOptions {
  return {
    title: 'ConfigSync',
    width: 1200,
    height: 800,
    minWidth: 880,
    minHeight: 560,
    show: false,
    backgroundColor: '#1a1b1e',
    autoHideMenuBar: false,
    webPreferences: webPreferences(input),
  };
}
