import { app, Menu } from 'electron';
import { appMenu } from '../../src-shared/menu.js';
import type { EventBus } from '../rpc/event-bus.js';
import { menuTemplate } from './menu-template.js';

/**
 * Installs the native application menu. Choosing an item of the shared model emits
 * `menu.command` on the event bus, which the renderer receives like any other event.
 */
export function installMenu(events: EventBus, options: { readonly devTools: boolean }): void {
  const template = menuTemplate(appMenu, {
    platform: process.platform,
    appName: app.name,
    devTools: options.devTools,
    onCommand: (command) => events.emit('menu.command', { command }),
  });
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}
