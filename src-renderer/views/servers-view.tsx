import { Button, Card, Stack, Text, Title } from '@mantine/core';
import { useUiStore } from '../stores/ui-store.js';

/** The Servers view: the committed server list. */
export function ServersView() {
  const open = useUiStore((s) => s.openDialog);
  return (
    <Card withBorder padding="xl" data-testid="servers-view">
      <Stack align="flex-start">
        <Title order={3}>Servers</Title>
        <Text c="dimmed">No servers yet. Add the primary and its secondaries with Manage › Server List…</Text>
        <Button onClick={() => open('server-list')}>Open the Server List Wizard</Button>
      </Stack>
    </Card>
  );
}
