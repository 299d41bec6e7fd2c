import {
  Checkbox,
  Grid,
  Group,
  PasswordInput,
  SimpleGrid,
  Switch,
  TagsInput,
  Text,
  TextInput,
} from '@mantine/core';
import type { NotifyErrors, NotifyForm } from './notify-form.js';

type Props = {
  readonly form: NotifyForm;
  readonly errors: NotifyErrors;
  readonly hasPassword: boolean;
  readonly onChange: (patch: Partial<NotifyForm>) => void;
};

/**
 * The SMTP server, login and addresses. The password box is write-only: it starts empty whatever is
 * stored, and the line under it says only whether a password is stored.
 */
export function SmtpFields({ form, errors, hasPassword, onChange }: Props) {
  const passwordNote = form.removePassword
    ? 'The stored password will be removed when you save.'
    : hasPassword
      ? 'A password is set (it is never shown). Leave empty to keep it.'
      : 'No password is set.';
  return (
    <>
      <Grid gutter="sm" align="flex-start">
        <Grid.Col span={5}>
          <TextInput
            label="SMTP server"
            placeholder="mail.example.com"
            value={form.host}
            error={errors.host}
            onChange={(e) => onChange({ host: e.currentTarget.value })}
          />
        </Grid.Col>
        <Grid.Col span={3}>
          <TextInput
            label="Port"
            inputMode="numeric"
            value={form.port}
            error={errors.port}
            onChange={(e) => onChange({ port: e.currentTarget.value })}
          />
        </Grid.Col>
        <Grid.Col span={4} pt={30}>
          <Switch
            label="TLS from the start (465)"
            description="Off: STARTTLS when offered"
            checked={form.secure}
            onChange={(e) => onChange({ secure: e.currentTarget.checked })}
          />
        </Grid.Col>
      </Grid>
      <SimpleGrid cols={2} spacing="sm">
        <TextInput
          label="User"
          description="Empty for a relay that takes mail without login."
          value={form.user}
          error={errors.user}
          autoComplete="off"
          onChange={(e) => onChange({ user: e.currentTarget.value })}
        />
        <PasswordInput
          label="Password"
          description={
            <Text span size="xs" c="dimmed" data-testid="password-state">
              {passwordNote}
            </Text>
          }
          placeholder={hasPassword ? '(unchanged)' : ''}
          value={form.password}
          error={errors.password}
          autoComplete="new-password"
          disabled={form.removePassword}
          onChange={(e) => onChange({ password: e.currentTarget.value })}
        />
      </SimpleGrid>
      <Group gap="xl">
        {hasPassword && (
          <Checkbox
            label="Remove the stored password"
            checked={form.removePassword}
            onChange={(e) => onChange({ removePassword: e.currentTarget.checked, password: '' })}
          />
        )}
        <Checkbox
          label="Accept a certificate no CA vouches for"
          checked={form.allowUntrustedCertificate}
          onChange={(e) => onChange({ allowUntrustedCertificate: e.currentTarget.checked })}
        />
      </Group>
      <SimpleGrid cols={2} spacing="sm">
        <TextInput
          label="From"
          description="The sender address of every mail."
          placeholder="configsync@example.com"
          value={form.from}
          error={errors.from}
          onChange={(e) => onChange({ from: e.currentTarget.value })}
        />
        <TagsInput
          label="To"
          description="Press Enter or type a comma after each address."
          placeholder={form.to.length === 0 ? 'ops@example.com' : ''}
          value={[...form.to]}
          error={errors.to}
          splitChars={[',', ' ', ';']}
          acceptValueOnBlur
          clearable
          onChange={(to) => onChange({ to })}
        />
      </SimpleGrid>
    </>
  );
}
