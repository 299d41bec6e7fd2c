import { useCallback, useEffect, useState } from 'react';
import { Alert, Badge, Button, Checkbox, Code, Group, ScrollArea, Stack, Text } from '@mantine/core';
import type { Output } from '../../../src-shared/contract/api.js';
import { describeRunner } from '../../../src-shared/model/scheduler-runner.js';
import { call } from '../../api/client.js';

type View = Output<'service.status'>;
const message = (err: unknown) => (err instanceof Error ? err.message : String(err));
const managerWords = {
  systemd: { system: 'systemd system unit', user: 'systemd user unit' },
  launchd: { system: 'launchd daemon', user: 'launchd agent' },
  'task-scheduler': { system: 'Task Scheduler task', user: 'Task Scheduler task' },
} as const;

/**
 * Schedules › Run without the app: who runs this store's schedules now, and the scheduler as a
 * service of this host (install, uninstall, its definition and the newest lines of its log), the same
 * `service.*` methods as `configsync service`.
 */
export function ServicePanel({ opened }: { opened: boolean }) {
  const [view, setView] = useState<View | null>(null);
  const [allowRoot, setAllowRoot] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [shown, setShown] = useState<'definition' | 'log' | null>(null);
  const [log, setLog] = useState<ReadonlyArray<string>>([]);

  const load = useCallback(async () => {
    try {
      setView(await call('service.status', {}));
      setError(null);
    } catch (err) {
      setError(message(err));
    }
  }, []);
  useEffect(() => {
    if (opened) void load();
  }, [opened, load]);

  const act = async (what: 'install' | 'uninstall') => {
    setBusy(true);
    setDone(null);
    try {
      const options = allowRoot ? { allowRoot: true } : {};
      if (what === 'install') {
        setView(await call('service.install', options));
        setDone('Installed: the schedules of this store now run as a service of this host.');
      } else {
        const r = await call('service.uninstall', options);
        setView(r.view);
        setDone(r.removed ? 'Removed.' : 'No service of this store was installed.');
      }
      setError(null);
    } catch (err) {
      setError(message(err));
    } finally {
      setBusy(false);
    }
  };
  const showLog = async () => {
    try {
      setLog((await call('service.logs', { lines: 20 })).lines);
      setShown(shown === 'log' ? null : 'log');
    } catch (err) {
      setError(message(err));
    }
  };

  if (!view) return error ? <Alert color="red">{error}</Alert> : null;
  const asRoot = view.notes.some((n) => n.includes('--allow-root'));
  return (
    <Stack gap="xs" data-testid="service-panel">
      <Text size="sm" data-testid="service-runner">
        {describeRunner(view.runner)}
      </Text>
      <Group gap="xs">
        <Text size="sm">
          {managerWords[view.manager][view.scope]} <Code>{view.name}</Code>, as {view.user}:
        </Text>
        <Badge
          size="sm"
          variant="light"
          color={view.installed ? 'green' : 'gray'}
          data-testid="service-state"
        >
          {view.installed ? view.state : 'not installed'}
        </Badge>
      </Group>
      {!view.available && view.unavailableReason && (
        <Alert color="yellow" variant="light" data-testid="service-unavailable">
          {view.unavailableReason}
        </Alert>
      )}
      {view.notes.map((n) => (
        <Text key={n} size="xs" c="dimmed">
          {n}
        </Text>
      ))}
      {error && (
        <Alert color="red" withCloseButton onClose={() => setError(null)} data-testid="service-error">
          {error}
        </Alert>
      )}
      {done && (
        <Alert color="green" withCloseButton onClose={() => setDone(null)}>
          {done}
        </Alert>
      )}
      <Group gap="xs">
        {asRoot && (
          <Checkbox
            size="xs"
            label="Run as root (the store belongs to root)"
            checked={allowRoot}
            onChange={(e) => setAllowRoot(e.currentTarget.checked)}
          />
        )}
        <Button size="xs" onClick={() => void act('install')} loading={busy} disabled={!view.available}>
          {view.installed ? 'Reinstall service' : 'Install service'}
        </Button>
        {view.installed && (
          <Button size="xs" variant="light" color="red" onClick={() => void act('uninstall')} loading={busy}>
            Uninstall
          </Button>
        )}
        <Button
          size="xs"
          variant="subtle"
          onClick={() => setShown(shown === 'definition' ? null : 'definition')}
        >
          {shown === 'definition' ? 'Hide' : 'Show'} {view.definitionPath.split(/[\\/]/).pop()}
        </Button>
        <Button size="xs" variant="subtle" onClick={() => void showLog()}>
          {shown === 'log' ? 'Hide log' : 'Recent log'}
        </Button>
      </Group>
      {shown && (
        <ScrollArea.Autosize mah="30vh">
          <Code block data-testid={`service-${shown}`}>
            {shown === 'definition' ? view.definition : log.join('\n') || 'The log is empty.'}
          </Code>
        </ScrollArea.Autosize>
      )}
    </Stack>
  );
}
