import { useState } from 'react';
import { Alert, Button, Group, List, Modal, Select, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import type { StatusOverview } from '../../src-shared/contract/methods/status.js';
import { call } from '../api/client.js';

/**
 * Switch-over: when the primary did not answer, offers to make a secondary the primary, after a
 * confirmation that says what changes for both servers.
 */
export function PromoteOffer({ overview, onDone }: { overview: StatusOverview; onDone: () => void }) {
  const { promote } = overview;
  const nameOf = (id: string | null) => overview.servers.find((s) => s.serverId === id)?.name ?? id ?? '';
  const reachable = promote.candidates.filter(
    (id) => overview.servers.find((s) => s.serverId === id)?.contact.ok !== false,
  );
  const [chosen, setChosen] = useState<string | null>(null);
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!promote.offered) return null;
  const candidate = chosen ?? reachable[0] ?? promote.candidates[0] ?? null;
  const oldName = nameOf(promote.primaryId);
  const newName = nameOf(candidate);

  const confirm = async () => {
    if (!candidate) return;
    setBusy(true);
    setError(null);
    try {
      const r = await call('servers.promote', { id: candidate });
      notifications.show({ color: 'green', title: `${newName} is now the primary`, message: r.message });
      setAsking(false);
      onDone();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Alert color="red" variant="light" title="The primary is not reachable" data-testid="promote-offer">
      <Stack gap="xs">
        <Text size="sm">{promote.reason}</Text>
        <Text size="sm">A secondary can take over as the primary until it is back.</Text>
        <Group gap="sm">
          <Select
            size="xs"
            aria-label="Secondary to promote"
            data={promote.candidates.map((id) => ({ value: id, label: nameOf(id) }))}
            value={candidate}
            onChange={setChosen}
            allowDeselect={false}
            comboboxProps={{ withinPortal: true }}
          />
          <Button size="xs" color="red" onClick={() => setAsking(true)} disabled={!candidate}>
            Promote to primary…
          </Button>
        </Group>
      </Stack>
      <Modal
        opened={asking}
        onClose={() => setAsking(false)}
        title={`Promote ${newName} to primary?`}
        centered
        size="lg"
      >
        <Stack>
          <Text size="sm">This changes the server list at once:</Text>
          <List size="sm" spacing="xs">
            <List.Item>
              <b>{newName}</b> becomes the primary: the source of every synchronization from now on.
            </List.Item>
            <List.Item>
              <b>{oldName}</b> becomes a secondary: when it is back, the next synchronization overwrites its
              files with those of <b>{newName}</b>. Changes made only on {oldName} are lost then (each run
              keeps a backup).
            </List.Item>
            <List.Item>Automatic synchronization and schedules follow the new primary.</List.Item>
          </List>
          {error && <Alert color="red">{error}</Alert>}
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setAsking(false)}>
              Cancel
            </Button>
            <Button color="red" loading={busy} onClick={() => void confirm()}>
              Promote {newName}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Alert>
  );
}
