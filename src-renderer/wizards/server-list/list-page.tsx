import { ActionIcon, Alert, Badge, Button, Group, Select, Stack, Table, Text, Tooltip } from '@mantine/core';
import {
  roleLabels,
  serverRole,
  type Server,
  type ServerListState,
  type ServerRole,
} from '../../../src-shared/model/server.js';
import { LastContactCell, addressOf } from './server-badges.js';
import { SshConfigImport } from './ssh-config-import.js';

const roleOptions = serverRole.options.map((r) => ({ value: r, label: roleLabels[r] }));

/** How a draft row differs from the saved list. */
function changeOf(s: Server, committed: ReadonlyArray<Server>): 'new' | 'changed' | null {
  const saved = committed.find((c) => c.id === s.id);
  if (!saved) return 'new';
  return JSON.stringify({ ...saved, lastContact: null }) === JSON.stringify({ ...s, lastContact: null })
    ? null
    : 'changed';
}

export type ListPageProps = {
  readonly state: ServerListState;
  readonly selected: string | null;
  onSelect(id: string): void;
  onAdd(): void;
  onEdit(id: string): void;
  onRemove(id: string): void;
  onRole(id: string, role: ServerRole): void;
  onReset(): void;
};

/** Page 1: the draft list (name, address, role picker, last contact) with add, edit, remove and Reset. */
export function ListPage({
  state,
  selected,
  onSelect,
  onAdd,
  onEdit,
  onRemove,
  onRole,
  onReset,
}: ListPageProps) {
  const removed = state.committed.filter((c) => !state.draft.some((d) => d.id === c.id));
  return (
    <Stack gap="sm">
      <Group justify="space-between">
        <Text size="sm" c="dimmed">
          One primary is the source of every synchronization; secondaries receive its configuration. Nothing
          is saved until Finish.
        </Text>
      </Group>
      <Table highlightOnHover verticalSpacing="xs" data-testid="server-table" aria-label="Server list">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th>Host</Table.Th>
            <Table.Th w={170}>Role</Table.Th>
            <Table.Th>Last contact</Table.Th>
            <Table.Th w={90} />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {state.draft.map((s) => {
            const change = changeOf(s, state.committed);
            return (
              <Table.Tr
                key={s.id}
                data-testid={`server-row-${s.name}`}
                aria-selected={selected === s.id}
                bg={selected === s.id ? 'var(--mantine-primary-color-light)' : undefined}
                onClick={() => onSelect(s.id)}
                onDoubleClick={() => onEdit(s.id)}
                style={{ cursor: 'pointer' }}
              >
                <Table.Td>
                  <Group gap={6} wrap="nowrap">
                    <Text size="sm" fw={500}>
                      {s.name}
                    </Text>
                    {change && (
                      <Badge size="xs" variant="dot" color={change === 'new' ? 'green' : 'yellow'}>
                        {change}
                      </Badge>
                    )}
                  </Group>
                </Table.Td>
                <Table.Td>
                  <Text size="sm" ff="monospace">
                    {addressOf(s)}
                  </Text>
                </Table.Td>
                <Table.Td onClick={(e) => e.stopPropagation()}>
                  <Select
                    size="xs"
                    data={roleOptions}
                    value={s.role}
                    allowDeselect={false}
                    aria-label={`Role of ${s.name}`}
                    onChange={(v) => v && onRole(s.id, v as ServerRole)}
                    comboboxProps={{ withinPortal: true }}
                  />
                </Table.Td>
                <Table.Td>
                  <LastContactCell contact={s.lastContact} />
                </Table.Td>
                <Table.Td onClick={(e) => e.stopPropagation()}>
                  <Group gap={4} wrap="nowrap" justify="flex-end">
                    <Tooltip label="Edit">
                      <ActionIcon variant="subtle" aria-label={`Edit ${s.name}`} onClick={() => onEdit(s.id)}>
                        ✎
                      </ActionIcon>
                    </Tooltip>
                    <Tooltip
                      label={s.kind === 'local' ? 'Built in: set it to Not selected instead' : 'Remove'}
                    >
                      <ActionIcon
                        variant="subtle"
                        color="red"
                        aria-label={`Remove ${s.name}`}
                        disabled={s.kind === 'local'}
                        onClick={() => onRemove(s.id)}
                      >
                        ✕
                      </ActionIcon>
                    </Tooltip>
                  </Group>
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
      {removed.length > 0 && (
        <Text size="sm" c="red">
          To be removed: {removed.map((r) => r.name).join(', ')}
        </Text>
      )}
      {state.problems.map((p) => (
        <Alert
          key={`${p.serverId}-${p.message}`}
          color="orange"
          variant="light"
          p="xs"
          data-testid="list-problem"
        >
          {p.message}
        </Alert>
      ))}
      <Group justify="space-between">
        <Group gap="xs">
          <Button onClick={onAdd} leftSection="+">
            Add server
          </Button>
        </Group>
        <Group gap="xs">
          <Text size="sm" c="dimmed" data-testid="staged-note">
            {state.dirty ? 'Staged changes are not saved yet.' : 'No staged changes.'}
          </Text>
          <Button variant="default" onClick={onReset} disabled={!state.dirty}>
            Reset
          </Button>
        </Group>
      </Group>
      <SshConfigImport />
    </Stack>
  );
}
