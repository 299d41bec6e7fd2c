import {
  Alert,
  Badge,
  Button,
  Card,
  Checkbox,
  Group,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import type { Server } from '../../../src-shared/model/server.js';
import { roleLabels } from '../../../src-shared/model/server.js';
import { formatAgo } from './format.js';
import { CompareField, ModeField } from '../../components/sync-how-fields.js';
import { canTakePart, useSyncWizard, whyNotDestination } from './sync-wizard-store.js';

/** Whether a server answered at its last contact, and when. */
export function LastContact({ server }: { server: Server }) {
  const c = server.lastContact;
  if (!c)
    return (
      <Text size="xs" c="dimmed">
        Never contacted
      </Text>
    );
  return (
    <Text size="xs" c={c.ok ? 'teal' : 'red'} title={c.message} lineClamp={1}>
      {c.ok ? '● Reachable' : '● Unreachable'} · {formatAgo(c.at)}
      {c.ok ? '' : ` · ${c.message}`}
    </Text>
  );
}

function serverAddress(s: Server): string {
  return s.kind === 'local' ? 'This computer' : `${s.user}@${s.host}:${s.port}`;
}

function DestinationRow({ server, sourceId }: { server: Server; sourceId: string | null }) {
  const { destinationIds, toggleDestination } = useSyncWizard();
  const why = whyNotDestination(server, sourceId);
  const isSource = server.id === sourceId;
  return (
    <Paper
      withBorder
      p="xs"
      radius="md"
      data-testid={`destination-${server.name}`}
      data-disabled={why ? 'true' : undefined}
      style={{ opacity: why && !isSource ? 0.55 : 1 }}
    >
      <Group justify="space-between" wrap="nowrap" align="flex-start">
        <Checkbox
          checked={!why && destinationIds.includes(server.id)}
          disabled={why !== null}
          onChange={() => toggleDestination(server.id)}
          label={
            <Group gap={6} wrap="nowrap">
              <Text size="sm" fw={600}>
                {server.name}
              </Text>
              <Text size="xs" c="dimmed" ff="monospace">
                {serverAddress(server)}
              </Text>
            </Group>
          }
          description={why ?? undefined}
          aria-label={`Synchronize to ${server.name}`}
        />
        <Stack gap={2} align="flex-end" style={{ flexShrink: 0 }}>
          <Badge
            size="xs"
            variant="light"
            color={isSource ? 'blue' : server.role === 'secondary' ? 'teal' : 'gray'}
          >
            {isSource ? 'Source' : roleLabels[server.role]}
          </Badge>
          <LastContact server={server} />
        </Stack>
      </Group>
    </Paper>
  );
}

/** Page 1: which set, from which server to which, in which mode and by which comparison. */
export function SourcePage({ onOpenSets }: { onOpenSets: () => void }) {
  const w = useSyncWizard();
  const servers = w.servers ?? [];
  const sources = servers.filter(canTakePart);
  const chosen = w.sets?.find((s) => s.id === w.setId) ?? null;
  const source = servers.find((s) => s.id === w.sourceId) ?? null;
  const others = servers.filter((s) => s.id !== w.sourceId);

  if (w.sets && w.sets.length === 0)
    return (
      <Alert color="blue" title="No sync set yet" data-testid="no-sets">
        <Stack gap="xs" align="flex-start">
          <Text size="sm">A sync set names the folders to keep identical. Create one first.</Text>
          <Button size="xs" onClick={onOpenSets}>
            Open Sync Sets
          </Button>
        </Stack>
      </Alert>
    );

  return (
    <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg" data-testid="source-page">
      <Stack gap="md">
        <Card withBorder padding="md">
          <Title order={5} mb="xs">
            What
          </Title>
          <Select
            label="Sync set"
            data={(w.sets ?? []).map((s) => ({ value: s.id, label: s.name }))}
            value={w.setId}
            onChange={(v) => v && w.chooseSet(v)}
            allowDeselect={false}
            comboboxProps={{ withinPortal: true }}
          />
          {chosen && (
            <Stack gap={2} mt="xs">
              {chosen.items.map((i) => (
                <Text key={i.path} size="xs" ff="monospace" c="dimmed">
                  {i.path}
                </Text>
              ))}
              <Text size="xs" c="dimmed">
                {chosen.exclude.length} exclusion{chosen.exclude.length === 1 ? '' : 's'}
                {chosen.include.length ? `, ${chosen.include.length} inclusion(s)` : ''}
                {chosen.validateCommand ? ' · validate command' : ''}
                {chosen.postApplyCommand ? ' · post-apply command' : ''}
              </Text>
              <Button
                variant="subtle"
                size="compact-xs"
                onClick={onOpenSets}
                style={{ alignSelf: 'flex-start' }}
              >
                Edit sync sets…
              </Button>
            </Stack>
          )}
        </Card>
        <Card withBorder padding="md">
          <Title order={5} mb="xs">
            How
          </Title>
          <ModeField
            id="mode-label"
            value={w.mode}
            onChange={(v) => w.setMode(v)}
            explainedTestId="mode-explained"
            spaced
          />
          <CompareField id="compare-label" value={w.compare} onChange={(v) => w.setCompare(v)} />
        </Card>
      </Stack>
      <Stack gap="md">
        <Card withBorder padding="md">
          <Title order={5} mb="xs">
            From
          </Title>
          <Select
            label="Source server"
            data={sources.map((s) => ({ value: s.id, label: `${s.name} (${roleLabels[s.role]})` }))}
            value={w.sourceId}
            onChange={(v) => v && w.chooseSource(v)}
            allowDeselect={false}
            comboboxProps={{ withinPortal: true }}
          />
          {source && (
            <Group justify="space-between" mt={6}>
              <Text size="xs" c="dimmed" ff="monospace">
                {serverAddress(source)}
              </Text>
              <LastContact server={source} />
            </Group>
          )}
        </Card>
        <Card withBorder padding="md">
          <Group justify="space-between" mb="xs">
            <Title order={5}>To</Title>
            <Text size="xs" c="dimmed">
              {w.destinationIds.length} selected
            </Text>
          </Group>
          <Stack gap={6} data-testid="destinations">
            {others.map((s) => (
              <DestinationRow key={s.id} server={s} sourceId={w.sourceId} />
            ))}
            {others.length === 0 && (
              <Text size="sm" c="dimmed">
                There is no other server. Add secondaries in the server list.
              </Text>
            )}
          </Stack>
        </Card>
      </Stack>
    </SimpleGrid>
  );
}
