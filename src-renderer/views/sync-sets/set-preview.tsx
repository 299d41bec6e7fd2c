import { useEffect, useState } from 'react';
import { Alert, Badge, Group, Loader, Paper, ScrollArea, SimpleGrid, Stack, Text } from '@mantine/core';
import type { Output } from '../../../src-shared/contract/api.js';
import { call } from '../../api/client.js';
import type { SetDraft } from './set-form.js';

type Preview = Output<'sets.preview'>;

function FileList({
  title,
  files,
  total,
  color,
}: {
  title: string;
  files: ReadonlyArray<string>;
  total: number;
  color: string;
}) {
  return (
    <div>
      <Group gap={6} mb={4}>
        <Text size="xs" fw={600}>
          {title}
        </Text>
        <Badge size="xs" color={color} variant="light">
          {total.toLocaleString('en-US')}
        </Badge>
      </Group>
      <ScrollArea.Autosize mah={150} type="auto">
        {files.map((f) => (
          <Text key={f} size="xs" ff="monospace" c={color === 'gray' ? 'dimmed' : undefined} lineClamp={1}>
            {f}
          </Text>
        ))}
        {total > files.length && (
          <Text size="xs" c="dimmed">
            … and {(total - files.length).toLocaleString('en-US')} more
          </Text>
        )}
        {total === 0 && (
          <Text size="xs" c="dimmed">
            none
          </Text>
        )}
      </ScrollArea.Autosize>
    </div>
  );
}

/**
 * The live preview of the set editor: which of the source's files the globs keep and which they leave
 * out, read from the server through `sets.preview` a moment after the user stops typing.
 */
export function SetPreview({
  draft,
  serverId,
  serverName,
}: {
  draft: SetDraft | null;
  serverId: string | null;
  serverName: string;
}) {
  const [preview, setPreview] = useState<Preview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const key =
    draft && serverId ? JSON.stringify([draft.items, draft.include, draft.exclude, serverId]) : null;

  useEffect(() => {
    if (!key || !draft || !serverId) return;
    let live = true;
    const t = setTimeout(() => {
      setLoading(true);
      call('sets.preview', { set: draft, serverId, limit: 200 })
        .then((p) => live && (setPreview(p), setError(null)))
        .catch((err: unknown) => live && setError(err instanceof Error ? err.message : String(err)))
        .finally(() => live && setLoading(false));
    }, 500);
    return () => {
      live = false;
      clearTimeout(t);
    };
    // The key holds everything the preview depends on.
  }, [key]);

  return (
    <Paper withBorder p="sm" radius="md" data-testid="set-preview">
      <Group justify="space-between" mb="xs">
        <Text size="sm" fw={600}>
          Preview on {serverName}
        </Text>
        {loading && <Loader size="xs" />}
      </Group>
      {!draft && (
        <Text size="xs" c="dimmed">
          Fix the fields marked in red to see which files the set takes.
        </Text>
      )}
      {error && (
        <Alert color="red" py="xs">
          {error}
        </Alert>
      )}
      {draft && preview && (
        <Stack gap="sm">
          {preview.items.map((item) => (
            <div key={item.path}>
              <Text size="xs" c="dimmed" mb={4}>
                <Text span ff="monospace" size="xs">
                  {item.path}
                </Text>{' '}
                →{' '}
                <Text span ff="monospace" size="xs">
                  {item.resolvedRoot}
                </Text>
                {!item.exists && (
                  <Text span c="orange" size="xs">
                    {' '}
                    (does not exist)
                  </Text>
                )}
              </Text>
              <SimpleGrid cols={2}>
                <FileList
                  title="Synchronized"
                  files={item.included}
                  total={item.includedTotal}
                  color="teal"
                />
                <FileList title="Left out" files={item.excluded} total={item.excludedTotal} color="gray" />
              </SimpleGrid>
            </div>
          ))}
        </Stack>
      )}
    </Paper>
  );
}
