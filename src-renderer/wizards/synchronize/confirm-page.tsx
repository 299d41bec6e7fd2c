import { useEffect, useState } from 'react';
import { Alert, Checkbox, Code, List, Paper, Stack, Text, ThemeIcon, Title, Group } from '@mantine/core';
import { call } from '../../api/client.js';
import { tickedCounts, type Ticked } from './use-entry-pages.js';
import { formatBytes, modeExplained } from './format.js';
import { useTargetName } from './differences-page.js';
import { firedGuards, useSyncWizard, type PlanResult, type PlanTarget } from './sync-wizard-store.js';
import { changeCount } from './target-panel.js';

/**
 * "second-1: 12 entries created, 3 updated, 40 deleted, 1.2 MB; backup kept at …". Entries, since the
 * plan's counts take folders and links as well as files (the Results page says the same).
 */
export function targetSentence(
  t: PlanTarget,
  name: string,
  backupFolder: string,
  ticked?: Ticked | null,
): string {
  if (!t.ok || !t.summary) return `${name}: skipped — ${sentenceEnd(t.message ?? 'it did not answer')}`;
  const c = ticked
    ? { ...t.summary.counts, create: ticked.create, update: ticked.update, delete: ticked.delete }
    : t.summary.counts;
  // Only what stays ticked is overwritten or deleted, so only that is backed up.
  const bytesToBackUp = ticked ? ticked.bytesToBackUp : t.summary.bytesToBackUp;
  const bytesToCopy = ticked ? ticked.bytesToCopy : t.summary.bytesToCopy;
  const leftOut = ticked ? changeCount(t) - (ticked.create + ticked.update + ticked.delete) : 0;
  const unticked =
    leftOut > 0
      ? ` ${leftOut.toLocaleString('en-US')} change${leftOut === 1 ? '' : 's'} you unticked ${leftOut === 1 ? 'is' : 'are'} left as ${leftOut === 1 ? 'it is' : 'they are'}.`
      : '';
  if (changeCount(t) === 0) return `${name}: already in sync; nothing will change.`;
  if (c.create + c.update + c.delete === 0) return `${name}: nothing will change (every change is unticked).`;
  const counted: Array<[number, string]> = [
    [c.create, 'created'],
    [c.update, 'updated'],
    [c.delete, 'deleted'],
  ];
  const parts = counted
    .filter(([n]) => n > 0)
    .map(
      ([n, verb], i) =>
        `${n.toLocaleString('en-US')}${i === 0 ? (n === 1 ? ' entry' : ' entries') : ''} ${verb}`,
    );
  const skipped = c['skip-newer-on-destination'];
  const backup =
    c.update + c.delete > 0
      ? `backup of ${formatBytes(bytesToBackUp)} kept at ${backupFolder} on ${name}`
      : 'nothing is overwritten, so the backup only lists what is created';
  const bytes = `, ${formatBytes(bytesToCopy)} to copy`;
  return `${name}: ${parts.join(', ')}${bytes}${skipped ? `, ${skipped} newer file(s) left alone` : ''}; ${backup}.${unticked}`;
}

/** A message as the end of a sentence: one full stop, never two ("…is not running.."). */
export function sentenceEnd(text: string): string {
  const t = text.trim();
  return /[.!?…]$/.test(t) ? t : `${t}.`;
}

