import { useCallback, useEffect, useState } from 'react';
import { Alert, Button, Card, Group, Stack, Table, Text, Title } from '@mantine/core';
import type { StatusOverview } from '../../src-shared/contract/methods/status.js';
import { describeRunner } from '../../src-shared/model/scheduler-runner.js';
import { call, onEvent } from '../api/client.js';
import { useUiStore } from '../stores/ui-store.js';
import { RoleBadge } from '../wizards/server-list/server-badges.js';
import { PromoteOffer } from './promote-offer.js';
import { agoMs, ContactCell, DriftBadge, HealthCell, LastSyncCell } from './status-badges.js';

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

function backgroundLine(b: StatusOverview['background']): string {
  const next = (b.nextRuns ?? [])
    .map((n) => n.at)
    .filter((t): t is number => t !== null)
    .sort((x, y) => x - y)[0];
  const nextText = next ? ` Next scheduled run: ${new Date(next).toLocaleString()}.` : '';
  if (!b.running) return `${describeRunner(b.runner)}${nextText}`;
  const sets = b.autoSyncSets.length;
  return `Running in the background while ConfigSync is open: ${b.scheduleEntries} schedule entr${b.scheduleEntries === 1 ? 'y' : 'ies'}, ${sets} set${sets === 1 ? '' : 's'} synchronized automatically${b.busy.length > 0 ? `; now running: ${b.busy.join(', ')}` : ''}.${nextText}`;
}

/** The Synchronization status tab: one row per server, updated live through 'status.changed' events. */
export function SyncStatusView() {
  const open = useUiStore((s) => s.openDialog);
  const [overview, setOverview] = useState<StatusOverview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [checking, setChecking] = useState(false);

  const load = useCallback(async () => {
    try {
      setOverview(await call('status.overview', {}));
      setError(null);
    } catch (err) {
      setError(message(err));
    }
  }, []);
  useEffect(() => {
    void load();
    const offStatus = onEvent('status.changed', () => void load());
    const offSync = onEvent('sync.finished', () => void load());
    // While the tab is open it is read again every 15 s too: contact times and "x min ago" stay true.
    const timer = setInterval(() => void load(), 15_000);
    return () => {
      offStatus();
      offSync();
      clearInterval(timer);
    };
  }, [load]);

  const checkNow = async () => {
    setChecking(true);
    try {
      setOverview(await call('status.checkNow', {}));
      setError(null);
    } catch (err) {
      setError(message(err));
    } finally {
      setChecking(false);
    }
  };

  const servers = overview?.servers ?? [];
  return (
    <Card withBorder padding="xl" data-testid="status-view">
      <Stack>
        <Group justify="space-between" align="flex-start">
          <Stack gap={2}>
            <Title order={3}>Synchronization status</Title>
            <Text size="sm" c="dimmed" data-testid="last-check">
              {overview?.lastCheckAt ? `Last check ${agoMs(overview.lastCheckAt)}` : 'Not checked yet'}
            </Text>
          </Stack>
          <Group gap="sm">
            <Button variant="default" onClick={() => open('history')}>
              History…
            </Button>
            <Button variant="default" onClick={() => open('schedules')}>
              Schedules…
            </Button>
            <Button onClick={() => void checkNow()} loading={checking || overview?.checking === true}>
              Check now
            </Button>
          </Group>
        </Group>
        {error && (
          <Alert color="red" title="The status cannot be read">
            {error}
          </Alert>
        )}
        {overview && <PromoteOffer overview={overview} onDone={() => void load()} />}
        {overview && servers.every((s) => s.role === 'not-selected') && (
          <Text c="dimmed">
            No server takes part yet: choose a primary and its secondaries in Manage › Server List…
          </Text>
        )}
        {overview && (
          <Table verticalSpacing="sm" highlightOnHover data-testid="status-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Server</Table.Th>
                <Table.Th>Role</Table.Th>
                <Table.Th>Last contact</Table.Th>
                <Table.Th>Last synchronization</Table.Th>
                <Table.Th>Drift</Table.Th>
                <Table.Th>Last backup</Table.Th>
                <Table.Th>Health</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {servers.map((s) => (
                <Table.Tr
                  key={s.serverId}
                  data-testid={`status-row-${s.name}`}
                  style={{ verticalAlign: 'top' }}
                >
                  <Table.Td>
                    <Text fw={600} size="sm">
                      {s.name}
                    </Text>
                    <Text size="xs" c="dimmed" ff="monospace">
                      {s.address}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <RoleBadge role={s.role} />
                  </Table.Td>
                  <Table.Td>
                    <ContactCell contact={s.contact} />
                  </Table.Td>
                  <Table.Td>
                    <LastSyncCell sync={s.lastSync} />
                  </Table.Td>
                  <Table.Td>
                    <DriftBadge drift={s.drift} name={s.name} />
                  </Table.Td>
                  <Table.Td>
                    {s.lastBackup ? (
                      <Stack gap={2}>
                        <Text size="sm">{agoMs(s.lastBackup.at)}</Text>
                        <Text size="xs" c="dimmed">
                          {s.lastBackup.setName}
                        </Text>
                      </Stack>
                    ) : (
                      <Text size="sm" c="dimmed">
                        none
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <HealthCell health={s.health} name={s.name} />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        {overview && (
          <Text size="xs" c="dimmed" data-testid="background-line">
            {backgroundLine(overview.background)}
          </Text>
        )}
      </Stack>
    </Card>
  );
}
