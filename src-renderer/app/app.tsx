import { useEffect } from 'react';
import { ActionIcon, AppShell, Group, Tabs, Text, Tooltip, useComputedColorScheme, useMantineColorScheme } from '@mantine/core';
import { onEvent, shellKind } from '../api/client.js';
import { useAppInfo } from '../stores/app-info-store.js';
import { useUiStore, type MainView } from '../stores/ui-store.js';
import { ServersView } from '../views/servers-view.js';
import { SyncStatusView } from '../status/sync-status-view.js';
import { DialogHost } from './dialog-host.js';
import { MenuBar } from './menu-bar.js';
import { StatusBar } from './status-bar.js';
import { useMenuShortcuts } from './use-menu-shortcuts.js';
import { useDialogFocusGuard } from './use-dialog-focus-guard.js';
import { Logo } from './logo.js';

function ColorSchemeToggle() {
  const { setColorScheme } = useMantineColorScheme();
  const computed = useComputedColorScheme('light');
  const next = computed === 'dark' ? 'light' : 'dark';
  return (
    <Tooltip label={`Switch to ${next} mode`}>
      <ActionIcon variant="default" size="lg" aria-label={`Switch to ${next} mode`} onClick={() => setColorScheme(next)}>
        {computed === 'dark' ? '☀' : '☾'}
      </ActionIcon>
    </Tooltip>
  );
}

/** The app frame: menu, the Servers and Synchronization status tabs, and the status bar. */
export function App() {
  const { view, setView, runMenuCommand } = useUiStore();
  const load = useAppInfo((s) => s.load);
  useMenuShortcuts(shellKind === 'browser');
  useDialogFocusGuard();
  useEffect(() => {
    void load();
    return onEvent('menu.command', ({ command }) => runMenuCommand(command));
  }, [load, runMenuCommand]);

  return (
    <AppShell header={{ height: 52 }} footer={{ height: 30 }} padding="md">
      <AppShell.Header px="md">
        <Group h="100%" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Logo size={26} />
            <Text fw={700} size="lg">
              ConfigSync
            </Text>
            {shellKind === 'browser' && <MenuBar />}
          </Group>
          <ColorSchemeToggle />
        </Group>
      </AppShell.Header>
      <AppShell.Main>
        <Tabs value={view} onChange={(v) => v && setView(v as MainView)} keepMounted={false}>
          <Tabs.List mb="md">
            <Tabs.Tab value="servers">Servers</Tabs.Tab>
            <Tabs.Tab value="status">Synchronization status</Tabs.Tab>
          </Tabs.List>
          <Tabs.Panel value="servers">
            <ServersView />
          </Tabs.Panel>
          <Tabs.Panel value="status">
            <SyncStatusView />
          </Tabs.Panel>
        </Tabs>
        <DialogHost />
      </AppShell.Main>
      <AppShell.Footer px="md">
        <Group h="100%">
          <StatusBar />
        </Group>
      </AppShell.Footer>
    </AppShell>
  );
}