/** Per planned target: its ticked counts (null: all ticked) and the first deletions that stay ticked. */
function useConfirmDetails(
  plan: PlanResult | null,
  unticked: Readonly<Record<string, ReadonlyArray<string>>>,
) {
  const [details, setDetails] = useState<
    Record<
      string,
      {
        ticked: Ticked | null;
        deletes: string[];
        deletesTotal: number;
      }
    >
  >({});
  useEffect(() => {
    if (!plan) return;
    let live = true;
    void Promise.all(
      plan.targets
        .filter((t) => t.ok && t.summary)
        .map(async (t) => {
          const u = unticked[t.targetId] ?? [];
          const [ticked, deletes] = await Promise.all([
            u.length > 0 ? tickedCounts(plan.planId, t.targetId, u) : Promise.resolve(null),
            (t.summary?.counts.delete ?? 0) > 0
              ? call('sync.entries', {
                  planId: plan.planId,
                  targetId: t.targetId,
                  offset: 0,
                  limit: 50,
                  actions: ['delete'],
                  ...(u.length > 0 ? { exclude: [...u] } : {}),
                })
              : Promise.resolve({ total: 0, entries: [] as Array<{ path: string }> }),
          ]);
          return [
            t.targetId,
            { ticked, deletes: deletes.entries.map((e) => e.path), deletesTotal: deletes.total },
          ] as const;
        }),
    ).then(
      (pairs) => live && setDetails(Object.fromEntries(pairs)),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [plan, unticked]);
  return details;
}

/** Page 3: one sentence per destination, the warnings, and the explicit confirmation of fired guards. */
export function ConfirmPage() {
  const { plan, sets, setId, mode, guardsConfirmed, confirmGuards, unticked, servers, sourceId } =
    useSyncWizard();
  const nameOf = useTargetName();
  const details = useConfirmDetails(plan, unticked);
  if (!plan) return null;
  const sourceName = servers?.find((s) => s.id === sourceId)?.name ?? 'the source';
  const destinations = [...new Set(plan.targets.map((t) => nameOf(t)))];
  const deletions = plan.targets.filter((t) => (details[t.targetId]?.deletesTotal ?? 0) > 0);
  const set = sets?.find((s) => s.id === setId);
  const setName = set?.name ?? '';
  const guards = plan.targets.flatMap((t) => t.guards.map((g) => ({ ...g, name: nameOf(t) })));
  const massDeletes = plan.targets.filter((t) => t.ok && t.summary && t.summary.counts.delete >= 100);
  const warnings: string[] = [];
  for (const t of massDeletes)
    if (!t.guards.some((g) => g.code === 'GUARD_MASS_DELETE'))
      warnings.push(
        `${nameOf(t)}: ${t.summary?.counts.delete.toLocaleString('en-US')} entries will be deleted.`,
      );
  const skipped = plan.targets.filter((t) => !t.ok);
  return (
    <Stack gap="md" data-testid="confirm-page">
      <Text size="sm" data-testid="confirm-from-to">
        Set <b>{setName}</b> from <b>{sourceName}</b> to{' '}
        {destinations.map((d, i) => (
          <span key={d}>
            {i > 0 ? (i === destinations.length - 1 ? ' and ' : ', ') : ''}
            <b>{d}</b>
          </span>
        ))}
        .{' '}
        <Text span size="sm" c="dimmed">
          {modeExplained(mode)}
        </Text>
      </Text>
      <Paper withBorder p="md" radius="md">
        <Title order={5} mb="xs">
          What will happen
        </Title>
        <List spacing={6} size="sm" data-testid="sentences">
          {plan.targets.map((t) => (
            <List.Item
              key={t.targetId}
              icon={
                <ThemeIcon size={18} radius="xl" color={!t.ok ? 'orange' : changeCount(t) ? 'blue' : 'teal'}>
                  <Text size="10px" fw={700}>
                    {!t.ok ? '!' : changeCount(t) ? '→' : '✓'}
                  </Text>
                </ThemeIcon>
              }
            >
              {targetSentence(
                t,
                nameOf(t),
                plan.backupFolders[t.serverId] ?? `~/.configsync (${setName})`,
                details[t.targetId]?.ticked ?? null,
              )}
            </List.Item>
          ))}
        </List>
      </Paper>
      {deletions.length > 0 && (
        <Paper withBorder p="md" radius="md" data-testid="deletions">
          <Title order={5} mb="xs">
            What will be deleted
          </Title>
          <Stack gap="xs">
            {deletions.map((t) => {
              const d = details[t.targetId];
              if (!d) return null;
              return (
                <div key={t.targetId} data-testid={`deletions-${nameOf(t)}`}>
                  <Text size="sm" fw={600}>
                    On {nameOf(t)} ({d.deletesTotal.toLocaleString('en-US')}):
                  </Text>
                  <Text size="xs" ff="monospace" style={{ overflowWrap: 'anywhere' }}>
                    {d.deletes.join(', ')}
                    {d.deletesTotal > d.deletes.length
                      ? ` … and ${(d.deletesTotal - d.deletes.length).toLocaleString('en-US')} more (the Differences page lists them all)`
                      : ''}
                  </Text>
                </div>
              );
            })}
          </Stack>
        </Paper>
      )}
      {(warnings.length > 0 ||
        set?.validateCommand ||
        set?.postApplyCommand ||
        set?.healthCommand ||
        skipped.length > 0) && (
        <Alert color="yellow" title="Before you start" data-testid="warnings">
          <Stack gap={6}>
            {warnings.map((w) => (
              <Text key={w} size="sm">
                {w}
              </Text>
            ))}
            {set?.validateCommand && (
              <Text size="sm">
                On each destination <Code>{set.validateCommand}</Code> runs first over a copy of the whole
                tree as it will be, outside the live folder; if it fails, nothing there is replaced.
              </Text>
            )}
            {set?.postApplyCommand && (
              <Text size="sm">
                After the files are in place, <Code>{set.postApplyCommand}</Code> runs on each destination.
              </Text>
            )}
            {set?.healthCommand && (
              <Text size="sm">
                Then <Code>{set.healthCommand}</Code> checks each destination; if it fails or takes over{' '}
                {set.healthTimeoutSec ?? 60} s, that destination is rolled back from this run&apos;s backup.
              </Text>
            )}
            {skipped.length > 0 && (
              <Text size="sm">
                {skipped.map((t) => nameOf(t)).join(', ')} could not be reached and will be skipped.
              </Text>
            )}
          </Stack>
        </Alert>
      )}
      {guards.length > 0 && (
        <Alert color="red" title="This plan needs your explicit confirmation" data-testid="guards">
          <Stack gap="xs">
            {guards.map((g) => (
              <Group key={`${g.name}-${g.code}`} gap={6} wrap="nowrap" align="flex-start">
                <Text size="sm" fw={600}>
                  {g.name}:
                </Text>
                <Text size="sm">{g.message}</Text>
              </Group>
            ))}
            <Checkbox
              mt={4}
              checked={guardsConfirmed}
              onChange={(e) => confirmGuards(e.currentTarget.checked)}
              label={`I have checked this and want to go ahead (${firedGuards(plan).join(', ')})`}
              data-testid="confirm-guards"
            />
          </Stack>
        </Alert>
      )}
      <Text size="xs" c="dimmed">
        Every file is written beside its target and renamed into place, so a stopped run leaves whole files
        only. Everything overwritten or deleted is kept in the backup and can be restored from the Results
        page or from Backups.
      </Text>
    </Stack>
  );
}
