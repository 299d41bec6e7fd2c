import { useEffect, useState } from 'react';
import { Alert, Badge, Button, Group, Paper, Progress, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { formatBytes, formatDuration, statusLook } from './format.js';
import { useTargetName } from './differences-page.js';
import { useSyncWizard, type PlanTarget, type ProgressSample } from './sync-wizard-store.js';

const pct = (done: number, total: number) => (total > 0 ? Math.min(100, (done / total) * 100) : 100);

function Stat({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <div>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text size="lg" fw={600} data-testid={testId}>
        {value}
      </Text>
    </div>
  );
}

function TargetRow({
  target,
  sample,
  name,
}: {
  target: PlanTarget;
  sample: ProgressSample | undefined;
  name: string;
}) {
  const record = useSyncWizard((s) => s.record);
  const report = record?.reports.find((r) => r.targetId === target.targetId);
  const total = sample?.bytesTotal ?? target.summary?.bytesToCopy ?? 0;
  const done = report ? total : (sample?.bytesDone ?? 0);
  const look = report ? statusLook(report.status) : null;
  return (
    <Paper
      withBorder
      p="sm"
      radius="md"
      data-testid={`progress-${name}`}
      data-phase={sample?.phase ?? ''}
      data-bytes-done={sample?.bytesDone ?? 0}
    >
      <Group justify="space-between" mb={6} wrap="nowrap">
        <Text size="sm" fw={600}>
          {name}
        </Text>
        {look ? (
          <Badge color={look.color} variant="light">
            {look.label}
          </Badge>
        ) : !target.ok ? (
          <Badge color="orange" variant="light">
            Skipped
          </Badge>
        ) : (
          <Badge variant="dot">{sample?.phase ?? 'waiting'}</Badge>
        )}
      </Group>
      <Progress
        value={!target.ok ? 0 : pct(done, total)}
        color={look?.color ?? 'blue'}
        animated={!report && target.ok}
        striped={!report && target.ok}
        aria-label={`Progress of ${name}`}
      />
      <Group justify="space-between" mt={4}>
        <Text size="xs" c="dimmed" truncate="end" maw="70%">
          {!target.ok ? target.message : (report?.message ?? sample?.currentPath ?? '')}
        </Text>
        <Text size="xs" c="dimmed">
          {report
            ? `${report.filesWritten} written · ${report.filesDeleted} deleted · ${formatBytes(report.bytesWritten)} in ${formatDuration(report.durationMs)}`
            : sample
              ? `${sample.filesDone}/${sample.filesTotal} files · ${formatBytes(sample.bytesDone)} of ${formatBytes(sample.bytesTotal)}`
              : ''}
        </Text>
      </Group>
    </Paper>
  );
}

/** Page 4: the overall bar, one bar per destination, current file, rate and ETA; Cancel asks first. */
export function ProgressPage() {
  const { plan, run, record, cancelRun } = useSyncWizard();
  const nameOf = useTargetName();
  const [asking, setAsking] = useState(false);
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (record) return;
    const t = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(t);
  }, [record]);
  if (!plan || !run) return null;

  const samples = Object.values(run.progress);
  const planned = plan.targets.filter((t) => t.ok);
  const bytesTotal = planned.reduce(
    (n, t) => n + (run.progress[t.targetId]?.bytesTotal ?? t.summary?.bytesToCopy ?? 0),
    0,
  );
  const bytesDone = record ? bytesTotal : samples.reduce((n, s) => n + s.bytesDone, 0);
  const rate = record
    ? 0
    : samples.reduce((n, s) => n + (s.phase === 'transferring' ? s.bytesPerSecond : 0), 0);
  const eta = rate > 0 ? ((bytesTotal - bytesDone) / rate) * 1000 : null;
  const latest = [...samples].sort((a, b) => (a.filesDone < b.filesDone ? 1 : -1)).find((s) => s.currentPath);
  const elapsed = (record ? Date.parse(record.finishedAt ?? '') || now : now) - run.startedAt;

  return (
    <Stack gap="md" data-testid="progress-page">
      <Paper withBorder p="md" radius="md">
        <Group justify="space-between" mb="xs">
          <Title order={5}>
            {record
              ? 'Finished'
              : run.cancelRequested
                ? 'Stopping after the current file…'
                : 'Synchronizing…'}
          </Title>
          <Text size="sm" fw={600} data-testid="overall-percent">
            {Math.round(pct(bytesDone, bytesTotal))} %
          </Text>
        </Group>
        <Progress
          size="xl"
          value={pct(bytesDone, bytesTotal)}
          animated={!record}
          striped={!record}
          aria-label="Overall progress"
        />
        <SimpleGrid cols={4} mt="md">
          <Stat label="Copied" value={`${formatBytes(bytesDone)} / ${formatBytes(bytesTotal)}`} />
          <Stat label="Rate" value={record ? '—' : `${formatBytes(rate)}/s`} />
          <Stat label={record ? 'Took' : 'Elapsed'} value={formatDuration(Math.max(0, elapsed))} />
          <Stat
            label="Remaining"
            value={record ? 'done' : eta === null ? 'estimating…' : formatDuration(eta)}
            testId="eta"
          />
        </SimpleGrid>
        <Text size="xs" c="dimmed" mt="sm" ff="monospace" truncate="end" data-testid="current-file">
          {record ? 'All destinations have reported.' : latest ? `Now: ${latest.currentPath}` : 'Preparing…'}
        </Text>
      </Paper>
      <Stack gap="xs">
        {plan.targets.map((t) => (
          <TargetRow key={t.targetId} target={t} sample={run.progress[t.targetId]} name={nameOf(t)} />
        ))}
      </Stack>
      {!record &&
        (asking ? (
          <Alert color="orange" title="Stop the synchronization?" data-testid="confirm-stop">
            <Text size="sm" mb="xs">
              It stops between files: every file is either the old one or the new one, never half of each.
              What was already applied stays, and can be undone with Restore.
            </Text>
            <Group gap="xs">
              <Button size="xs" color="red" onClick={() => void cancelRun().then(() => setAsking(false))}>
                Stop the run
              </Button>
              <Button size="xs" variant="default" onClick={() => setAsking(false)}>
                Keep going
              </Button>
            </Group>
          </Alert>
        ) : (
          <Group justify="flex-end">
            <Button
              variant="default"
              color="red"
              onClick={() => setAsking(true)}
              disabled={run.cancelRequested}
            >
              Cancel run…
            </Button>
          </Group>
        ))}
    </Stack>
  );
}
