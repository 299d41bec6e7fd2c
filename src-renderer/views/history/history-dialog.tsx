import { FilterSelect } from '../../components/filter-select.js';
import { useCallback, useEffect, useState } from 'react';
import { Alert, Badge, Button, Code, Group, Stack, Table, Text } from '@mantine/core';
import { ListDialog } from '../../components/list-dialog.js';
import type { Output } from '../../../src-shared/contract/api.js';
import {
  recoveredAt,
  restoredAt,
  runResultOf,
  type RunRecord,
  type RunResult,
} from '../../../src-shared/model/history.js';
import type { Server } from '../../../src-shared/model/server.js';
import type { SyncSet } from '../../../src-shared/contract/schemas/sync.js';
import { call } from '../../api/client.js';
import { agoMs, resultLook, triggerLabel } from '../../status/status-badges.js';
import { formatBytes, formatDuration } from '../../wizards/synchronize/format.js';

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));
const resultColors: Readonly<Record<RunResult, string>> = { ok: 'green', partial: 'orange', failed: 'red' };

function RunDetail({ run, nameOf }: { run: RunRecord; nameOf: (id: string) => string }) {
  return (
    <Stack gap="xs" data-testid="history-detail">
      <Text size="sm">
        Run <Code>{run.id}</Code>, {new Date(run.startedAt).toLocaleString()},{' '}
        {formatDuration(run.finishedAt - run.startedAt)}
      </Text>
      {run.error && <Alert color="red">{run.error}</Alert>}
      <Table verticalSpacing={4}>
        <Table.Tbody>
          {run.destinations.map((d) => {
            const look = resultLook(d.status);
            return (
              <Table.Tr key={d.serverId}>
                <Table.Td>{nameOf(d.serverId)}</Table.Td>
                <Table.Td>
                  <Badge size="sm" color={look.color} variant="light">
                    {look.label}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  <Text size="xs">
                    {d.counts.created} created, {d.counts.updated} updated, {d.counts.deleted} deleted,{' '}
                    {d.counts.unchanged} unchanged; {formatBytes(d.bytes)}
                  </Text>
                  {d.message && (
                    <Text size="xs" c="dimmed">
                      {d.message}
                    </Text>
                  )}
                  {d.logPath && (
                    <Text size="xs" c="dimmed" ff="monospace" style={{ wordBreak: 'break-all' }}>
                      log: {d.logPath}
                    </Text>
                  )}
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}

/** Manage › History: every run, filtered by server, set and result, with its per-server detail and log. */
export function HistoryDialog({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const [page, setPage] = useState<Output<'history.list'> | null>(null);
  const [servers, setServers] = useState<ReadonlyArray<Server>>([]);
  const [sets, setSets] = useState<ReadonlyArray<SyncSet>>([]);
  const [serverId, setServerId] = useState<string | null>(null);
  const [setId, setSetId] = useState<string | null>(null);
  const [result, setResult] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const [h, s, l] = await Promise.all([
        call('history.list', {
          limit: 200,
          ...(serverId ? { serverId } : {}),
          ...(setId ? { setId } : {}),
          ...(result ? { result: result as RunResult } : {}),
        }),
        call('servers.list', {}),
        call('sets.list', {}),
      ]);
      setPage(h);
      setServers(s.committed);
      setSets(l.sets);
      setError(null);
    } catch (err) {
      setError(message(err));
    }
  }, [serverId, setId, result]);
  useEffect(() => {
    if (opened) void load();
  }, [opened, load]);

  const nameOf = (id: string) => servers.find((s) => s.id === id)?.name ?? id;
  const setName = (id: string) => sets.find((s) => s.id === id)?.name ?? id;
  return (
    <ListDialog
      opened={opened}
      onClose={onClose}
      title="History"
      maxHeight="62vh"
      tableTestId="history-table"
      columns={['When', 'Set', 'Started by', 'Result', 'Servers']}
      isEmpty={page !== null && page.records.length === 0}
      empty="No run matches."
      rows={(page?.records ?? []).flatMap((r) => {
        const res = runResultOf(r);
        const rows = [
          <Table.Tr
            key={r.id}
            data-testid="history-row"
            style={{ cursor: 'pointer' }}
            onClick={() => setOpen(open === r.id ? null : r.id)}
          >
            <Table.Td>{agoMs(r.finishedAt)}</Table.Td>
            <Table.Td>
              <Text size="sm">{setName(r.setId)}</Text>
              {r.kind === 'restore' && (
                <Text size="xs" c="orange" data-testid="history-restore-of">
                  Restore of run {r.restores}
                </Text>
              )}
              {r.kind === 'recover' && (
                <Text size="xs" c="orange" data-testid="history-recovery-of">
                  Recovery of interrupted run {r.recovers}
                </Text>
              )}
              {(() => {
                const at = r.kind === 'recover' ? null : recoveredAt(page?.records ?? [], r.id);
                return at === null ? null : (
                  <Text size="xs" c="orange" data-testid="history-recovered-at">
                    recovered at {new Date(at).toLocaleString()}
                  </Text>
                );
              })()}
              {(() => {
                const at = r.kind === 'restore' ? null : restoredAt(page?.records ?? [], r.id);
                return at === null ? null : (
                  <Text size="xs" c="orange" data-testid="history-restored-at">
                    restored at {new Date(at).toLocaleString()}
                  </Text>
                );
              })()}
            </Table.Td>
            <Table.Td>{triggerLabel(r.trigger)}</Table.Td>
            <Table.Td>
              <Badge
                color={r.kind === 'restore' && res === 'ok' ? 'orange' : resultColors[res]}
                variant="light"
              >
                {r.kind === 'restore'
                  ? res === 'ok'
                    ? 'Restored'
                    : 'Restore failed'
                  : res === 'ok'
                    ? 'Succeeded'
                    : res === 'partial'
                      ? 'Partly failed'
                      : 'Failed'}
              </Badge>
            </Table.Td>
            <Table.Td>
              <Text size="sm">{r.destinations.map((d) => nameOf(d.serverId)).join(', ') || '—'}</Text>
            </Table.Td>
          </Table.Tr>,
        ];
        if (open === r.id)
          rows.push(
            <Table.Tr key={`${r.id}-detail`}>
              <Table.Td colSpan={5}>
                <RunDetail run={r} nameOf={nameOf} />
              </Table.Td>
            </Table.Tr>,
          );
        return rows;
      })}
    >
      <Group gap="sm">
        <FilterSelect
          label="Server"
          everything="Every server"
          data={servers.map((s) => ({ value: s.id, label: s.name }))}
          value={serverId}
          onChange={setServerId}
        />
        <FilterSelect
          label="Sync set"
          everything="Every set"
          data={sets.map((s) => ({ value: s.id, label: s.name }))}
          value={setId}
          onChange={setSetId}
        />
        <FilterSelect
          label="Result"
          everything="Every result"
          data={[
            { value: 'ok', label: 'Succeeded' },
            { value: 'partial', label: 'Partly failed' },
            { value: 'failed', label: 'Failed' },
          ]}
          value={result}
          onChange={setResult}
        />
        <Button size="xs" variant="default" onClick={() => void load()}>
          Refresh
        </Button>
        <Text size="xs" c="dimmed">
          {page ? `${page.total} run(s)` : ''}
        </Text>
      </Group>
      {error && <Alert color="red">{error}</Alert>}
    </ListDialog>
  );
}
