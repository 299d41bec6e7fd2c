import { useState } from 'react';
import {
  ActionIcon,
  Button,
  Fieldset,
  Group,
  NumberInput,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import { roleLabels, serverRole, type ServerRole } from '../../../src-shared/model/server.js';
import { call, shellKind } from '../../api/client.js';
import { choosePath } from '../../api/files.js';
import type { FormErrors, ServerForm } from './server-form.js';

export type ServerInfoPageProps = {
  readonly form: ServerForm;
  readonly errors: FormErrors;
  onChange(next: ServerForm): void;
};

/** Page 2: what the user types about one server; problems appear beside their field. */
export function ServerInfoPage({ form, errors, onChange }: ServerInfoPageProps) {
  const [discovery, setDiscovery] = useState<{ text: string; ok: boolean } | null>(null);
  const [discovering, setDiscovering] = useState(false);
  const set = <K extends keyof ServerForm>(key: K, value: ServerForm[K]) =>
    onChange({ ...form, [key]: value });
  const local = form.kind === 'local';

  const discover = async () => {
    setDiscovering(true);
    try {
      const r = await call('servers.discover', { host: form.host.trim() });
      setDiscovery({
        ok: true,
        text: `${r.host} resolves to ${r.addresses.map((a) => a.address).join(', ')}`,
      });
    } catch (err) {
      setDiscovery({ ok: false, text: err instanceof Error ? err.message : String(err) });
    } finally {
      setDiscovering(false);
    }
  };

  return (
    <Stack gap="md">
      <SimpleGrid cols={2} spacing="md">
        <TextInput
          label="Name"
          description="How the server is shown here; need not be its host name"
          placeholder="Plant A primary"
          value={form.name}
          error={errors.name}
          onChange={(e) => set('name', e.currentTarget.value)}
          data-autofocus
          required
        />
        <div>
          <Text size="sm" fw={500} mb={4}>
            Role
          </Text>
          <SegmentedControl
            fullWidth
            aria-label="Role"
            value={form.role}
            onChange={(v) => set('role', v as ServerRole)}
            data={serverRole.options.map((r) => ({ value: r, label: roleLabels[r] }))}
          />
        </div>
      </SimpleGrid>
      {!local && (
        <>
          <Group align="flex-start" gap="md" wrap="nowrap">
            <TextInput
              style={{ flex: 1 }}
              label="Host"
              description="Host name or IP address"
              placeholder="ctp-a.example.net"
              value={form.host}
              error={errors.host}
              onChange={(e) => {
                set('host', e.currentTarget.value);
                setDiscovery(null);
              }}
              required
              rightSectionWidth={96}
              rightSection={
                <Button
                  size="compact-xs"
                  variant="light"
                  onClick={discover}
                  loading={discovering}
                  disabled={form.host.trim() === ''}
                >
                  Discover
                </Button>
              }
            />
            <NumberInput
              w={170}
              label="Port"
              description="SSH port"
              value={form.port}
              error={errors.port}
              onChange={(v) => set('port', v)}
              allowDecimal={false}
              hideControls
            />
          </Group>
          {discovery && (
            <Text size="sm" c={discovery.ok ? 'teal' : 'red'} mt={-8} data-testid="discover-result">
              {discovery.text}
            </Text>
          )}
          <Group align="flex-start" gap="md" grow>
            <TextInput
              label="SSH user"
              value={form.user}
              error={errors.user}
              onChange={(e) => set('user', e.currentTarget.value)}
              required
            />
            <NumberInput
              label="Contact timeout (seconds)"
              description="A host that does not answer in time is skipped"
              value={form.contactTimeoutSec}
              error={errors.contactTimeoutSec}
              onChange={(v) => set('contactTimeoutSec', v)}
              min={1}
              allowDecimal={false}
            />
          </Group>
          <div>
            <Text size="sm" fw={500} mb={4}>
              Log in with
            </Text>
            <SegmentedControl
              aria-label="Log in with"
              value={form.authKind}
              onChange={(v) => set('authKind', v as ServerForm['authKind'])}
              data={[
                { value: 'app-key', label: 'ConfigSync key (recommended)' },
                { value: 'agent', label: 'My ssh-agent' },
                { value: 'key-file', label: 'A key file' },
              ]}
            />
            {form.authKind === 'key-file' && (
              <Group mt="xs" align="flex-end" wrap="nowrap" gap="xs">
                <TextInput
                  style={{ flex: 1 }}
                  label="Private key file"
                  placeholder="~/.ssh/id_ed25519"
                  value={form.keyPath}
                  error={errors.keyPath}
                  onChange={(e) => set('keyPath', e.currentTarget.value)}
                />
                {/* A browser never tells a page where a file is: there the path is typed. */}
                {shellKind === 'electron' && (
                  <Button
                    variant="default"
                    onClick={() =>
                      void choosePath([
                        { name: 'Every file (a private key has often no extension)', extensions: ['*'] },
                      ]).then(
                        (p) => p && set('keyPath', p),
                        () => undefined,
                      )
                    }
                  >
                    Choose…
                  </Button>
                )}
              </Group>
            )}
          </div>
        </>
      )}
      <Fieldset legend="Path variables" variant="filled">
        <Stack gap="xs">
          <Text size="xs" c="dimmed">
            The same sync set can live at different paths on different machines:{' '}
            <code>CONFIG_ROOT=/opt/app/conf</code>.
          </Text>
          {form.vars.map((v, i) => (
            <Group key={i} align="flex-start" gap="xs" wrap="nowrap">
              <TextInput
                w={200}
                placeholder="CONFIG_ROOT"
                aria-label={`Variable ${i + 1} name`}
                value={v.name}
                error={errors[`vars.${i}`]}
                onChange={(e) =>
                  set(
                    'vars',
                    form.vars.map((x, j) =>
                      j === i ? { ...x, name: e.currentTarget.value.toUpperCase() } : x,
                    ),
                  )
                }
              />
              <TextInput
                style={{ flex: 1 }}
                placeholder="/opt/app/conf"
                aria-label={`Variable ${i + 1} value`}
                value={v.value}
                onChange={(e) =>
                  set(
                    'vars',
                    form.vars.map((x, j) => (j === i ? { ...x, value: e.currentTarget.value } : x)),
                  )
                }
              />
              <ActionIcon
                mt={6}
                variant="subtle"
                color="red"
                aria-label={`Remove variable ${i + 1}`}
                onClick={() =>
                  set(
                    'vars',
                    form.vars.filter((_, j) => j !== i),
                  )
                }
              >
                ✕
              </ActionIcon>
            </Group>
          ))}
          <Group>
            <Button
              size="xs"
              variant="subtle"
              onClick={() => set('vars', [...form.vars, { name: '', value: '' }])}
            >
              + Add variable
            </Button>
          </Group>
        </Stack>
      </Fieldset>
    </Stack>
  );
}
