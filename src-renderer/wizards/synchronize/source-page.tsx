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

/** What a failed contact found, in its own words (a wrong password is not a timeout). */
export function contactWords(code: string | undefined): string {
  switch (code) {
    case 'HOST_KEY_CHANGED':
      return 'Host key changed';
    case 'HOST_KEY_UNKNOWN':
      return 'Host key not pinned';
    case 'AUTH':
    case 'AUTH_FAILED':
      return 'Login refused';
    case 'SUDO_WRONG_PASSWORD':
    case 'SUDO_PASSWORD_NEEDED':
    case 'SUDO_NOT_ALLOWED':
    case 'SUDO_TTY_REQUIRED':
      return 'sudo refused';
    case 'TIMEOUT':
      return 'No answer';
    case 'REFUSED':
      return 'Connection refused';
    case 'DNS':
      return 'Name not found';
    default:
      return 'Unreachable';
  }
}

/** The outcome of the last real contact with a server, and when it was made; "Checking…" while one runs. */
export function LastContact({ server }: { server: Server }) {
  const checking = useSyncWizard((s) => s.checking.includes(server.id));
  const c = server.lastContact;
  if (checking)
    return (
      <Text size="xs" c="dimmed" data-testid="contact">
        ● Checking…
      </Text>
    );
  if (!c)
    return (
      <Text size="xs" c="dimmed" data-testid="contact">
        Never contacted
      </Text>
    );
  return (
    <Text
      size="xs"
      c={c.ok ? 'teal' : c.code === 'HOST_KEY_CHANGED' ? 'orange' : 'red'}
      title={`${c.message} (${new Date(c.at).toLocaleString()})`}
      data-testid="contact"
      style={{ whiteSpace: 'nowrap' }}
    >
      {c.ok ? '● Reachable' : `● ${contactWords(c.code)}`} · {formatAgo(c.at)}
    </Text>
  );
}

function serverAddress(s: Server): string {
  return s.kind === 'local' ? 'This computer' : `${s.user}@${s.host}:${s.port}`;
}

function DestinationRow({
  server,
  sourceId,
  onReviewKey,
}: {
  server: Server;
  sourceId: string | null;
  onReviewKey?: () => void;
}) {
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
      style={{
        opacity: why && !isSource && server.lastContact?.code !== 'HOST_KEY_CHANGED' ? 0.55 : 1,
      }}
    >
      <Group justify="space-between" wrap="nowrap" align="flex-start">
        <Checkbox
          style={{ minWidth: 0 }}
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
      {server.lastContact && !server.lastContact.ok && !isSource && (
        <Text size="xs" c="dimmed" mt={4} style={{ overflowWrap: 'anywhere' }} data-testid="contact-message">
          {server.lastContact.message}
        </Text>
      )}
      {server.lastContact?.code === 'HOST_KEY_CHANGED' && onReviewKey && (
        <Button size="compact-xs" variant="light" color="orange" mt={4} onClick={onReviewKey}>
          Review and replace the host key…
        </Button>
      )}
    </Paper>
  );
}

/** Page 1: which set, from which server to which, in which mode and by which comparison. */
export function SourcePage({
  onOpenSets,
  onReviewKey,
}: {
  onOpenSets: () => void;
  onReviewKey?: () => void;
}) {
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
          {source?.lastContact && !source.lastContact.ok && (
            <Text
              size="xs"
              c="red"
              mt={4}
              style={{ overflowWrap: 'anywhere' }}
              data-testid="source-contact-message"
            >
              {source.lastContact.message}
            </Text>
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
              <DestinationRow key={s.id} server={s} sourceId={w.sourceId} onReviewKey={onReviewKey} />
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
