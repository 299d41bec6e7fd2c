import { Menu, Tray } from 'electron';
import type { EventName } from '../../src-shared/contract/events.js';
import type { EventBus } from '../rpc/event-bus.js';
import { trayMenuTemplate, trayTooltip, type TrayActions, type TrayState } from './tray-menu.js';

export type TrayOptions = {
  readonly iconPath: string;
  /** The background side now (Automation.background()). */
  readonly state: () => TrayState;
  readonly actions: TrayActions;
  /** Runs starting and finishing refresh the menu's status line. */
  readonly events: EventBus;
};

const refreshOn: ReadonlySet<string> = new Set<EventName>(['sync.finished', 'status.changed']);

/**
 * The tray icon with its menu (trayMenuTemplate). The menu is rebuilt when a run finishes or the
 * status changes, and when the icon is clicked, so its status line is current when it opens.
 * Returns the function that removes the icon.
 */
export function installTray(options: TrayOptions): () => void {
  const tray = new Tray(options.iconPath);
  const refresh = () => {
    if (tray.isDestroyed()) return;
    const state = options.state();
    tray.setToolTip(trayTooltip(state));
    tray.setContextMenu(Menu.buildFromTemplate(trayMenuTemplate(state, options.actions)));
  };
  refresh();
  // Windows and Linux: a left click opens the window; macOS shows the menu on click by itself.
  tray.on('click', () => {
    refresh();
    if (process.platform !== 'darwin') options.actions.open();
  });
  tray.on('right-click', refresh);
  const unsubscribe = options.events.subscribe((envelope) => {
    if (refreshOn.has(envelope.event)) refresh();
  });
  return () => {
    unsubscribe();
    if (!tray.isDestroyed()) tray.destroy();
  };
}
