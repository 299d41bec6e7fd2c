import { useState } from 'react';
import { Group, NumberInput, SegmentedControl, Table, Text } from '@mantine/core';
import type { AutoSyncTrigger } from '../../../src-shared/model/schedule.js';
import { call } from '../../api/client.js';

type Row = { setId: string; setName: string; trigger: AutoSyncTrigger };
type Choice = 'off' | 'on-change' | 'every';

const choiceOf = (t: AutoSyncTrigger): Choice => (typeof t === 'object' ? 'every' : t);

/** Per sync set: Off, On change (watched or polled source), or Every N seconds. */
export function AutoSyncPanel({
  rows,
  onChanged,
  onError,
}: {
  rows: ReadonlyArray<Row>;
  onChanged: () => void;
  onError: (m: string) => void;
}) {
  const [seconds, setSeconds] = useState<Readonly<Record<string, number>>>({});
  const save = async (setId: string, trigger: AutoSyncTrigger) => {
    try {
      await call('autoSync.set', { setId, trigger });
      onChanged();
    } catch (err) {
      onError(err instanceof Error ? err.message : String(err));
    }
  };
  if (rows.length === 0)
    return (
      <Text size="sm" c="dimmed">
        No sync set yet: make one in Manage › Sync Sets…
      </Text>
    );
  return (
    <Table verticalSpacing="xs" data-testid="auto-sync-table">
      <Table.Tbody>
        {rows.map((r) => {
          const every = typeof r.trigger === 'object' ? r.trigger.every : (seconds[r.setId] ?? 300);
          return (
            <Table.Tr key={r.setId}>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>{r.setName}</Table.Td>
              <Table.Td>
                <Group gap="sm" wrap="nowrap">
                  <SegmentedControl
                    size="xs"
                    transitionDuration={0}
                    aria-label={`Automatic synchronization of ${r.setName}`}
                    data={[
                      { value: 'off', label: 'Off' },
                      { value: 'on-change', label: 'On change' },
                      { value: 'every', label: 'Every…' },
                    ]}
                    value={choiceOf(r.trigger)}
                    onChange={(v) =>
                      void save(r.setId, v === 'every' ? { every } : (v as 'off' | 'on-change'))
                    }
                  />
                  {choiceOf(r.trigger) === 'every' && (
                    <NumberInput
                      size="xs"
                      w={120}
                      min={5}
                      max={604800}
                      suffix=" s"
                      aria-label="Seconds between runs"
                      value={every}
                      onChange={(v) => setSeconds((s) => ({ ...s, [r.setId]: Number(v) || 5 }))}
                      onBlur={() => void save(r.setId, { every: Math.max(5, seconds[r.setId] ?? every) })}
                    />
                  )}
                </Group>
              </Table.Td>
            </Table.Tr>
          );
        })}
      </Table.Tbody>
    </Table>
  );
}
