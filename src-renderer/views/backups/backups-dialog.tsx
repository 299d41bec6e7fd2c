import { FilterSelect } from '../../components/filter-select.js';
import { useCallback, useEffect, useState } from 'react';
import { Alert, Badge, Button, Group, Stack, Table, Text } from '@mantine/core';
import { ListDialog } from '../../components/list-dialog.js';
import type { Output } from '../../../src-shared/contract/api.js';
import type { Server } from '../../../src-shared/model/server.js';
import { restoredAt, type RunRecord } from '../../../src-shared/model/history.js';
import { call } from '../../api/client.js';
import { formatAgo, statusLook } from '../../wizards/synchronize/format.js';
import { LeftPaths, type LeftPath } from '../../components/left-paths.js';

type Run = Output<'sync.runs'>['runs'][number];
type Row = {
  readonly run: Run;
  readonly report: Run['reports'][number];
  readonly serverId: string;
  readonly key: string;
};

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** One row per destination of each run that left a backup: what the Restore button puts back. */
export function backupRows(runs: ReadonlyArray<Run>): Row[] {
  return runs.flatMap((run) =>
    run.reports
      .filter((r) => r.backupDir && r.applied.length > 0)
      .map((report) => ({
        run,
        report,
        serverId: report.targetId.replace(/#\d+$/, ''),
        key: `${report.runId}/${report.targetId}`,
      })),
  );
}

/** Manage › Backups: every run's backup per server and set, each restorable after a confirmation. */
export function BackupsDialog({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const [runs, setRuns] = useState<ReadonlyArray<Run>>([]);
  const [servers, setServers] = useState<ReadonlyArray<Server>>([]);
  const [serverFilter, setServerFilter] = useState<string | null>(null);
  const [setFilter, setSetFilter] = useState<string | null>(null);
  const [asking, setAsking] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [outcomes, setOutcomes] = useState<
    Readonly<Record<string, { ok: boolean; text: string; left: ReadonlyArray<LeftPath> }>>
  >({});
  const [error, setError] = useState<string | null>(null);
  const [history, setHistory] = useState<ReadonlyArray<RunRecord>>([]);

  const load = useCallback(async () => {
    try {
      const [r, s, h] = await Promise.all([
        call('sync.runs', {}),
        call('servers.list', {}),
        call('history.list', { limit: 1000 }),
      ]);
      setRuns(r.runs);
      setServers(s.committed);
      setHistory(h.records);
      setError(null);
    } catch (err) {
      setError(message(err));
    }
  }, []);
  useEffect(() => {
    if (opened) {
      setOutcomes({});
      setAsking(null);
      void load();
    }
  }, [opened, load]);

  const nameOf = (id: string) => servers.find((s) => s.id === id)?.name ?? id;
  const rows = backupRows(runs).filter(
    (r) => (!serverFilter || r.serverId === serverFilter) && (!setFilter || r.run.setName === setFilter),
  );
  const setNames = [...new Set(runs.map((r) => r.setName))];

  /** Restores the row's run; with `overwrite`, paths changed after the run are replaced too (backed up first). */
  const restore = async (row: Row, overwrite = false) => {
    setBusy(row.key);
    setAsking(null);
    try {
      const out = await call('sync.restore', {
        serverId: row.serverId,
        setName: row.run.setName,
        runId: row.report.runId,
        ...(overwrite ? { overwrite: true } : {}),
      });
      const ok = out.errors.length === 0;
      const left = out.left ?? [];
      setOutcomes((o) => ({
        ...o,
        [row.key]: {
          ok,
          left,
          text: `${out.restored} restored, ${out.removed} removed${left.length ? `, ${left.length} changed after the run left as they are` : ''}${overwrite ? ' (what it overwrote is in its backup)' : ''}${ok ? '' : `, ${out.errors.length} failed`}`,
        },
      }));
    } catch (err) {
      setOutcomes((o) => ({ ...o, [row.key]: { ok: false, text: message(err), left: [] } }));
    } finally {
      setBusy(null);
      // The restore is in the history now: the row shows "restored at …".
      void load();
    }
  };

  return (
    <ListDialog
      opened={opened}
      onClose={onClose}
      title="Backups"
      size={1180}
      striped
      tableTestId="backups-table"
      columns={['When', 'Set', 'Server', 'Run result', 'Backup', '']}
      isEmpty={rows.length === 0}
      empty="No backup yet: a synchronization that changes something leaves one."
      rows={rows.map((row) => {
        const look = statusLook(row.report.status);
        const outcome = outcomes[row.key];
        return (
          <Table.Tr key={row.key} data-testid="backup-row">
            <Table.Td>
              <Text size="sm">{formatAgo(row.report.startedAt)}</Text>
              <Text size="xs" c="dimmed">
                {row.report.runId}
              </Text>
            </Table.Td>
            <Table.Td style={{ whiteSpace: 'nowrap' }}>{row.run.setName}</Table.Td>
            <Table.Td style={{ whiteSpace: 'nowrap' }}>{nameOf(row.serverId)}</Table.Td>
            <Table.Td style={{ whiteSpace: 'nowrap' }}>
              <Badge size="sm" variant="light" color={look.color}>
                {look.label}
              </Badge>
              <Text size="xs" c="dimmed">
                {row.report.applied.length} change(s)
              </Text>
            </Table.Td>
            <Table.Td maw={380}>
              <Text size="xs" ff="monospace" c="dimmed" lineClamp={2} style={{ wordBreak: 'break-all' }}>
                {row.report.backupDir}
              </Text>
              {outcome && (
                <Text size="xs" c={outcome.ok ? 'teal' : 'red'} data-testid="backup-restore-outcome">
                  {outcome.text}
                </Text>
              )}
              {outcome && (
                <LeftPaths
                  left={outcome.left}
                  where={nameOf(row.serverId)}
                  busy={busy === row.key}
                  onOverwrite={() => void restore(row, true)}
                />
              )}
            </Table.Td>
            <Table.Td>
              {restoredAt(history, row.report.runId, row.serverId) !== null && asking !== row.key ? (
                <Stack gap={2} data-testid="backup-restored">
                  <Badge size="sm" color="orange" variant="light">
                    Restored
                  </Badge>
                  <Text size="xs" c="dimmed">
                    at {new Date(restoredAt(history, row.report.runId, row.serverId) ?? 0).toLocaleString()}
                  </Text>
                </Stack>
              ) : asking === row.key ? (
                <Group gap={4} wrap="nowrap">
                  <Button size="compact-xs" color="orange" onClick={() => void restore(row)}>
                    Restore now
                  </Button>
                  <Button size="compact-xs" variant="default" onClick={() => setAsking(null)}>
                    No
                  </Button>
                </Group>
              ) : (
                <Button
                  size="compact-xs"
                  variant="light"
                  color="orange"
                  loading={busy === row.key}
                  onClick={() => setAsking(row.key)}
                >
                  Restore…
                </Button>
              )}
            </Table.Td>
          </Table.Tr>
        );
      })}
    >
      <Text size="sm" c="dimmed">
        Every run keeps, on each destination, a copy of what it overwrote or deleted. Restoring a run puts
        that destination back as it was before it.
      </Text>
      <Group gap="sm">
        <FilterSelect
          label="Server"
          everything="Every server"
          data={servers.map((s) => ({ value: s.id, label: s.name }))}
          value={serverFilter}
          onChange={setServerFilter}
        />
        <FilterSelect
          label="Sync set"
          everything="Every set"
          data={setNames}
          value={setFilter}
          onChange={setSetFilter}
        />
        <Button size="xs" variant="default" onClick={() => void load()}>
          Refresh
        </Button>
      </Group>
      {error && <Alert color="red">{error}</Alert>}
    </ListDialog>
  );
}
