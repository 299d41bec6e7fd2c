import { useEffect } from 'react';
import { Alert, Button, Card, Code, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useUiStore } from '../stores/ui-store.js';
import { useServerList } from '../wizards/server-list/server-list-store.js';
import { LastContactCell, RoleBadge, addressOf } from '../wizards/server-list/server-badges.js';

/** The Servers view: the committed server list (what synchronizations use), read from main. */
export function ServersView() {
  const open = useUiStore((s) => s.openDialog);
  const { state, error, load } = useServerList();
  useEffect(() => {
    void load();
  }, [load]);
  const servers = state?.committed ?? [];
  const onlyLocal = servers.every((s) => s.kind === 'local');

  return (
    <Card withBorder padding="xl" data-testid="servers-view">
      <Stack>
        <Group justify="space-between">
          <Title order={3}>Servers</Title>
          <Button onClick={() => open('server-list')}>Open the Server List Wizard</Button>
        </Group>
        {error && (
          <Alert color="red" title="The server list cannot be read" data-testid="servers-error">
            {error}
          </Alert>
        )}
        {state?.dirty && (
          <Alert color="yellow" variant="light">
            The Server List Wizard has staged changes that are not saved yet.
          </Alert>
        )}
        {state && onlyLocal && (
          <Text c="dimmed">
            No servers yet. Add the primary and its secondaries in Manage › Server List…
          </Text>
        )}
        {state && (
          <Table
            verticalSpacing="sm"
            highlightOnHover
            aria-label="Committed servers"
            data-testid="committed-servers"
          >
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Host</Table.Th>
                <Table.Th>Role</Table.Th>
                <Table.Th>Host key</Table.Th>
                <Table.Th>Last contact</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {servers.map((s) => (
                <Table.Tr key={s.id} data-testid={`committed-row-${s.name}`}>
                  <Table.Td>
                    <Text fw={500} size="sm">
                      {s.name}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" ff="monospace">
                      {addressOf(s)}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <RoleBadge role={s.role} />
                  </Table.Td>
                  <Table.Td>
                    {s.kind === 'local' ? (
                      <Text size="sm" c="dimmed">
                        —
                      </Text>
                    ) : s.pinnedHostKey ? (
                      <Code>{s.pinnedHostKey.fingerprint.slice(0, 24)}…</Code>
                    ) : (
                      <Text size="sm" c="orange">
                        not confirmed
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <LastContactCell contact={s.lastContact} />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Stack>
    </Card>
  );
}
