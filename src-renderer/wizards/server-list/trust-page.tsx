import { useCallback, useEffect, useState } from 'react';
import {
  Alert,
  Button,
  Checkbox,
  Code,
  Group,
  Loader,
  Paper,
  SimpleGrid,
  Stack,
  Text,
  ThemeIcon,
} from '@mantine/core';
import type { Output } from '../../../src-shared/contract/api.js';
import type { ServerListState, SshServer } from '../../../src-shared/model/server.js';
import { call } from '../../api/client.js';

export type TestResult = Output<'servers.test'>;
type PresentedKey = NonNullable<Extract<TestResult, { ok: false }>['presentedKey']>;

function formatBytes(n: number | null): string {
  if (n === null) return 'unknown';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(v < 10 && u > 0 ? 1 : 0)} ${units[u]}`;
}

function KeyCard({ label, keyInfo, testId }: { label: string; keyInfo: PresentedKey; testId: string }) {
  return (
    <Paper withBorder p="sm" radius="md" data-testid={testId}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Code block fz="sm" mt={4}>
        {keyInfo.display}
      </Code>
      <Text size="xs" c="dimmed" mt={4}>
        Algorithm {keyInfo.algorithm}
      </Text>
    </Paper>
  );
}

/** What the host offers, from a successful test: the engine's fast paths and the free space. */
export function Capabilities({ result }: { result: Extract<TestResult, { ok: true }> }) {
  const c = result.capabilities;
  const flag = (ok: boolean) => (ok ? '✓' : '—');
  return (
    <SimpleGrid cols={3} spacing="xs" data-testid="capabilities">
      <Text size="sm">OS: {c.os || 'unknown'}</Text>
      <Text size="sm">Shell: {c.shell || 'unknown'}</Text>
      <Text size="sm">
        Free in {c.freeSpacePath}: {formatBytes(c.freeBytes)}
      </Text>
      <Text size="sm">{flag(c.findPrintf)} find -printf</Text>
      <Text size="sm">{flag(c.tar)} tar</Text>
      <Text size="sm">{flag(c.sha256sum)} sha256sum</Text>
    </SimpleGrid>
  );
}

export type TrustPageProps = {
  readonly server: SshServer;
  onState(state: ServerListState): void;
  onTested(result: TestResult): void;
};

/** Page 3: first contact shows the host key as `ssh-keygen -lf` prints it; the user confirms before it is pinned. */
export function TrustPage({ server, onState, onTested }: TrustPageProps) {
  const [result, setResult] = useState<TestResult | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [understood, setUnderstood] = useState(false);
  const where = `${server.host}:${server.port}`;

  const test = useCallback(async () => {
    setBusy(true);
    setError(null);
    try {
      const r = await call('servers.test', { id: server.id });
      setResult(r);
      onTested(r);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }, [server.id, onTested]);

  useEffect(() => {
    void test();
  }, [test]);

  const pin = async (kind: 'trust' | 'replace', fingerprint: string) => {
    setBusy(true);
    setError(null);
    try {
      const r =
        kind === 'trust'
          ? await call('servers.trustHostKey', { id: server.id, fingerprint })
          : await call('servers.replaceHostKey', { id: server.id, confirm: true, fingerprint });
      onState(r.state);
      setUnderstood(false);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      setBusy(false);
      return;
    }
    await test();
  };

  const knownHosts = async () => {
    setBusy(true);
    try {
      const r = await call('servers.importKnownHost', { id: server.id });
      onState(r.state);
      setError(r.pinned ? null : r.message);
      if (r.pinned) await test();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Stack gap="md" data-testid="trust-page">
      <Text size="sm" c="dimmed">
        ConfigSync checks the identity of <b>{server.name}</b> ({where}) by its host key before it sends
        anything.
      </Text>
      {busy && !result && (
        <Group gap="xs">
          <Loader size="sm" />
          <Text size="sm">
            Contacting {where} (timeout {server.contactTimeoutSec} s)…
          </Text>
        </Group>
      )}
      {result &&
        !result.ok &&
        (result.code === 'HOST_KEY_UNKNOWN' || result.code === 'HOST_KEY_NEW_ALGORITHM') &&
        result.presentedKey && (
          <Stack gap="sm">
            <Alert
              color="blue"
              title={
                result.code === 'HOST_KEY_NEW_ALGORITHM'
                  ? 'A key of a new type: confirm it'
                  : 'First contact: confirm the host key'
              }
            >
              {result.code === 'HOST_KEY_NEW_ALGORITHM' &&
                'The server no longer offers the type of key that is pinned, and presents a key of another type. This is not a change of the pinned key; it is added beside it once you confirm it. '}
              Compare this with what the server itself shows, e.g.{' '}
              <Code>ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub</Code> on its console. Trust it only if
              they are the same.
            </Alert>
            <KeyCard label={`Presented by ${where}`} keyInfo={result.presentedKey} testId="presented-key" />
            <Group>
              <Button
                onClick={() => result.presentedKey && pin('trust', result.presentedKey.fingerprint)}
                loading={busy}
              >
                Trust this key
              </Button>
              <Button variant="default" onClick={knownHosts} disabled={busy}>
                Check ~/.ssh/known_hosts
              </Button>
            </Group>
          </Stack>
        )}
      {result && !result.ok && result.code === 'HOST_KEY_CHANGED' && result.presentedKey && (
        <Stack gap="sm">
          <Alert color="red" title="The host key has CHANGED">
            {result.message}
          </Alert>
          <SimpleGrid cols={2}>
            {result.pinnedKey && <KeyCard label="Pinned" keyInfo={result.pinnedKey} testId="pinned-key" />}
            <KeyCard label="Presented now" keyInfo={result.presentedKey} testId="presented-key" />
          </SimpleGrid>
          <Checkbox
            checked={understood}
            onChange={(e) => setUnderstood(e.currentTarget.checked)}
            label="I know why the key changed (the server was reinstalled or its key was replaced)"
          />
          <Group>
            <Button
              color="red"
              disabled={!understood}
              loading={busy}
              onClick={() => result.presentedKey && pin('replace', result.presentedKey.fingerprint)}
            >
              Replace pinned key
            </Button>
          </Group>
        </Stack>
      )}
      {server.pinnedHostKey &&
        result &&
        (result.ok ||
          result.code === 'AUTH_FAILED' ||
          result.code === 'NO_AGENT' ||
          result.code === 'KEY_FILE') && (
          <Group gap="sm" wrap="nowrap" data-testid="key-pinned">
            <ThemeIcon color="green" radius="xl" size="md">
              ✓
            </ThemeIcon>
            <div>
              <Text size="sm" fw={500}>
                Host key pinned
              </Text>
              <Code fz="sm">{result.ok ? result.hostKey.display : server.pinnedHostKey.fingerprint}</Code>
            </div>
          </Group>
        )}
      {result?.ok && (
        <Alert color="green" title="Key login works" data-testid="test-ok">
          <Stack gap="xs">
            <Text size="sm">{result.message}</Text>
            <Capabilities result={result} />
          </Stack>
        </Alert>
      )}
      {result && !result.ok && result.code === 'AUTH_FAILED' && server.pinnedHostKey && (
        <Alert color="yellow" title="Key login is not set up yet">
          The host is trusted. The next page installs the ConfigSync key with the password, once.
        </Alert>
      )}
      {result &&
        !result.ok &&
        !['HOST_KEY_UNKNOWN', 'HOST_KEY_NEW_ALGORITHM', 'HOST_KEY_CHANGED', 'AUTH_FAILED'].includes(
          result.code,
        ) && (
          <Alert color="red" title={`Cannot reach ${server.name} (${result.code})`} data-testid="test-failed">
            {result.message}
          </Alert>
        )}
      {error && (
        <Alert color="red" data-testid="trust-error">
          {error}
        </Alert>
      )}
      <Group>
        <Button variant="subtle" size="xs" onClick={test} disabled={busy}>
          Test again
        </Button>
      </Group>
    </Stack>
  );
}
