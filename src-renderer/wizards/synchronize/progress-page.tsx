import { useEffect, useState } from 'react';
import { Alert, Badge, Button, Group, Paper, Progress, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { formatBytes, formatDuration, statusLook } from './format.js';
import { useTargetName } from './differences-page.js';
import { useSyncWizard, type PlanTarget, type ProgressSample } from './sync-wizard-store.js';
import { overallFraction, phaseWords } from './progress-math.js';

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

/** "4 created · 1 updated · 3 deleted": the entries the Results page counts, in the same words. */
export function countsLine(c: { create: number; update: number; delete: number }): string {
  const n = (x: number) => x.toLocaleString('en-US');
  return `${n(c.create)} created · ${n(c.update)} updated · ${n(c.delete)} deleted`;
}

function TargetRow({
  target,
  sample,
  fraction,
  copied,
  name,
}: {
  target: PlanTarget;
  sample: ProgressSample | undefined;
  fraction: number;
  copied: number;
  name: string;
}) {
  const record = useSyncWizard((s) => s.record);
  const report = record?.reports.find((r) => r.targetId === target.targetId);
  const look = report ? statusLook(report.status) : null;
  const total = target.summary?.bytesToCopy ?? sample?.bytesTotal ?? 0;
  const value = !target.ok ? 0 : report ? 100 : Math.round(fraction * 1000) / 10;
  return (
    <Paper
      withBorder
      p="sm"
      radius="md"
      data-testid={`progress-${name}`}
      data-phase={report ? 'reported' : (sample?.phase ?? '')}
      data-fraction={value}
      data-bytes-done={sample?.bytesDone ?? 0}
      data-files-done={sample?.filesDone ?? 0}
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
          <Badge variant="dot">{sample?.phase.replace('-', ' ') ?? 'waiting'}</Badge>
        )}
      </Group>
      <Progress
        value={value}
        color={look?.color ?? 'blue'}
        animated={!report && target.ok}
        striped={!report && target.ok}
        aria-label={`Progress of ${name}`}
      />
      <Group justify="space-between" mt={4} wrap="nowrap" gap="md">
        <Text size="xs" c="dimmed" truncate="end" style={{ minWidth: 0, flex: 1 }} data-testid="target-doing">
          {!target.ok
            ? target.message
            : report
              ? (report.message ?? '')
              : sample
                ? `${phaseWords(sample)}${sample.currentPath ? ` — ${sample.currentPath}` : ''}`
                : 'Waiting to start…'}
        </Text>
        <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }} data-testid="target-counts">
          {report
            ? `${countsLine(report.counts)} · ${formatBytes(report.bytesWritten)} written in ${formatDuration(report.durationMs)}`
            : target.ok && target.summary
              ? `${countsLine(target.summary.counts)} planned · ${formatBytes(copied)} of ${formatBytes(total)}`
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
  const bytesTotal = planned.reduce((n, t) => n + (t.summary?.bytesToCopy ?? 0), 0);
  const bytesDone = record
    ? record.reports.reduce((n, r) => n + r.bytesWritten, 0)
    : planned.reduce((n, t) => n + (run.bytesCopied[t.targetId] ?? 0), 0);
  const overall = record ? 1 : overallFraction(planned.map((t) => run.fractions[t.targetId] ?? 0));
  const percent = Math.floor(overall * 100);
  const rate = record
    ? 0
    : samples.reduce((n, s) => n + (s.phase === 'transferring' ? s.bytesPerSecond : 0), 0);
  const eta = rate > 0 && bytesDone < bytesTotal ? ((bytesTotal - bytesDone) / rate) * 1000 : null;
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
          <Text size="sm" fw={600} data-testid="overall-percent" data-fraction={overall}>
            {percent} %
          </Text>
        </Group>
        <Progress
          size="xl"
          value={overall * 100}
          animated={!record}
          striped={!record}
          aria-label="Overall progress"
        />
        <SimpleGrid cols={4} mt="md">
          <Stat
            label={record ? 'Written' : 'Copied'}
            value={record ? formatBytes(bytesDone) : `${formatBytes(bytesDone)} / ${formatBytes(bytesTotal)}`}
            testId="overall-bytes"
          />
          <Stat label="Rate" value={record ? '—' : `${formatBytes(rate)}/s`} />
          <Stat label={record ? 'Took' : 'Elapsed'} value={formatDuration(Math.max(0, elapsed))} />
          <Stat
            label="Remaining"
            value={
              record
                ? 'done'
                : eta !== null
                  ? formatDuration(eta)
                  : bytesDone >= bytesTotal && samples.length > 0
                    ? 'finishing…'
                    : 'estimating…'
            }
            testId="eta"
          />
        </SimpleGrid>
        <Text size="xs" c="dimmed" mt="sm" ff="monospace" truncate="end" data-testid="current-file">
          {record
            ? 'All destinations have reported.'
            : latest
              ? `Now: ${latest.currentPath}`
              : samples[0]
                ? phaseWords(samples[0])
                : 'Preparing…'}
        </Text>
      </Paper>
      <Stack gap="xs">
        {plan.targets.map((t) => (
          <TargetRow
            key={t.targetId}
            target={t}
            sample={run.progress[t.targetId]}
            fraction={run.fractions[t.targetId] ?? 0}
            copied={run.bytesCopied[t.targetId] ?? 0}
            name={nameOf(t)}
          />
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
