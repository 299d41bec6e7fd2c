import { Alert, Checkbox, Code, List, Paper, Stack, Text, ThemeIcon, Title, Group } from '@mantine/core';
import { formatBytes, modeExplained } from './format.js';
import { useTargetName } from './differences-page.js';
import { firedGuards, useSyncWizard, type PlanTarget } from './sync-wizard-store.js';
import { changeCount } from './target-panel.js';

/**
 * "second-1: 12 entries created, 3 updated, 40 deleted, 1.2 MB; backup kept at …". Entries, since the
 * plan's counts take folders and links as well as files (the Results page says the same).
 */
export function targetSentence(t: PlanTarget, name: string, backupFolder: string): string {
  if (!t.ok || !t.summary) return `${name}: skipped — ${t.message ?? 'it did not answer'}.`;
  const c = t.summary.counts;
  if (changeCount(t) === 0) return `${name}: already in sync; nothing will change.`;
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
      ? `backup of ${formatBytes(t.summary.bytesToBackUp)} kept at ${backupFolder} on ${name}`
      : 'nothing is overwritten, so the backup only lists what is created';
  return `${name}: ${parts.join(', ')}, ${formatBytes(t.summary.bytesToCopy)} to copy${skipped ? `, ${skipped} newer file(s) left alone` : ''}; ${backup}.`;
}

/** Page 3: one sentence per destination, the warnings, and the explicit confirmation of fired guards. */
export function ConfirmPage() {
  const { plan, sets, setId, mode, guardsConfirmed, confirmGuards } = useSyncWizard();
  const nameOf = useTargetName();
  if (!plan) return null;
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
      <Text size="sm" c="dimmed">
        Set <b>{setName}</b> · {modeExplained(mode)}
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
              {targetSentence(t, nameOf(t), plan.backupFolders[t.serverId] ?? `~/.configsync (${setName})`)}
            </List.Item>
          ))}
        </List>
      </Paper>
      {(warnings.length > 0 || set?.validateCommand || set?.postApplyCommand || skipped.length > 0) && (
        <Alert color="yellow" title="Before you start" data-testid="warnings">
          <Stack gap={6}>
            {warnings.map((w) => (
              <Text key={w} size="sm">
                {w}
              </Text>
            ))}
            {set?.validateCommand && (
              <Text size="sm">
                On each destination <Code>{set.validateCommand}</Code> runs in the staging folder first; if it
                fails, nothing there is replaced.
              </Text>
            )}
            {set?.postApplyCommand && (
              <Text size="sm">
                After the files are in place, <Code>{set.postApplyCommand}</Code> runs on each destination.
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
