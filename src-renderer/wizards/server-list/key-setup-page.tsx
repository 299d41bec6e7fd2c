import { Alert, Button, Code, Group, Loader, PasswordInput, Stack, Text } from '@mantine/core';
import { useEffect, useState } from 'react';
import type { SshServer } from '../../../src-shared/model/server.js';
import { call } from '../../api/client.js';

/** Where the app key is kept (a 0600 file or the OS keychain), as the main process says. */
function KeyProtectionNote() {
  const [words, setWords] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    call('servers.appKey', {})
      .then((r) => live && setWords(r.protection.words))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, []);
  return words ? (
    <Text size="xs" c="dimmed" data-testid="key-protection">
      {words}
    </Text>
  ) : null;
}

export type KeySetupOutcome = {
  readonly ok: boolean;
  readonly message: string;
  readonly added?: boolean;
  readonly publicKey?: string;
};

export type KeySetupPageProps = {
  readonly server: SshServer;
  /** Key login already worked on the trust page. */
  readonly keyLoginWorks: boolean;
  readonly password: string;
  onPassword(value: string): void;
  readonly busy: boolean;
  readonly outcome: KeySetupOutcome | null;
  onRun(): void;
};

/** Page 4: the password, typed once, installs the app's key; it is sent for this one login and kept nowhere. */
export function KeySetupPage({
  server,
  keyLoginWorks,
  password,
  onPassword,
  busy,
  outcome,
  onRun,
}: KeySetupPageProps) {
  const who = `${server.user}@${server.host}`;
  return (
    <Stack gap="md" data-testid="key-setup-page">
      <Text size="sm" c="dimmed">
        ConfigSync logs in with its own SSH key, so it never needs the password again. It adds its public key
        to <Code>~/.ssh/authorized_keys</Code> on {server.name} (only if it is not there yet), then proves
        that key login works.
      </Text>
      <KeyProtectionNote />
      {keyLoginWorks && !outcome && (
        <Alert color="green" title="Key login already works">
          Nothing to do: Next goes on without a password. You may still run the setup again.
        </Alert>
      )}
      {server.auth.kind !== 'app-key' && (
        <Alert color="yellow">
          {server.name} is set to log in with {server.auth.kind === 'agent' ? 'your ssh-agent' : 'a key file'}
          ; setting up the ConfigSync key switches it to the ConfigSync key.
        </Alert>
      )}
      <PasswordInput
        label={`Password for ${who}`}
        description="Used for this one login; never stored or logged"
        value={password}
        onChange={(e) => onPassword(e.currentTarget.value)}
        autoComplete="off"
        disabled={busy}
        data-autofocus
      />
      <Group>
        <Button onClick={onRun} loading={busy} disabled={password === ''}>
          Set up key login
        </Button>
      </Group>
      {busy && (
        <Group gap="xs" data-testid="key-setup-progress">
          <Loader size="sm" />
          <Text size="sm">
            Logging in with the password, installing the key, then proving key login on a fresh connection…
          </Text>
        </Group>
      )}
      {outcome && (
        <Alert
          color={outcome.ok ? 'green' : 'red'}
          title={outcome.ok ? 'Key login works' : 'Key setup failed'}
          data-testid="key-setup-result"
        >
          <Text size="sm">{outcome.message}</Text>
          {outcome.publicKey && (
            <Text size="xs" c="dimmed" mt={4} style={{ wordBreak: 'break-all' }}>
              {outcome.publicKey}
            </Text>
          )}
        </Alert>
      )}
    </Stack>
  );
}
