import { useState } from 'react';
import {
  Alert,
  Badge,
  Button,
  Code,
  CopyButton,
  Group,
  Paper,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { useAppInfo } from '../../stores/app-info-store.js';
import { formatBytes, formatDuration, statusLook } from './format.js';
import { useTargetName } from './differences-page.js';
import { useSyncWizard } from './sync-wizard-store.js';
import { LeftPaths } from '../../components/left-paths.js';

/** Where a run's log lives in the app's data folder (the same place `sync.runs` reads). */
export function logPathOf(dataDir: string | undefined, runId: string): string {
  return `${dataDir ?? '<data folder>'}/logs/${runId}.log`;
}

/** Page 5: per destination what happened and why, and "Restore this run". */
export function ResultsPage() {
  const { record, restoreRun, restoring, restored, restoredAt } = useSyncWizard();
  const nameOf = useTargetName();
  const dataDir = useAppInfo((s) => s.info?.dataDir);
  const [asking, setAsking] = useState(false);
  if (!record) return null;
  const restorable = record.reports.filter((r) => r.backupDir && r.applied.length > 0);
  const ok = record.reports.filter((r) => r.status === 'completed').length;
  const logPath = logPathOf(dataDir, record.runId);
  const serverOf = (targetId: string) => targetId.replace(/#\d+$/, '');
  return (
    <Stack gap="md" data-testid="results-page">
      <Group justify="space-between">
        <Title order={4} data-testid="results-title">
          {restored && restoredAt !== null
            ? restored.every((o) => o.ok && o.left.length === 0)
              ? `This run was undone: restored at ${new Date(restoredAt).toLocaleTimeString()}.`
              : restored.every((o) => o.ok)
                ? `This run was undone at ${new Date(restoredAt).toLocaleTimeString()}, but for paths changed after it.`
                : `The restore of this run at ${new Date(restoredAt).toLocaleTimeString()} did not complete everywhere.`
            : ok === record.reports.length
              ? 'Every destination was synchronized.'
              : record.reports.some((r) => r.status === 'cancelled')
                ? `The run was cancelled: ${ok} of ${record.reports.length} destinations were synchronized.`
                : `${ok} of ${record.reports.length} destinations were synchronized.`}
        </Title>
        <Text size="xs" c="dimmed">
          Run {record.runId}
        </Text>
      </Group>
      <Paper withBorder radius="md">
        <Table verticalSpacing="sm" horizontalSpacing="md" data-testid="results-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Destination</Table.Th>
              <Table.Th>Result</Table.Th>
              <Table.Th style={{ whiteSpace: 'nowrap' }}>Entries created / updated / deleted</Table.Th>
              <Table.Th>Written</Table.Th>
              <Table.Th>Duration</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {record.reports.map((r) => {
              const look = statusLook(r.status);
              const name = nameOf({ serverId: serverOf(r.targetId), item: '' });
              const outcome = restored?.find((o) => o.targetId === r.targetId);
              return (
                <Table.Tr key={r.targetId} data-testid={`result-${name}`}>
                  <Table.Td maw={420}>
                    <Text size="sm" fw={600}>
                      {name}
                    </Text>
                    {r.backupDir && (
                      <Text size="xs" c="dimmed" ff="monospace" style={{ wordBreak: 'break-all' }}>
                        backup: {r.backupDir}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td miw={190} maw={320}>
                    <Badge color={look.color} variant="light" data-testid="result-status">
                      {look.label}
                    </Badge>
                    {r.message && (
                      <Text size="xs" c="dimmed" mt={4} data-testid="result-reason">
                        {r.message}
                      </Text>
                    )}
                    {r.status !== 'completed' && r.applied.length + r.notApplied.length > 0 && (
                      <Text size="xs" mt={4} data-testid="result-applied">
                        {r.applied.length.toLocaleString('en-US')} of{' '}
                        {(r.applied.length + r.notApplied.length).toLocaleString('en-US')} changes applied
                        {r.notApplied.length > 0
                          ? `; not applied: ${r.notApplied.length.toLocaleString('en-US')} (these entries are as they were)`
                          : ''}
                      </Text>
                    )}
                    {(r.leftOut ?? 0) > 0 && (
                      <Text size="xs" c="orange" mt={4} data-testid="result-left-out">
                        {r.leftOut?.toLocaleString('en-US')} unticked change{r.leftOut === 1 ? '' : 's'} left
                        as {r.leftOut === 1 ? 'it was' : 'they were'}
                      </Text>
                    )}
                    {r.errors.slice(0, 3).map((e) => (
                      <Text key={e.path + e.message} size="xs" c="red">
                        {e.path}: {e.message}
                      </Text>
                    ))}
                    {outcome && (
                      <Text size="xs" c={outcome.ok ? 'teal' : 'red'} mt={4} data-testid="restore-outcome">
                        Restored: {outcome.message}
                      </Text>
                    )}
                    {outcome && (
                      <LeftPaths
                        left={outcome.left}
                        where={name}
                        busy={restoring}
                        onOverwrite={() => void restoreRun(r.targetId)}
                      />
                    )}
                  </Table.Td>
                  <Table.Td>
                    {r.counts.create} / {r.counts.update} / {r.counts.delete}
                  </Table.Td>
                  <Table.Td>{formatBytes(r.bytesWritten)}</Table.Td>
                  <Table.Td>{formatDuration(r.durationMs)}</Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      </Paper>
      <Group gap="xs">
        <Text size="sm">Log:</Text>
        <Code data-testid="log-path">{logPath}</Code>
        <CopyButton value={logPath}>
          {({ copied, copy }) => (
            <Button size="compact-xs" variant="subtle" onClick={copy}>
              {copied ? 'Copied' : 'Copy path'}
            </Button>
          )}
        </CopyButton>
      </Group>
      {restorable.length > 0 &&
        (restored ? (
          <Alert
            color={
              !restored.every((o) => o.ok)
                ? 'red'
                : restored.some((o) => o.left.length > 0)
                  ? 'yellow'
                  : 'teal'
            }
            data-testid="restore-done"
          >
            {!restored.every((o) => o.ok)
              ? 'The restore did not complete everywhere; see each destination above.'
              : restored.some((o) => o.left.length > 0)
                ? 'The run was undone but for the paths changed after it, listed above: they are as someone left them.'
                : 'The run was undone: every destination is back as it was before.'}
          </Alert>
        ) : asking ? (
          <Alert color="orange" title="Restore this run?" data-testid="confirm-restore">
            <Text size="sm" mb="xs">
              Puts {restorable.map((r) => nameOf({ serverId: serverOf(r.targetId), item: '' })).join(', ')}{' '}
              back as they were before this run: files it created are removed, files it overwrote or deleted
              come back from the backup.
            </Text>
            <Group gap="xs">
              <Button size="xs" color="orange" loading={restoring} onClick={() => void restoreRun()}>
                Restore now
              </Button>
              <Button size="xs" variant="default" disabled={restoring} onClick={() => setAsking(false)}>
                Keep the changes
              </Button>
            </Group>
          </Alert>
        ) : (
          <Group>
            <Button variant="light" color="orange" onClick={() => setAsking(true)}>
              Restore this run…
            </Button>
          </Group>
        ))}
    </Stack>
  );
}
