import { useState } from 'react';
import {
  Alert,
  Button,
  Group,
  List,
  Loader,
  NumberInput,
  SegmentedControl,
  Table,
  Text,
} from '@mantine/core';
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
  const [asking, setAsking] = useState<Asking | null>(null);
  const write = async (setId: string, trigger: AutoSyncTrigger) => {
    try {
      await call('autoSync.set', { setId, trigger });
      onChanged();
    } catch (err) {
      onError(err instanceof Error ? err.message : String(err));
    }
  };
  /**
   * Switching a Strict set from off to on asks first, with what it would delete now on each
   * secondary (a real plan, nothing applied): from then on it deletes without anyone looking.
   */
  const save = async (setId: string, trigger: AutoSyncTrigger) => {
    const row = rows.find((r) => r.setId === setId);
    if (trigger === 'off' || !row || row.trigger !== 'off') return write(setId, trigger);
    try {
      const { sets } = await call('sets.list', {});
      if (sets.find((x) => x.id === setId)?.mode !== 'mirror') return write(setId, trigger);
      setAsking({ setId, setName: row.setName, trigger, deletes: null, error: null });
      const [plan, list] = await Promise.all([call('sync.plan', { setId }), call('servers.list', {})]);
      const name = (id: string) => list.committed.find((x) => x.id === id)?.name ?? id;
      const deletes = plan.targets.map((t) => ({
        name: name(t.serverId),
        count: t.summary?.counts.delete ?? null,
        note: t.ok ? null : (t.message ?? 'not reached'),
      }));
      setAsking((a) => (a && a.setId === setId ? { ...a, deletes } : a));
    } catch (err) {
      setAsking((a) =>
        a && a.setId === setId ? { ...a, error: err instanceof Error ? err.message : String(err) } : a,
      );
    }
  };
  if (rows.length === 0)
    return (
      <Text size="sm" c="dimmed">
        No sync set yet: make one in Manage › Sync Sets…
      </Text>
    );
  const warning = asking && (
    <Alert
      color="orange"
      title={`Switch on automatic sync of ${asking.setName}?`}
      data-testid="auto-sync-warning"
      mb="sm"
    >
      <Text size="sm">
        {asking.setName} is a Strict set: every automatic run makes each secondary an exact copy of the
        primary, so a file only the secondary has is deleted (a backup of it is kept), with nobody looking at
        a plan first. A run that would delete more than the set&apos;s share of a secondary&apos;s files is
        refused by the mass-deletion guard, as any run is; each automatic run is notified in the app (and by
        e-mail when set in Notifications).
      </Text>
      {asking.error ? (
        <Text size="sm" c="red" mt="xs">
          What it would delete now could not be planned: {asking.error}
        </Text>
      ) : asking.deletes === null ? (
        <Group gap="xs" mt="xs">
          <Loader size="xs" />
          <Text size="sm">Planning what it would delete now…</Text>
        </Group>
      ) : (
        <List size="sm" mt="xs" data-testid="auto-sync-deletes">
          {asking.deletes.map((d) => (
            <List.Item key={d.name}>
              {d.note
                ? `${d.name}: not reached now (${d.note})`
                : `${d.name}: ${d.count === 0 ? 'nothing would be deleted now' : `${(d.count ?? 0).toLocaleString('en-US')} entries would be deleted now`}`}
            </List.Item>
          ))}
        </List>
      )}
      <Group gap="xs" mt="sm">
        <Button size="xs" variant="default" onClick={() => setAsking(null)}>
          Keep it off
        </Button>
        <Button
          size="xs"
          color="orange"
          onClick={() => {
            const a = asking;
            setAsking(null);
            void write(a.setId, a.trigger);
          }}
        >
          Switch it on
        </Button>
      </Group>
    </Alert>
  );
  return (
    <>
      {warning}
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
    </>
  );
}

type Asking = {
  readonly setId: string;
  readonly setName: string;
  readonly trigger: AutoSyncTrigger;
  readonly deletes: ReadonlyArray<{ name: string; count: number | null; note: string | null }> | null;
  readonly error: string | null;
};
