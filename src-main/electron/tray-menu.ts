import type { MenuItemConstructorOptions } from 'electron';
import { backgroundSummary, isBackgroundActive, type BackgroundState } from './close-to-tray.js';

export type TrayState = BackgroundState & {
  /** Run gates in use right now (sync sets or operations being run). */
  readonly busy: ReadonlyArray<string>;
};

export type TrayActions = {
  readonly open: () => void;
  readonly showStatus: () => void;
  readonly quit: () => void;
};

/** One line saying what runs in the background now, shown (disabled) at the top of the tray menu. */
export function trayStatusLine(state: TrayState): string {
  if (state.busy.length > 0) return `Synchronizing now (${state.busy.length} running)`;
  if (!isBackgroundActive(state)) return 'No automatic synchronization';
  return backgroundSummary(state);
}

/** Tooltip of the tray icon. */
export function trayTooltip(state: TrayState): string {
  return `ConfigSync — ${trayStatusLine(state)}`;
}

/**
 * The tray menu: what runs now, then Open ConfigSync, Synchronization status (the window on its status
 * tab) and Quit, which really quits (schedules and automatic synchronization stop).
 * Pure (electron imported for types only), so a plain-Node test checks it.
 */
export function trayMenuTemplate(state: TrayState, actions: TrayActions): MenuItemConstructorOptions[] {
  return [
    { label: trayStatusLine(state), enabled: false },
    { type: 'separator' },
    { label: 'Open ConfigSync', click: () => actions.open() },
    { label: 'Synchronization status', click: () => actions.showStatus() },
    { type: 'separator' },
    { label: 'Quit ConfigSync', click: () => actions.quit() },
  ];
}

/**
 * The tray icon file: the 32 px app icon (Windows and Linux trays scale it), 16 px on macOS where the
 * menu bar is small. Paths are joined with '/', which Electron accepts on every platform.
 */
export function trayIconPath(appPath: string, platform: NodeJS.Platform): string {
  const size = platform === 'darwin' ? '16x16' : '32x32';
  return `${appPath.replace(/[\\/]+$/, '')}/assets/icons/${size}.png`;
}
