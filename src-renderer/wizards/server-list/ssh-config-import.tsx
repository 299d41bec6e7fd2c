import { useState } from 'react';
import { Alert, Button, Checkbox, Collapse, Group, Paper, Stack, Text } from '@mantine/core';
import type { Output } from '../../../src-shared/contract/api.js';
import { call } from '../../api/client.js';
import { useServerList } from './server-list-store.js';

type Host = Output<'servers.sshConfigHosts'>['hosts'][number];

/** A convenience on the list page: pick hosts from ~/.ssh/config and add them to the draft as secondaries. */
export function SshConfigImport() {
  const accept = useServerList((s) => s.accept);
  const [hosts, setHosts] = useState<Host[] | null>(null);
  const [path, setPath] = useState('');
  const [picked, setPicked] = useState<ReadonlySet<string>>(new Set());
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const read = async () => {
    setBusy(true);
    setError(null);
    try {
      const r = await call('servers.sshConfigHosts', {});
      setHosts(r.hosts);
      setPath(r.path);
      setPicked(new Set());
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  const addPicked = async () => {
    setBusy(true);
    setError(null);
    try {
      // Jump hosts named by ProxyJump are added with them (as Not Selected entries of their own).
      const r = await call('servers.importSshConfig', { aliases: [...picked], ...(path ? { path } : {}) });
      accept(r.state);
      if (r.skipped.length > 0) {
        setError(r.skipped.map((s) => `${s.alias}: ${s.reason}`).join('\n'));
        return;
      }
      setHosts(null);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Stack gap="xs">
      <Group>
        <Button variant="subtle" size="xs" onClick={read} loading={busy && hosts === null}>
          Import from ~/.ssh/config…
        </Button>
      </Group>
      <Collapse in={hosts !== null}>
        <Paper withBorder p="sm" radius="md">
          <Text size="sm" fw={500} mb="xs">
            Hosts in {path}
          </Text>
          {hosts?.length === 0 && (
            <Text size="sm" c="dimmed">
              No concrete Host entries (patterns like * are skipped).
            </Text>
          )}
          <Stack gap={6}>
            {hosts?.map((h) => (
              <Checkbox
                key={h.alias}
                disabled={h.alreadyListed}
                checked={picked.has(h.alias)}
                onChange={(e) => {
                  const next = new Set(picked);
                  if (e.currentTarget.checked) next.add(h.alias);
                  else next.delete(h.alias);
                  setPicked(next);
                }}
                label={`${h.alias} — ${h.user ?? 'root'}@${h.host}:${h.port}${h.proxyJump ? ` through ${h.proxyJump}` : ''}${h.alreadyListed ? ' (already listed)' : ''}${h.problem ? ` (${h.problem})` : ''}`}
              />
            ))}
          </Stack>
          <Group mt="sm" gap="xs">
            <Button size="xs" onClick={addPicked} disabled={picked.size === 0} loading={busy}>
              Add {picked.size || ''} as secondaries
            </Button>
            <Button size="xs" variant="default" onClick={() => setHosts(null)}>
              Close
            </Button>
          </Group>
        </Paper>
      </Collapse>
      {error && (
        <Alert color="red" variant="light" p="xs">
          {error}
        </Alert>
      )}
    </Stack>
  );
}
