import type { ReactNode } from 'react';
import { Badge, Group, List, Stack, Text } from '@mantine/core';
import type { ConfigDiff } from '../../../src-shared/contract/methods/servers.js';

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

/** True when importing would change nothing at all. */
export function isEmptyDiff(diff: ConfigDiff): boolean {
  return (
    diff.added.length === 0 && diff.removed.length === 0 && diff.changed.length === 0 && !diff.settingsChanged
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
        The file holds the same servers and settings as the list now: importing it changes nothing.
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
              <Text size="sm" span>
                <Text fw={500} span>
                  {oldName(s.id, s.name) !== null ? `${oldName(s.id, s.name)} → ${s.name}` : s.name}
                </Text>
                : {s.fields.map(fieldLabel).join(', ')}
              </Text>
            </List.Item>
          ))}
        </Section>
      )}
      {diff.settingsChanged && (
        <Text size="sm" data-testid="diff-settings">
          The settings (sync sets and other options) differ from the saved ones and will be replaced.
        </Text>
      )}
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
