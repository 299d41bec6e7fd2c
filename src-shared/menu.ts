import { z } from 'zod';

/** Commands the application menu can issue; both shells render the same model. */
export const menuCommand = z.enum([
  'open-sync-wizard',
  'open-server-list',
  'open-backup-configuration',
  'open-sync-sets',
  'open-backups',
  'open-schedules',
  'open-history',
  'open-notifications',
  'view-servers',
  'view-sync-status',
  'show-about',
]);
export type MenuCommand = z.infer<typeof menuCommand>;

export type MenuItem = { readonly label: string; readonly command: MenuCommand; readonly accelerator?: string };
export type Menu = { readonly label: string; readonly items: ReadonlyArray<MenuItem> };

/** The application menu: the native menu in Electron, an in-app menu bar in the browser shell. */
export const appMenu: ReadonlyArray<Menu> = [
  {
    label: 'Manage',
    items: [
      { label: 'Synchronize Configurations…', command: 'open-sync-wizard', accelerator: 'CmdOrCtrl+Shift+S' },
      { label: 'Server List…', command: 'open-server-list', accelerator: 'CmdOrCtrl+L' },
      { label: 'Sync Sets…', command: 'open-sync-sets' },
      { label: 'Backups…', command: 'open-backups' },
      { label: 'Schedules…', command: 'open-schedules' },
      { label: 'History…', command: 'open-history' },
      { label: 'Notifications…', command: 'open-notifications' },
      { label: 'Backup Configuration…', command: 'open-backup-configuration' },
    ],
  },
  {
    label: 'View',
    items: [
      { label: 'Servers', command: 'view-servers', accelerator: 'CmdOrCtrl+1' },
      { label: 'Synchronization Status', command: 'view-sync-status', accelerator: 'CmdOrCtrl+2' },
    ],
  },
  { label: 'Help', items: [{ label: 'About ConfigSync', command: 'show-about' }] },
];
