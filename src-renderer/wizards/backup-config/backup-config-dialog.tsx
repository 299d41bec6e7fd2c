import { useEffect, useState } from 'react';
import { Modal, Tabs } from '@mantine/core';
import { call } from '../../api/client.js';
import { useServerList } from '../server-list/server-list-store.js';
import { ExportPanel } from './export-panel.js';
import { ImportPanel } from './import-panel.js';

type Tab = 'export' | 'import';

/**
 * Manage › Backup Configuration: export the server list and settings (never secrets) to a file or a
 * download, and import one back after a preview of what changes. An import whose commit was refused
 * is reset when the dialog closes, so the draft is never left holding half of a backup.
 */
export function BackupConfigDialog({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const [tab, setTab] = useState<Tab>('export');
  const [lastExport, setLastExport] = useState('');
  const [pending, setPending] = useState(false);
  const accept = useServerList((s) => s.accept);

  useEffect(() => {
    if (opened) {
      setTab('export');
      setPending(false);
    }
  }, [opened]);

  const close = () => {
    if (pending) {
      setPending(false);
      void call('servers.reset', {}).then(accept, () => undefined);
    }
    onClose();
  };

  return (
    <Modal opened={opened} onClose={close} title="Backup Configuration" size="lg" centered>
      <Tabs value={tab} onChange={(v) => v && setTab(v as Tab)}>
        <Tabs.List mb="md">
          <Tabs.Tab value="export">Export</Tabs.Tab>
          <Tabs.Tab value="import">Import</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="export">
          <ExportPanel onExported={setLastExport} onClose={close} />
        </Tabs.Panel>
        <Tabs.Panel value="import">
          <ImportPanel
            suggestedPath={lastExport}
            pending={pending}
            onPendingChange={setPending}
            onCancel={close}
          />
        </Tabs.Panel>
      </Tabs>
    </Modal>
  );
}
