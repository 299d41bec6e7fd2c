import { useCallback, useEffect, useState } from 'react';
import {
  Alert,
  Button,
  Divider,
  Group,
  Input,
  Loader,
  Modal,
  SegmentedControl,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import type { Output } from '../../../src-shared/contract/api.js';
import { call, RpcCallError } from '../../api/client.js';
import {
  checkNotifyForm,
  describeTestResult,
  formOfSettings,
  whenChoices,
  type NotifyErrors,
  type NotifyForm,
  type NotifyWhen,
} from './notify-form.js';
import { SmtpFields } from './smtp-fields.js';

type Saved = Output<'notify.getSettings'>;
type Outcome = { readonly ok: boolean; readonly text: string };
const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Field messages the backend attached to a refused save (paths like `smtp.from`). */
function fieldErrorsOf(err: unknown): NotifyErrors {
  if (!(err instanceof RpcCallError) || !err.issues) return {};
  const out: Record<string, string> = {};
  for (const issue of err.issues) {
    const field = issue.path.replace(/^smtp\./, '').split('.')[0] ?? '';
    if (['host', 'port', 'user', 'password', 'from', 'to'].includes(field)) out[field] ??= issue.message;
  }
  return out;
}

function WhenControl(props: { label: string; value: NotifyWhen; onChange: (v: NotifyWhen) => void }) {
  return (
    <Input.Wrapper label={props.label}>
      <div>
        <SegmentedControl
          aria-label={props.label}
          transitionDuration={0}
          data={whenChoices.map((c) => ({ value: c.value, label: c.label }))}
          value={props.value}
          onChange={(v) => props.onChange(v as NotifyWhen)}
        />
      </div>
    </Input.Wrapper>
  );
}

/** Manage › Notifications: desktop notices and the per-run summary e-mail, with a test send. */
export function NotificationsDialog({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const [saved, setSaved] = useState<Saved | null>(null);
  const [form, setForm] = useState<NotifyForm | null>(null);
  const [errors, setErrors] = useState<NotifyErrors>({});
  const [busy, setBusy] = useState<'save' | 'test' | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const s = await call('notify.getSettings', {});
      setSaved(s);
      setForm(formOfSettings(s));
      setLoadError(null);
    } catch (err) {
      setLoadError(message(err));
    }
  }, []);
  useEffect(() => {
    if (opened) {
      setErrors({});
      setOutcome(null);
      void load();
    }
  }, [opened, load]);

  const change = (patch: Partial<NotifyForm>) => {
    setForm((f) => (f ? { ...f, ...patch } : f));
    setOutcome(null);
  };

  /** Saves the form; the stored settings (and whether a password is set) come back, the password box empties. */
  const save = async (): Promise<boolean> => {
    if (!form) return false;
    const checked = checkNotifyForm(form);
    if (!checked.ok) {
      setErrors(checked.errors);
      setOutcome({ ok: false, text: 'Correct the fields marked in red, then save again.' });
      return false;
    }
    setErrors({});
    try {
      const s = await call('notify.saveSettings', checked.input);
      setSaved(s);
      setForm(formOfSettings(s));
      return true;
    } catch (err) {
      setErrors(fieldErrorsOf(err));
      setOutcome({ ok: false, text: `Not saved: ${message(err)}` });
      return false;
    }
  };

  const onSave = async () => {
    setBusy('save');
    if (await save()) setOutcome({ ok: true, text: 'Notification settings saved.' });
    setBusy(null);
  };

  const onTest = async () => {
    setBusy('test');
    setOutcome(null);
    try {
      if (await save()) setOutcome(describeTestResult(await call('notify.sendTest', {})));
    } catch (err) {
      setOutcome({ ok: false, text: `The test e-mail was not sent: ${message(err)}` });
    } finally {
      setBusy(null);
    }
  };

  return (
    <Modal
      opened={opened}
      onClose={onClose}
      size={820}
      centered
      padding="lg"
      title={<Title order={3}>Notifications</Title>}
    >
      {loadError && (
        <Alert color="red" title="Cannot read the notification settings" mb="sm">
          {loadError}
        </Alert>
      )}
      {!form || !saved ? (
        !loadError && <Loader size="sm" />
      ) : (
        <Stack gap="sm">
          <Text size="sm" c="dimmed">
            After each run: a desktop notice and a summary e-mail. Failures include partial runs.
          </Text>
          <Group gap="xl" align="flex-start">
            <WhenControl
              label="Desktop notices"
              value={form.desktop}
              onChange={(desktop) => change({ desktop })}
            />
            <WhenControl label="Summary e-mail" value={form.email} onChange={(email) => change({ email })} />
          </Group>
          <Divider label="E-mail server (SMTP)" labelPosition="left" />
          <SmtpFields form={form} errors={errors} hasPassword={saved.hasPassword} onChange={change} />
          {outcome && (
            <Alert
              color={outcome.ok ? 'green' : 'red'}
              role={outcome.ok ? 'status' : 'alert'}
              data-testid="notify-outcome"
            >
              {outcome.text}
            </Alert>
          )}
          <Group justify="space-between" mt="xs">
            <Text size="xs" c="dimmed">
              Send test e-mail saves first, then mails the recipients above.
            </Text>
            <Group gap="sm">
              <Button
                variant="default"
                onClick={() => void onTest()}
                loading={busy === 'test'}
                disabled={busy !== null}
              >
                Send test e-mail
              </Button>
              <Button onClick={() => void onSave()} loading={busy === 'save'} disabled={busy !== null}>
                Save
              </Button>
            </Group>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
