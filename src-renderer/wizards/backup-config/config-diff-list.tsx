import type { ReactNode } from 'react';
import { Badge, Group, List, Stack, Text } from '@mantine/core';
import type {
  ConfigDiff,
  ConfigPart,
  ConfigPartDiff,
  FieldChange,
} from '../../../src-shared/contract/methods/servers.js';

/** Words for the server fields the backend compares (server-backup.ts `compared`). */
const fieldLabels: Readonly<Record<string, string>> = {
  name: 'name',
  host: 'host',
  port: 'port',
  user: 'SSH user',
  role: 'role',
  contactTimeoutSec: 'contact timeout',
  vars: 'path variables',
  auth: 'authentication',
  pinnedHostKey: 'pinned host key',
};

/** A field name as a user reads it; an unknown one is shown as it is rather than hidden. */
export function fieldLabel(field: string): string {
  return fieldLabels[field] ?? field;
}

/** Words for the parts a backup carries beside the servers. */
export const partLabels: Readonly<Record<ConfigPart, string>> = {
  syncSets: 'Sync sets',
  schedules: 'Schedules',
  autoSync: 'Automatic sync',
  notifications: 'Notification settings',
};

const partChanges = (p: ConfigPartDiff) => p.added.length + p.removed.length + p.changed.length;

/** True when importing would change nothing at all. */
export function isEmptyDiff(diff: ConfigDiff): boolean {
  return (
    diff.added.length === 0 &&
    diff.removed.length === 0 &&
    diff.changed.length === 0 &&
    !diff.settingsChanged &&
    diff.parts.every((p) => partChanges(p) === 0)
  );
}

/** Each changed field as "field: old → new". */
function Changes({
  changes,
  label = (f) => f,
}: {
  changes: ReadonlyArray<FieldChange>;
  label?: (f: string) => string;
}) {
  return (
    <List size="sm" spacing={0} withPadding listStyleType="none">
      {changes.map((c) => (
        <List.Item key={c.field} data-testid={`change-${c.field}`}>
          <Text size="sm" span c="dimmed">
            {label(c.field)}:{' '}
          </Text>
          <Text size="sm" span td="line-through" c="red.7">
            {c.old}
          </Text>
          <Text size="sm" span>
            {' → '}
          </Text>
          <Text size="sm" span c="green.8" fw={500}>
            {c.new}
          </Text>
        </List.Item>
      ))}
    </List>
  );
}

/** One part (sync sets, schedules, …): added, removed, changed field by field, and entries left out. */
function PartDiff({ part }: { part: ConfigPartDiff }) {
  const label = partLabels[part.part];
  if (!part.inFile)
    return (
      <Text size="sm" c="dimmed" data-testid={`part-${part.part}`}>
        {label}: not in the file, left as they are.
      </Text>
    );
  if (partChanges(part) === 0 && part.skipped.length === 0)
    return (
      <Text size="sm" c="dimmed" data-testid={`part-${part.part}`}>
        {label}: no change.
      </Text>
    );
  return (
    <div data-testid={`part-${part.part}`}>
      <Text size="sm" fw={600}>
        {label}
      </Text>
      <List size="sm" spacing={2} withPadding>
        {part.added.map((x) => (
          <List.Item key={`a-${x.id}`} data-testid={`part-added-${x.name}`}>
            <Badge size="xs" color="green" variant="light" mr={6}>
              added
            </Badge>
            {x.name}
          </List.Item>
        ))}
        {part.removed.map((x) => (
          <List.Item key={`r-${x.id}`} data-testid={`part-removed-${x.name}`}>
            <Badge size="xs" color="red" variant="light" mr={6}>
              removed
            </Badge>
            {x.name}
          </List.Item>
        ))}
        {part.changed.map((x) => (
          <List.Item key={`c-${x.id}`} data-testid={`part-changed-${x.name}`}>
            <Badge size="xs" color="yellow" variant="light" mr={6}>
              changed
            </Badge>
            {x.name}
            <Changes changes={x.changes} />
          </List.Item>
        ))}
        {part.skipped.map((x) => (
          <List.Item key={`s-${x.name}`} data-testid={`part-skipped-${x.name}`}>
            <Badge size="xs" color="gray" variant="light" mr={6}>
              left out
            </Badge>
            {x.name}: {x.reason}
          </List.Item>
        ))}
      </List>
    </div>
  );
}

/**
 * What an import would do to the server list, one line per server: added, removed, changed (with which
 * fields). `current` (the list being edited) gives a renamed server's old name beside the new one.
 */
export function ConfigDiffList({
  diff,
  current = [],
}: {
  diff: ConfigDiff;
  current?: ReadonlyArray<{ id: string; name: string }>;
}) {
  const oldName = (id: string, name: string) => {
    const old = current.find((s) => s.id === id)?.name;
    return old !== undefined && old !== name ? old : null;
  };
  if (isEmptyDiff(diff))
    return (
      <Text size="sm" c="dimmed" data-testid="diff-empty">
        The file holds the same servers, sync sets, schedules and settings as now: importing it changes
        nothing.
      </Text>
    );
  return (
    <Stack gap="xs" data-testid="config-diff">
      {diff.added.length > 0 && (
        <Section title="Added" color="green" testId="diff-added">
          {diff.added.map((s) => (
            <List.Item key={s.id} data-testid={`diff-added-${s.name}`}>
              <Text size="sm" fw={500} span>
                {s.name}
              </Text>
            </List.Item>
          ))}
        </Section>
      )}
      {diff.removed.length > 0 && (
        <Section title="Removed" color="red" testId="diff-removed">
          {diff.removed.map((s) => (
            <List.Item key={s.id} data-testid={`diff-removed-${s.name}`}>
              <Text size="sm" fw={500} span>
                {s.name}
              </Text>
            </List.Item>
          ))}
        </Section>
      )}
      {diff.changed.length > 0 && (
        <Section title="Changed" color="yellow" testId="diff-changed">
          {diff.changed.map((s) => (
            <List.Item key={s.id} data-testid={`diff-changed-${s.name}`}>
              <Text size="sm" fw={500} span>
                {oldName(s.id, s.name) ?? s.name}
              </Text>
              <Changes changes={s.changes} label={fieldLabel} />
            </List.Item>
          ))}
        </Section>
      )}
      {diff.settingsChanged && (
        <Text size="sm" data-testid="diff-settings">
          The app settings differ from the saved ones and will be replaced.
        </Text>
      )}
      {diff.parts.map((p) => (
        <PartDiff key={p.part} part={p} />
      ))}
    </Stack>
  );
}

function Section({
  title,
  color,
  testId,
  children,
}: {
  title: string;
  color: string;
  testId: string;
  children: ReactNode;
}) {
  return (
    <div data-testid={testId}>
      <Group gap="xs" mb={4}>
        <Badge color={color} variant="light">
          {title}
        </Badge>
      </Group>
      <List size="sm" spacing={2} withPadding>
        {children}
      </List>
    </div>
  );
}
