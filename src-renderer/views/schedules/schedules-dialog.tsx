import { useCallback, useEffect, useState } from 'react';
import { Alert, Badge, Button, Divider, Group, Table, Text } from '@mantine/core';
import { ListDialog } from '../../components/list-dialog.js';
import type { Output } from '../../../src-shared/contract/api.js';
import type { SyncSet } from '../../../src-shared/contract/schemas/sync.js';
import { call } from '../../api/client.js';
import { AutoSyncPanel } from './auto-sync-panel.js';
import { ScheduleEditor } from './schedule-editor.js';
import {
  emptyScheduleForm,
  formatWhen,
  formOfEntry,
  operationLabels,
  operationOfForm,
  timeOfFields,
  type ScheduleForm,
} from './schedule-form.js';

type Listed = Output<'schedules.list'>;
type AutoList = Output<'autoSync.list'>;
const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Manage › Schedules: CTPView-style entries per operation, and each set's automatic synchronization. */
export function SchedulesDialog({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const [listed, setListed] = useState<Listed | null>(null);
  const [auto, setAuto] = useState<AutoList | null>(null);
  const [sets, setSets] = useState<ReadonlyArray<SyncSet>>([]);
  const [form, setForm] = useState<ScheduleForm | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const [l, a, s] = await Promise.all([
        call('schedules.list', {}),
        call('autoSync.list', {}),
        call('sets.list', {}),
      ]);
      setListed(l);
      setAuto(a);
      setSets(s.sets);
      setError(null);
    } catch (err) {
      setError(message(err));
    }
  }, []);
  useEffect(() => {
    if (opened) {
      setForm(null);
      void load();
    }
  }, [opened, load]);

  const setName = (id: string) => sets.find((s) => s.id === id)?.name ?? id;
  const save = async () => {
    if (!form) return;
    const t = timeOfFields(form.fields);
    const operation = operationOfForm(form);
    if (!t.ok || !operation) return;
    setBusy(true);
    try {
      await call('schedules.save', {
        id: form.id ?? `entry-${Date.now().toString(36)}`,
        operation,
        time: t.time,
        catchUp: form.catchUp,
        enabled: form.enabled,
      });
      setForm(null);
      await load();
    } catch (err) {
      setError(message(err));
    } finally {
      setBusy(false);
    }
  };
  const remove = async (id: string) => {
    try {
      await call('schedules.remove', { id });
      await load();
    } catch (err) {
      setError(message(err));
    }
  };

  const entries = [...(listed?.entries ?? [])].sort((a, b) =>
    a.operation.kind.localeCompare(b.operation.kind),
  );
  return (
    <ListDialog
      opened={opened}
      onClose={onClose}
      title="Schedules"
      striped
      maxHeight="40vh"
      tableTestId="schedules-table"
      columns={['Operation', 'Minute Hour Day Month Weekday', 'When', 'Next run', '']}
      isEmpty={entries.length === 0}
      empty="No schedule entry yet."
      rows={entries.map((e) => (
        <Table.Tr key={e.id} data-testid="schedule-row">
          <Table.Td>
            <Text size="sm">{operationLabels[e.operation.kind]}</Text>
            {e.operation.kind === 'sync-set' && (
              <Text size="xs" c="dimmed">
                {setName(e.operation.setId)}
              </Text>
            )}
          </Table.Td>
          <Table.Td>
            <Text size="sm" ff="monospace">
              {e.time.join(' ')}
            </Text>
          </Table.Td>
          <Table.Td>
            <Text size="sm" data-testid="schedule-row-reading">
              {e.reading}
            </Text>
            <Group gap={4}>
              {e.catchUp && (
                <Badge size="xs" variant="light">
                  catch-up
                </Badge>
              )}
              {!e.enabled && (
                <Badge size="xs" color="gray" variant="outline">
                  disabled
                </Badge>
              )}
            </Group>
          </Table.Td>
          <Table.Td>
            <Text size="sm" data-testid="schedule-row-next">
              {formatWhen(e.nextRunAt)}
            </Text>
          </Table.Td>
          <Table.Td>
            <Group gap={4} wrap="nowrap" justify="flex-end">
              <Button size="compact-xs" variant="light" onClick={() => setForm(formOfEntry(e))}>
                Edit
              </Button>
              <Button size="compact-xs" variant="subtle" color="red" onClick={() => void remove(e.id)}>
                Remove
              </Button>
            </Group>
          </Table.Td>
        </Table.Tr>
      ))}
      below={
        <>
          <Divider label="Automatic synchronization" labelPosition="left" />
          <AutoSyncPanel rows={auto?.sets ?? []} onChanged={() => void load()} onError={setError} />
        </>
      }
    >
      {error && (
        <Alert color="red" withCloseButton onClose={() => setError(null)}>
          {error}
        </Alert>
      )}
      {auto && !auto.running && (
        <Alert color="yellow" variant="light">
          Schedules and automatic synchronization run only while ConfigSync (or “configsync scheduler”) is
          running.
        </Alert>
      )}
      <Group justify="space-between">
        <Text size="sm" c="dimmed">
          Times are read in {listed?.timeZone ?? 'the local time zone'}. An operation may have several
          entries.
        </Text>
        <Button
          size="xs"
          onClick={() => setForm(emptyScheduleForm(sets[0]?.id ?? null))}
          disabled={form !== null}
        >
          Add entry
        </Button>
      </Group>
      {form && (
        <ScheduleEditor
          form={form}
          sets={sets}
          busy={busy}
          onChange={setForm}
          onSave={() => void save()}
          onCancel={() => setForm(null)}
        />
      )}
    </ListDialog>
  );
}
