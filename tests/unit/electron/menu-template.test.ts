import { describe, expect, it } from 'vitest';
import { menuTemplate } from '../../../src-main/electron/menu-template.js';
import { appMenu, type MenuCommand } from '../../../src-shared/menu.js';

// Electron's MenuItemConstructorOptions, taken from the function so this test never names electron.
type MenuItemConstructorOptions = ReturnType<typeof menuTemplate>[number];

function build(platform: NodeJS.Platform, devTools = false) {
  const chosen: MenuCommand[] = [];
  const template = menuTemplate(appMenu, {
    platform,
    appName: 'ConfigSync',
    devTools,
    onCommand: (c) => chosen.push(c),
  });
  return { template, chosen };
}

function submenu(menu: MenuItemConstructorOptions | undefined): MenuItemConstructorOptions[] {
  if (!menu || !Array.isArray(menu.submenu)) throw new Error(`no submenu in ${menu?.label}`);
  return menu.submenu;
}

function roles(items: ReadonlyArray<MenuItemConstructorOptions>): string[] {
  return items.flatMap((i) => (i.role ? [i.role] : []));
}

function click(item: MenuItemConstructorOptions): void {
  // Our items ignore the (menuItem, window, event) arguments Electron passes.
  (item.click as (() => void) | undefined)?.();
}

describe('menuTemplate', () => {
  it('on Windows and Linux: File (Quit), Edit, then the shared menus', () => {
    for (const platform of ['win32', 'linux'] as const) {
      const { template } = build(platform);
      expect(template.map((m) => m.label)).toEqual(['File', 'Edit', 'Manage', 'View', 'Help']);
      expect(roles(submenu(template[0]))).toEqual(['quit']);
    }
  });

  it('on macOS: the app menu first (with Quit), a Window menu, Help last', () => {
    const { template, chosen } = build('darwin');
    expect(template.map((m) => m.label ?? m.role)).toEqual([
      'ConfigSync',
      'Edit',
      'Manage',
      'View',
      'windowMenu',
      'Help',
    ]);
    const app = submenu(template[0]);
    expect(roles(app)).toEqual(expect.arrayContaining(['hide', 'hideOthers', 'unhide', 'quit']));
    const about = app.find((i) => i.label === 'About ConfigSync');
    if (!about) throw new Error('no About item in the app menu');
    click(about);
    expect(chosen).toEqual(['show-about']);
  });

  it('gives Edit the clipboard roles so copy and paste work in fields', () => {
    const edit = submenu(build('linux').template.find((m) => m.label === 'Edit'));
    expect(roles(edit)).toEqual(['undo', 'redo', 'cut', 'copy', 'paste', 'selectAll']);
  });

  it('sends each shared item its own command, with its accelerator', () => {
    const { template, chosen } = build('linux');
    const expected: MenuCommand[] = [];
    for (const menu of appMenu) {
      const items = submenu(template.find((m) => m.label === menu.label));
      for (const model of menu.items) {
        const item = items.find((i) => i.label === model.label);
        if (!item) throw new Error(`missing ${menu.label} > ${model.label}`);
        expect(item.accelerator).toBe(model.accelerator);
        click(item);
        expected.push(model.command);
      }
    }
    expect(chosen).toEqual(expected);
    expect(chosen).toContain('open-sync-wizard');
  });

  it('offers Reload and DevTools only when devtools are enabled', () => {
    const all = (t: MenuItemConstructorOptions[]) =>
      t.flatMap((m) => (Array.isArray(m.submenu) ? roles(m.submenu) : []));
    expect(all(build('linux', false).template)).not.toContain('toggleDevTools');
    expect(all(build('linux', false).template)).not.toContain('reload');
    expect(roles(submenu(build('linux', true).template.find((m) => m.label === 'View')))).toEqual([
      'reload',
      'toggleDevTools',
    ]);
  });
});
