import type { MenuItemConstructorOptions } from 'electron';
import type { Menu as MenuModel, MenuCommand } from '../../src-shared/menu.js';

export type MenuTemplateOptions = {
  readonly platform: NodeJS.Platform;
  readonly appName: string;
  /** Adds Reload and Toggle Developer Tools to View (development only). */
  readonly devTools: boolean;
  /** Called with the item's command when a shared-model item is chosen. */
  readonly onCommand: (command: MenuCommand) => void;
};

/**
 * The native menu as an Electron template: the shared menu model (the same one the browser shell
 * draws in-page) wrapped in the platform's usual menus — the app menu on macOS, File > Quit
 * elsewhere, and Edit with the clipboard roles so copy/paste work in text fields.
 * Pure (electron imported for types only), so a plain-Node test checks it.
 */
export function menuTemplate(
  model: ReadonlyArray<MenuModel>,
  options: MenuTemplateOptions,
): MenuItemConstructorOptions[] {
  const mac = options.platform === 'darwin';
  const shared: MenuItemConstructorOptions[] = model.map((menu) => ({
    label: menu.label,
    submenu: menu.items.map((item) => ({
      label: item.label,
      ...(item.accelerator ? { accelerator: item.accelerator } : {}),
      click: () => options.onCommand(item.command),
    })),
  }));
  if (options.devTools) {
    const view = shared.find((menu) => menu.label === 'View');
    if (view && Array.isArray(view.submenu)) {
      view.submenu.push({ type: 'separator' }, { role: 'reload' }, { role: 'toggleDevTools' });
    }
  }

  const appMenu: MenuItemConstructorOptions = {
    label: options.appName,
    submenu: [
      { label: `About ${options.appName}`, click: () => options.onCommand('show-about') },
      { type: 'separator' },
      { role: 'services' },
      { type: 'separator' },
      { role: 'hide' },
      { role: 'hideOthers' },
      { role: 'unhide' },
      { type: 'separator' },
      { role: 'quit' },
    ],
  };
  const fileMenu: MenuItemConstructorOptions = { label: 'File', submenu: [{ role: 'quit' }] };
  const editMenu: MenuItemConstructorOptions = {
    label: 'Edit',
    submenu: [
      { role: 'undo' },
      { role: 'redo' },
      { type: 'separator' },
      { role: 'cut' },
      { role: 'copy' },
      { role: 'paste' },
      { role: 'selectAll' },
    ],
  };

  if (!mac) return [fileMenu, editMenu, ...shared];
  // macOS keeps Help last and a Window menu before it.
  const help = shared.filter((menu) => menu.label === 'Help');
  const rest = shared.filter((menu) => menu.label !== 'Help');
  return [appMenu, editMenu, ...rest, { role: 'windowMenu' }, ...help];
}
