import { Code, Group, Text } from '@mantine/core';
import { useAppInfo } from '../stores/app-info-store.js';

/** The footer: version, shell and where the store lives, from a real `app.info` call. */
export function StatusBar() {
  const { info, error } = useAppInfo();
  if (error)
    return (
      <Text size="xs" c="red" data-testid="status-bar">
        Not connected to ConfigSync: {error}
      </Text>
    );
  if (!info)
    return (
      <Text size="xs" c="dimmed" data-testid="status-bar">
        Connecting…
      </Text>
    );
  return (
    <Group gap="md" data-testid="status-bar" wrap="nowrap">
      <Text size="xs" c="dimmed">
        ConfigSync <span data-testid="app-version">{info.version}</span>
      </Text>
      <Text size="xs" c="dimmed">
        {info.shell === 'electron' ? 'desktop' : 'browser shell'}
      </Text>
      <Text size="xs" c="dimmed" truncate>
        store <Code data-testid="store-path">{info.storePath}</Code>
      </Text>
    </Group>
  );
}
