import { Badge, Group, List, Stack, Text, Tooltip } from '@mantine/core';
import type { CheckState, DriftSource, ServerStatus } from '../../src-shared/contract/methods/status.js';
import type { DestinationStatus, RunTrigger } from '../../src-shared/model/history.js';
import { formatAgo } from '../wizards/synchronize/format.js';
import { assertNever } from '../../src-shared/assert-never.js';

/** "3 min ago" for an epoch-ms time. */
export function agoMs(ms: number): string {
  return formatAgo(new Date(ms).toISOString());
}

const checkColors: Readonly<Record<CheckState, string>> = {
  ok: 'green',
  warning: 'orange',
  failed: 'red',
  unknown: 'gray',
};
const checkLabels: Readonly<Record<CheckState, string>> = {
  ok: 'OK',
  warning: 'Warning',
  failed: 'Failed',
  unknown: 'Unknown',
};
const checkNames = {
  link: 'Link up',
  'free-space': 'Free space',
  backups: 'Backups ran',
  errors: 'Errors in the last runs',
} as const;

/** A destination's result in a run, in words and colour. */
export function resultLook(status: DestinationStatus): { label: string; color: string } {
  switch (status) {
    case 'ok':
      return { label: 'Succeeded', color: 'green' };
    case 'failed':
      return { label: 'Failed', color: 'red' };
    case 'unreachable':
      return { label: 'Unreachable', color: 'orange' };
    case 'refused':
      return { label: 'Refused by a guard', color: 'orange' };
    case 'cancelled':
      return { label: 'Cancelled', color: 'gray' };
    default:
      return assertNever(status);
  }
}

/** Who or what started a run, as the tab and the history say it. */
export function triggerLabel(trigger: RunTrigger): string {
  switch (trigger) {
    case 'manual':
      return 'by hand';
    case 'schedule':
      return 'scheduled';
    case 'watch':
      return 'on change';
    case 'poll':
      return 'on change (polled)';
    case 'cli':
      return 'command line';
    default:
      return assertNever(trigger);
  }
}

/** Where a cell's answer comes from, as History and the checks name it: "run … · 3 min ago". */
export function sourceWords(source: DriftSource): string {
  const when = agoMs(source.at);
  switch (source.kind) {
    case 'run':
      return `from run ${source.runId ?? '?'} · ${when}`;
    case 'restore':
      return `from restore ${source.runId ?? '?'} · ${when}`;
    case 'check':
      return `from the check · ${when}`;
    default:
      return assertNever(source.kind);
  }
}

function SourceLine({ source, testId }: { source: DriftSource | null | undefined; testId: string }) {
  if (!source) return null;
  return (
    <Text size="xs" c="dimmed" data-testid={testId} style={{ overflowWrap: 'anywhere' }} maw={230}>
      {sourceWords(source)}
    </Text>
  );
}

/** A badge is never cut to "NEVER CONTACT…" by a narrow column: the column takes its width. */
export const WHOLE = { minWidth: 'max-content' } as const;

export function ContactCell({ contact }: { contact: ServerStatus['contact'] }) {
  if (contact.ok === null)
    return (
      <Badge variant="outline" color="gray" style={WHOLE}>
        Never contacted
      </Badge>
    );
  return (
    <Tooltip label={contact.message} multiline w={360} withinPortal>
      <Stack gap={2}>
        <Badge color={contact.ok ? 'green' : 'red'} variant="light">
          {contact.ok ? 'Reachable' : 'Unreachable'}
        </Badge>
        {contact.at && (
          <Text size="xs" c="dimmed">
            {formatAgo(contact.at)}
          </Text>
        )}
      </Stack>
    </Tooltip>
  );
}

export function LastSyncCell({ sync }: { sync: ServerStatus['lastSync'] }) {
  if (!sync)
    return (
      <Text size="sm" c="dimmed">
        never
      </Text>
    );
  const base = resultLook(sync.status);
  // A restore is named as such: the server was put back as before an earlier run.
  const look =
    sync.kind === 'restore'
      ? {
          color: sync.status === 'ok' ? 'orange' : 'red',
          label: sync.status === 'ok' ? 'Restored' : 'Restore failed',
        }
      : base;
  return (
    <Tooltip label={sync.message || look.label} multiline w={360} withinPortal disabled={!sync.message}>
      <Stack gap={2} data-testid="last-sync">
        <Group gap={6} wrap="nowrap">
          <Badge color={look.color} variant="light">
            {look.label}
          </Badge>
          <Text size="sm">{agoMs(sync.at)}</Text>
        </Group>
        <Text size="xs" c="dimmed">
          {sync.setName}, {triggerLabel(sync.trigger)}
        </Text>
        <SourceLine
          source={{ kind: sync.kind === 'restore' ? 'restore' : 'run', runId: sync.runId, at: sync.at }}
          testId="last-sync-source"
        />
      </Stack>
    </Tooltip>
  );
}

export function DriftBadge({ drift, name }: { drift: ServerStatus['drift']; name: string }) {
  const look =
    drift.state === 'in-sync'
      ? { color: 'green', label: 'In sync' }
      : drift.state === 'differs'
        ? { color: 'red', label: `${drift.differences} difference${drift.differences === 1 ? '' : 's'}` }
        : { color: 'gray', label: 'Unknown' };
  return (
    <Tooltip label={drift.message} multiline w={360} withinPortal>
      <Stack gap={2}>
        <Badge
          color={look.color}
          variant={drift.state === 'unknown' ? 'outline' : 'filled'}
          data-testid={`drift-${name}`}
        >
          {look.label}
        </Badge>
        {drift.source ? (
          <SourceLine source={drift.source} testId={`drift-source-${name}`} />
        ) : (
          drift.checkedAt !== null && (
            <Text size="xs" c="dimmed">
              {agoMs(drift.checkedAt)}
            </Text>
          )
        )}
        {drift.state === 'differs' && (
          <Text size="xs" c="red" lineClamp={2} maw={230} data-testid={`drift-why-${name}`}>
            {drift.message}
          </Text>
        )}
      </Stack>
    </Tooltip>
  );
}

export function HealthCell({ health, name }: { health: ServerStatus['health']; name: string }) {
  if (health.checks.length === 0)
    return (
      <Badge variant="outline" color="gray" style={WHOLE}>
        Not checked
      </Badge>
    );
  const problems = health.checks.filter((c) => c.state !== 'ok');
  return (
    <Tooltip
      withinPortal
      multiline
      w={420}
      label={
        <List size="xs" spacing={2}>
          {health.checks.map((c) => (
            <List.Item key={c.id}>
              {checkNames[c.id]}: {checkLabels[c.state]}. {c.message}
              {c.source ? ` (${sourceWords(c.source)})` : ''}
            </List.Item>
          ))}
        </List>
      }
    >
      <Stack gap={2}>
        <Badge color={checkColors[health.state]} variant="light" data-testid={`health-${name}`}>
          {health.state === 'ok' ? 'Healthy' : checkLabels[health.state]}
        </Badge>
        {problems.map((c) => (
          <Stack key={c.id} gap={0} data-testid={`health-problem-${c.id}`}>
            <Text size="xs" c={checkColors[c.state]} lineClamp={2} maw={230}>
              {checkNames[c.id]}: {c.message}
            </Text>
            <SourceLine source={c.source} testId={`health-source-${c.id}`} />
          </Stack>
        ))}
        {problems.length === 0 && health.checkedAt !== null && (
          <SourceLine source={{ kind: 'check', at: health.checkedAt }} testId="health-source" />
        )}
      </Stack>
    </Tooltip>
  );
}
