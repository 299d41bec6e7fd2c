import { useEffect, useState } from 'react';
import { Alert, Button, Checkbox, Group, Select, Stack, Text, TextInput } from '@mantine/core';
import type { SyncSet } from '../../../src-shared/contract/schemas/sync.js';
import type { OperationKind } from '../../../src-shared/model/schedule.js';
import { call } from '../../api/client.js';
import {
  fieldNames,
  formatWhen,
  operationLabels,
  operationOfForm,
  timeOfFields,
  type ScheduleForm,
} from './schedule-form.js';

type Preview = { reading: string; nextRuns: number[] } | { error: string };

/** One entry: its operation, the five fields (ANY for any value), and live its reading and next runs. */
export function ScheduleEditor({
  form,
  sets,
  busy,
  onChange,
  onSave,
  onCancel,
}: {
  form: ScheduleForm;
  sets: ReadonlyArray<SyncSet>;
  busy: boolean;
  onChange: (f: ScheduleForm) => void;
  onSave: () => void;
  onCancel: () => void;
}) {
  const [preview, setPreview] = useState<Preview | null>(null);
  const parsed = timeOfFields(form.fields);
  const key = JSON.stringify(form.fields);
  useEffect(() => {
    const p = timeOfFields(JSON.parse(key) as ScheduleForm['fields']);
    if (!p.ok) {
      setPreview({ error: p.error });
      return;
    }
    let live = true;
    const timer = setTimeout(() => {
      call('schedules.preview', { time: p.time, count: 3 })
        .then((r) => live && setPreview({ reading: r.reading, nextRuns: r.nextRuns }))
        .catch(
          (err: unknown) => live && setPreview({ error: err instanceof Error ? err.message : String(err) }),
        );
    }, 150);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [key]);
  const setField = (i: number, value: string) =>
    onChange({
      ...form,
      fields: form.fields.map((f, j) => (j === i ? value : f)) as unknown as ScheduleForm['fields'],
    });

  return (
    <Stack gap="sm" data-testid="schedule-editor">
      <Group grow align="flex-start">
        <Select
          label="Operation"
          data={(Object.keys(operationLabels) as OperationKind[]).map((k) => ({
            value: k,
            label: operationLabels[k],
          }))}
          value={form.kind}
          onChange={(v) => v && onChange({ ...form, kind: v as OperationKind })}
          allowDeselect={false}
          comboboxProps={{ withinPortal: true }}
        />
        {form.kind === 'sync-set' && (
          <Select
            label="Sync set"
            placeholder={sets.length === 0 ? 'No sync set yet' : 'Choose a set'}
            data={sets.map((s) => ({ value: s.id, label: s.name }))}
            value={form.setId}
            onChange={(v) => onChange({ ...form, setId: v })}
            comboboxProps={{ withinPortal: true }}
          />
        )}
      </Group>
      <Group gap="xs" align="flex-start" wrap="nowrap">
        {fieldNames.map((name, i) => (
          <TextInput
            key={name}
            label={name}
            w={96}
            styles={{ input: { fontFamily: 'monospace' } }}
            value={form.fields[i]}
            placeholder="ANY"
            onChange={(e) => setField(i, e.currentTarget.value)}
            error={!parsed.ok && parsed.error.startsWith(name)}
          />
        ))}
      </Group>
      <Text size="xs" c="dimmed">
        Each field is a number or ANY (any value): 0 1 ANY ANY ANY is 01:00 every day, 30 16 8 ANY ANY is
        16:30 on the 8th. Weekday 0 is Sunday.
      </Text>
      {preview && 'error' in preview ? (
        <Alert color="red" py="xs" data-testid="schedule-preview-error">
          {preview.error}
        </Alert>
      ) : preview ? (
        <Alert color="blue" variant="light" py="xs" data-testid="schedule-preview">
          <Text size="sm" fw={600} data-testid="schedule-reading">
            {preview.reading}
          </Text>
          <Text size="xs" data-testid="schedule-next-runs">
            Next: {preview.nextRuns.map((t) => formatWhen(t)).join(' · ') || 'never'}
          </Text>
        </Alert>
      ) : null}
      <Group>
        <Checkbox
          label="Catch up: run once at start if this time passed while ConfigSync was closed"
          checked={form.catchUp}
          onChange={(e) => onChange({ ...form, catchUp: e.currentTarget.checked })}
        />
        <Checkbox
          label="Enabled"
          checked={form.enabled}
          onChange={(e) => onChange({ ...form, enabled: e.currentTarget.checked })}
        />
      </Group>
      <Group justify="flex-end">
        <Button variant="default" onClick={onCancel}>
          Cancel
        </Button>
        <Button onClick={onSave} loading={busy} disabled={!parsed.ok || operationOfForm(form) === null}>
          Save entry
        </Button>
      </Group>
    </Stack>
  );
}
