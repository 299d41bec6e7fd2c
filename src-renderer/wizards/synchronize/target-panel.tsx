import { useEffect, useState } from 'react';
import { Alert, Button, Chip, Group, Stack, Switch, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { planActions, type PlanAction } from '../../../src-shared/model/sync.js';
import { EntriesTable } from './entries-table.js';
import { entriesToCsv, exportName } from './export-entries.js';
import { saveFile } from '../../api/files.js';
import { FileDiff } from './file-diff.js';
import { RecoverInterrupted } from './recover-interrupted.js';
import { LeftPaths } from '../../components/left-paths.js';
import { actionLook, formatBytes } from './format.js';
import { useSyncWizard, type PlanTarget } from './sync-wizard-store.js';
import { allEntries, tickedCounts, useEntryPages, type Entry } from './use-entry-pages.js';

/** Everything but unchanged entries: what the page shows until "Show unchanged" is switched on. */
const CHANGES_FIRST: PlanAction[] = planActions.filter((a) => a !== 'keep');
const NO_UNTICKED: ReadonlyArray<string> = [];

/** Changes a plan makes to one target: everything but unchanged and skipped files. */
export function changeCount(t: PlanTarget): number {
  const c = t.summary?.counts;
  return c ? c.create + c.update + c.delete : 0;
}

/** True when the diff view has something to compare for this entry (a file on either side). */
function diffable(e: Entry): boolean {
  return e.source?.type === 'file' || e.destination?.type === 'file';
}

type PanelProps = { planId: string; target: PlanTarget; name: string; sourceName: string };

/** One destination's tab on the Differences page: why it was not planned, or its differences. */
export function TargetPanel(props: PanelProps) {
  const { target, name } = props;
  if (target.code === 'INTERRUPTED_RUN') return <RecoverInterrupted target={target} name={name} />;
  if (!target.ok || !target.summary)
    return (
      <Alert color="orange" title={`${name} will be skipped`} data-testid="target-unreachable">
        <Text size="sm">{target.message ?? 'It did not answer.'}</Text>
        <Text size="xs" c="dimmed" mt={4}>
          {target.code} · The other destinations go on.
        </Text>
      </Alert>
    );
  return (
    <>
      <RecoverLeft serverId={target.serverId} name={name} />
      <PlannedPanel {...props} />
    </>
  );
}

/** What the recover of this destination's interrupted run left because it changed after that run. */
function RecoverLeft({ serverId, name }: { serverId: string; name: string }) {
  const recovered = useSyncWizard((w) => w.recoverLeft[serverId]);
  if (!recovered) return null;
  return (
    <LeftPaths
      left={recovered.left}
      where={name}
      note={
        recovered.mode === 'complete'
          ? 'The interrupted run was completed without them. They are differences below like any other: a synchronization overwrites them, backed up first, or untick them to keep them as they are.'
          : 'The interrupted run was rolled back without them. They are differences below like any other: a synchronization overwrites them, backed up first, or untick them to keep them as they are.'
      }
    />
  );
}

/** Counts, filters, the table, a diff, exports. */
function PlannedPanel({ planId, target, name, sourceName }: PanelProps) {
  const [actions, setActions] = useState<PlanAction[]>([]);
  const [searchInput, setSearchInput] = useState('');
  const [search] = useDebouncedValue(searchInput.trim(), 250);
  const [selected, setSelected] = useState<number | null>(null);
  const [open, setOpen] = useState<Entry | null>(null);
  const [exporting, setExporting] = useState<'csv' | 'json' | null>(null);
  const [exported, setExported] = useState<{ ok: boolean; text: string } | null>(null);
  const [showUnchanged, setShowUnchanged] = useState(false);
  const [grouped, setGrouped] = useState(true);
  const [collapsed, setCollapsed] = useState<string[]>([]);
  const unticked = useSyncWizard((w) => w.unticked[target.targetId] ?? NO_UNTICKED);
  const toggleTick = useSyncWizard((w) => w.toggleTick);
  const shown = actions.length > 0 ? actions : showUnchanged ? [] : CHANGES_FIRST;
  const query = { planId, targetId: target.targetId, actions: shown, search, group: grouped, collapsed };
  const exportQuery = { planId, targetId: target.targetId, actions, search };
  const pages = useEntryPages(query);
  const [ticked, setTicked] = useState<{ create: number; update: number; delete: number } | null>(null);
  useEffect(() => {
    setSelected(null);
    setOpen(null);
  }, [actions, search, showUnchanged, grouped, collapsed]);
  useEffect(() => {
    let live = true;
    if (unticked.length === 0) setTicked(null);
    else
      void tickedCounts(planId, target.targetId, unticked).then(
        (c) => live && setTicked(c),
        () => undefined,
      );
    return () => {
      live = false;
    };
  }, [planId, target.targetId, unticked]);

  const s = target.summary;
  if (!s) return null;
  const inSync = changeCount(target) === 0;

  const exportAs = async (kind: 'csv' | 'json') => {
    setExporting(kind);
    try {
      const entries = await allEntries(exportQuery);
      const saved =
        kind === 'csv'
          ? await saveFile(exportName(name, 'csv'), 'text/csv', entriesToCsv(entries), [
              { name: 'CSV file', extensions: ['csv'] },
            ])
          : await saveFile(
              exportName(name, 'json'),
              'application/json',
              JSON.stringify({ destination: name, item: target.item, summary: s, entries }, null, 1),
              [{ name: 'JSON file', extensions: ['json'] }],
            );
      setExported(
        saved.kind === 'saved'
          ? { ok: true, text: `Saved ${entries.length.toLocaleString('en-US')} entries to ${saved.path}.` }
          : saved.kind === 'downloaded'
            ? {
                ok: true,
                text: `Downloaded ${saved.name} (${entries.length.toLocaleString('en-US')} entries).`,
              }
            : null,
      );
    } catch (err) {
      setExported({ ok: false, text: err instanceof Error ? err.message : String(err) });
    } finally {
      setExporting(null);
    }
  };

  return (
    <Stack gap="sm" data-testid={`target-panel-${name}`}>
      {inSync ? (
        <Alert color="teal" variant="light" data-testid="already-in-sync" py="xs">
          <Text size="sm" fw={600}>
            {name} is already in sync.
          </Text>
          <Text size="xs">
            {s.counts.keep.toLocaleString('en-US')} entries unchanged; nothing to copy or delete.
          </Text>
        </Alert>
      ) : (
        <Text size="sm" data-testid="target-summary">
          <b>{formatBytes(s.bytesToCopy)}</b> to copy, <b>{formatBytes(s.bytesToDelete)}</b> to delete;{' '}
          {s.sourceFiles.toLocaleString('en-US')} files on the source,{' '}
          {s.destinationFiles.toLocaleString('en-US')} on {name}.
        </Text>
      )}
      {target.guards.map((g) => (
        <Alert key={g.code} color="red" variant="light" py="xs" title="Needs your confirmation">
          <Text size="sm">{g.message}</Text>
        </Alert>
      ))}
      {target.notes.map((n) => (
        <Alert key={n} color="yellow" variant="light" py="xs" data-testid="plan-note">
          <Text size="sm">{n}</Text>
        </Alert>
      ))}
      <Group justify="space-between" align="flex-end" wrap="wrap" gap="sm">
        <Chip.Group multiple value={actions} onChange={(v) => setActions(v as PlanAction[])}>
          <Group gap={6} data-testid="action-filters" aria-label="Filter by action" role="group">
            {planActions.map((a) => {
              const look = actionLook(a);
              return (
                <Chip key={a} value={a} size="xs" color={look.color} variant="outline">
                  {look.label} {s.counts[a].toLocaleString('en-US')}
                </Chip>
              );
            })}
          </Group>
        </Chip.Group>
        <Group gap="xs">
          <TextInput
            size="xs"
            placeholder="Search paths"
            aria-label="Search paths"
            value={searchInput}
            onChange={(e) => setSearchInput(e.currentTarget.value)}
            w={200}
          />
          <Button
            size="xs"
            variant="default"
            loading={exporting === 'csv'}
            onClick={() => void exportAs('csv')}
          >
            Export CSV
          </Button>
          <Button
            size="xs"
            variant="default"
            loading={exporting === 'json'}
            onClick={() => void exportAs('json')}
          >
            Export JSON
          </Button>
        </Group>
      </Group>
      {exported && (
        <Text size="xs" c={exported.ok ? 'teal' : 'red'} data-testid="export-done" mt={-6}>
          {exported.text}
        </Text>
      )}
      <Group gap="lg">
        <Switch
          size="xs"
          checked={showUnchanged}
          onChange={(e) => setShowUnchanged(e.currentTarget.checked)}
          label={`Show unchanged (${s.counts.keep.toLocaleString('en-US')})`}
          disabled={actions.length > 0}
        />
        <Switch
          size="xs"
          checked={grouped}
          onChange={(e) => setGrouped(e.currentTarget.checked)}
          label="Group by folder"
        />
        {!inSync && (
          <Text size="xs" data-testid="ticked-summary" c={unticked.length > 0 ? 'orange' : 'dimmed'}>
            {ticked === null
              ? 'Every change is ticked: untick an entry or a whole folder to leave it as it is.'
              : `${(ticked.create + ticked.update + ticked.delete).toLocaleString('en-US')} of ${changeCount(target).toLocaleString('en-US')} changes ticked; the run leaves the others as they are.`}
          </Text>
        )}
      </Group>
      {pages.error && <Alert color="red">{pages.error}</Alert>}
      <EntriesTable
        pages={pages}
        selected={selected}
        onSelect={(i, e) => {
          setSelected(i);
          if (e && open && diffable(e)) setOpen(e);
        }}
        onOpen={(e) => diffable(e) && setOpen(e)}
        unticked={unticked}
        onTick={(path) => toggleTick(target.targetId, path)}
        onFold={(f) => setCollapsed((c) => (c.includes(f) ? c.filter((x) => x !== f) : [...c, f]))}
        height={open ? 180 : 340}
      />
      <Text size="xs" c="dimmed" data-testid="rows-shown">
        {pages.matched === null
          ? 'Loading…'
          : `${pages.matched.toLocaleString('en-US')} ${actions.length || search ? 'matching ' : ''}entries`}
        {!showUnchanged && actions.length === 0 && s.counts.keep > 0
          ? ` (${s.counts.keep.toLocaleString('en-US')} unchanged hidden)`
          : ''}{' '}
        · Space ticks or unticks · Enter (or a double-click) compares the two versions of a file.
      </Text>
      {open && (
        <FileDiff
          planId={planId}
          targetId={target.targetId}
          path={open.path}
          sourceName={sourceName}
          destinationName={name}
          onClose={() => setOpen(null)}
        />
      )}
    </Stack>
  );
}
