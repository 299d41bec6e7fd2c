import { create } from 'zustand';
import type { MenuCommand } from '../../src-shared/menu.js';
import { assertNever } from '../../src-shared/assert-never.js';

export type MainView = 'servers' | 'status';
export type Dialog = 'sync-wizard' | 'server-list' | 'backup-configuration' | 'sync-sets' | 'backups' | 'schedules' | 'history' | 'notifications' | 'about' | null;

type UiState = {
  readonly view: MainView;
  readonly dialog: Dialog;
  setView(view: MainView): void;
  openDialog(dialog: Dialog): void;
  closeDialog(): void;
  /** What a menu item does, in either shell. */
  runMenuCommand(command: MenuCommand): void;
};

export const useUiStore = create<UiState>()((set) => ({
  view: 'servers',
  dialog: null,
  setView: (view) => set({ view }),
  openDialog: (dialog) => set({ dialog }),
  closeDialog: () => set({ dialog: null }),
  runMenuCommand: (command) => {
    switch (command) {
      case 'open-sync-wizard':
        return set({ dialog: 'sync-wizard' });
      case 'open-server-list':
        return set({ dialog: 'server-list' });
      case 'open-backup-configuration':
        return set({ dialog: 'backup-configuration' });
      case 'open-sync-sets':
        return set({ dialog: 'sync-sets' });
      case 'open-backups':
        return set({ dialog: 'backups' });
      case 'open-schedules':
        return set({ dialog: 'schedules' });
      case 'open-history':
        return set({ dialog: 'history' });
      case 'open-notifications':
        return set({ dialog: 'notifications' });
      case 'view-servers':
        return set({ view: 'servers' });
      case 'view-sync-status':
        return set({ view: 'status' });
      case 'show-about':
        return set({ dialog: 'about' });
      default:
        return assertNever(command);
    }
  },
}));
