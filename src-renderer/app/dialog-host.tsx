import { useUiStore } from '../stores/ui-store.js';
import { AboutModal } from './about-modal.js';
import { ServerListWizard } from '../wizards/server-list/server-list-wizard.js';
import { SyncWizard } from '../wizards/synchronize/sync-wizard.js';
import { SyncSetsDialog } from '../views/sync-sets/sync-sets-dialog.js';
import { BackupsDialog } from '../views/backups/backups-dialog.js';
import { SchedulesDialog } from '../views/schedules/schedules-dialog.js';
import { HistoryDialog } from '../views/history/history-dialog.js';
import { NotificationsDialog } from '../views/notifications/notifications-dialog.js';
import { BackupConfigDialog } from '../wizards/backup-config/backup-config-dialog.js';

/** Opens the dialog or wizard the menu asked for; one at a time. */
export function DialogHost() {
  const dialog = useUiStore((s) => s.dialog);
  const close = useUiStore((s) => s.closeDialog);
  return (
    <>
      <AboutModal opened={dialog === 'about'} onClose={close} />
      <SyncWizard opened={dialog === 'sync-wizard'} onClose={close} />
      <SyncSetsDialog opened={dialog === 'sync-sets'} onClose={close} />
      <BackupsDialog opened={dialog === 'backups'} onClose={close} />
      <SchedulesDialog opened={dialog === 'schedules'} onClose={close} />
      <HistoryDialog opened={dialog === 'history'} onClose={close} />
      <NotificationsDialog opened={dialog === 'notifications'} onClose={close} />
      <ServerListWizard opened={dialog === 'server-list'} onClose={close} />
      <BackupConfigDialog opened={dialog === 'backup-configuration'} onClose={close} />
    </>
  );
}
