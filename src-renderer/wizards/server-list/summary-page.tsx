import { Alert, Badge, Button, Group, Stack, Table, Text } from '@mantine/core';
import type { Server, ServerListState } from '../../../src-shared/model/server.js';
import { RoleBadge, addressOf } from './server-badges.js';

type Change = 'new' | 'changed' | 'removed' | 'unchanged';

function changes(state: ServerListState): Array<{ server: Server; change: Change }> {
  const strip = (s: Server) => JSON.stringify({ ...s, lastContact: null });
  const rows: Array<{ server: Server; change: Change }> = state.draft.map((s) => {
    const saved = state.committed.find((c) => c.id === s.id);
    return { server: s, change: !saved ? 'new' : strip(saved) === strip(s) ? 'unchanged' : 'changed' };
  });
  for (const c of state.committed)
    if (!state.draft.some((d) => d.id === c.id)) rows.push({ server: c, change: 'removed' });
  return rows;
}

const changeColor: Readonly<Record<Change, string>> = {
  new: 'green',
  changed: 'yellow',
  removed: 'red',
  unchanged: 'gray',
};

/** Page 5: what Finish will save, and what still stops it. */
export function SummaryPage({ state, onAddAnother }: { state: ServerListState; onAddAnother(): void }) {
  const rows = changes(state);
  return (
    <Stack gap="md" data-testid="summary-page">
      <Text size="sm" c="dimmed">
        {state.dirty ? 'Finish saves these changes to the server list.' : 'There are no changes to save.'}
      </Text>
      <Table verticalSpacing="xs" withTableBorder aria-label="Summary">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th>Host</Table.Th>
            <Table.Th>Role</Table.Th>
            <Table.Th>Host key</Table.Th>
            <Table.Th>Change</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map(({ server, change }) => (
            <Table.Tr
              key={server.id}
              data-testid={`summary-row-${server.name}`}
              opacity={change === 'removed' ? 0.6 : 1}
            >
              <Table.Td>
                <Text size="sm" fw={500} td={change === 'removed' ? 'line-through' : undefined}>
                  {server.name}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm" ff="monospace">
                  {addressOf(server)}
                </Text>
              </Table.Td>
              <Table.Td>
                <RoleBadge role={server.role} />
              </Table.Td>
              <Table.Td>
                <Text
                  size="xs"
                  ff="monospace"
                  c={server.kind === 'ssh' && !server.pinnedHostKey ? 'orange' : undefined}
                >
                  {server.kind === 'local'
                    ? '—'
                    : server.pinnedHostKey
                      ? server.pinnedHostKey.fingerprint.slice(0, 22) + '…'
                      : 'not confirmed'}
                </Text>
              </Table.Td>
              <Table.Td>
                <Badge color={changeColor[change]} variant="light" size="sm">
                  {change}
                </Badge>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {state.problems.map((p) => (
        <Alert key={p.message} color="orange" variant="light" data-testid="summary-problem">
          {p.message}
        </Alert>
      ))}
      <Group>
        <Button variant="light" onClick={onAddAnother}>
          Add another server
        </Button>
      </Group>
    </Stack>
  );
}
