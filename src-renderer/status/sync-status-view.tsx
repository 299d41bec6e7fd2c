import { Card, Stack, Text, Title } from '@mantine/core';

/** The Synchronization status tab: one row per server once servers and runs exist. */
export function SyncStatusView() {
  return (
    <Card withBorder padding="xl" data-testid="status-view">
      <Stack>
        <Title order={3}>Synchronization status</Title>
        <Text c="dimmed">No synchronization has run yet.</Text>
      </Stack>
    </Card>
  );
}
