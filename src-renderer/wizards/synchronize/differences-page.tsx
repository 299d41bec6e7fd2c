import { useEffect, useState } from 'react';
import { Alert, Badge, Button, Center, Group, Progress, Stack, Tabs, Text, Title } from '@mantine/core';
import { formatDuration } from './format.js';
import { useSyncWizard, type PlanTarget } from './sync-wizard-store.js';
import { changeCount, TargetPanel } from './target-panel.js';

/** The name a target goes by: the server's name, and the item when a set has several. */
export function useTargetName(): (t: Pick<PlanTarget, 'serverId' | 'item'>) => string {
  const servers = useSyncWizard((s) => s.servers);
  const plan = useSyncWizard((s) => s.plan);
  const items = new Set(plan?.targets.map((t) => t.item));
  return (t) => {
    const name = servers?.find((s) => s.id === t.serverId)?.name ?? t.serverId;
    return items.size > 1 ? `${name} · ${t.item}` : name;
  };
}

function Planning({
  startedAt,
  destinations,
  onStop,
}: {
  startedAt: number;
  destinations: number;
  onStop: () => void;
}) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(t);
  }, []);
  return (
    <Center mih={320} data-testid="planning">
      <Stack align="center" gap="sm" w={420}>
        <Title order={4}>Comparing…</Title>
        <Text size="sm" c="dimmed" ta="center">
          Scanning the source once and comparing it with {destinations} destination
          {destinations === 1 ? '' : 's'}. Nothing is changed yet.
        </Text>
        <Progress value={100} animated striped w="100%" aria-label="Comparing" />
        <Text size="xs" c="dimmed">
          {formatDuration(now - startedAt)}
        </Text>
        <Button variant="default" size="xs" onClick={onStop}>
          Stop comparing
        </Button>
      </Stack>
    </Center>
  );
}

function TabLabel({ target, name }: { target: PlanTarget; name: string }) {
  const n = changeCount(target);
  return (
    <Group gap={6} wrap="nowrap">
      <span>{name}</span>
      {!target.ok ? (
        <Badge size="xs" color={target.code === 'INTERRUPTED_RUN' ? 'red' : 'orange'} variant="light">
          {target.code === 'INTERRUPTED_RUN'
            ? 'recover first'
            : target.status === 'unreachable'
              ? 'unreachable'
              : target.status === 'sudo-refused'
                ? 'sudo refused'
                : 'not planned'}
        </Badge>
      ) : n === 0 ? (
        <Badge size="xs" color="teal" variant="light">
          in sync
        </Badge>
      ) : (
        <Badge size="xs" color="blue" variant="filled">
          {n.toLocaleString('en-US')}
        </Badge>
      )}
    </Group>
  );
}

/** Page 2: what would change on each destination, computed live. */
export function DifferencesPage() {
  const { plan, planning, destinationIds, stopPlanning, sourceId, servers } = useSyncWizard();
  const nameOf = useTargetName();
  const [tab, setTab] = useState<string | null>(null);
  const first = plan?.targets[0]?.targetId ?? null;
  useEffect(() => setTab(first), [first]);

  if (planning)
    return (
      <Planning startedAt={planning.startedAt} destinations={destinationIds.length} onStop={stopPlanning} />
    );
  if (!plan) return null;

  const sourceName = servers?.find((s) => s.id === sourceId)?.name ?? 'source';
  const allInSync = plan.targets.every((t) => !t.ok || changeCount(t) === 0);
  return (
    <Stack gap="sm" data-testid="differences-page">
      {allInSync &&
        (plan.targets.some((t) => t.ok) ? (
          <Alert color="teal" data-testid="all-in-sync">
            Every reachable destination is already in sync: there is nothing to do.
          </Alert>
        ) : (
          <Alert color="orange" data-testid="none-planned">
            No destination can be synchronized now: each tab says why.
          </Alert>
        ))}
      <Tabs value={tab} onChange={setTab} keepMounted={false} variant="outline">
        <Tabs.List>
          {plan.targets.map((t) => (
            <Tabs.Tab key={t.targetId} value={t.targetId} data-testid={`tab-${nameOf(t)}`}>
              <TabLabel target={t} name={nameOf(t)} />
            </Tabs.Tab>
          ))}
        </Tabs.List>
        {plan.targets.map((t) => (
          <Tabs.Panel key={t.targetId} value={t.targetId} pt="sm">
            <TargetPanel planId={plan.planId} target={t} name={nameOf(t)} sourceName={sourceName} />
          </Tabs.Panel>
        ))}
      </Tabs>
    </Stack>
  );
}
