import { useCallback, useEffect, useRef, useState } from 'react';
import { Alert, Button, Group, Kbd, Modal, Stepper, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import type { ServerListState, SshServer } from '../../../src-shared/model/server.js';
import { call } from '../../api/client.js';
import { useServerList } from './server-list-store.js';
import { emptyForm, formOf, validateForm, type FormErrors, type ServerForm } from './server-form.js';
import { ListPage } from './list-page.js';
import { ServerInfoPage } from './server-info-page.js';
import { TrustPage, type TestResult } from './trust-page.js';
import { KeySetupPage, type KeySetupOutcome } from './key-setup-page.js';
import { SummaryPage } from './summary-page.js';
import { FooterBar } from '../../components/footer-bar.js';

const LIST = 0;
const INFO = 1;
const TRUST = 2;
const KEY = 3;
const SUMMARY = 4;

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Enter means Next, except where Enter already means something (buttons, text areas, open pickers). */
function enterIsNext(e: KeyboardEvent): boolean {
  if (
    e.key !== 'Enter' ||
    e.defaultPrevented ||
    e.isComposing ||
    e.shiftKey ||
    e.altKey ||
    e.ctrlKey ||
    e.metaKey
  )
    return false;
  const t = e.target instanceof HTMLElement ? e.target : null;
  if (t?.closest('button, a, textarea, [role="listbox"], [role="option"], [role="menu"]')) return false;
  return t?.getAttribute('aria-expanded') !== 'true';
}

/**
 * Manage › Server List: list → server info → trust → key setup → summary. Every edit is staged in
 * main's draft; Finish commits it, Cancel (Esc) throws it away. Enter is Next.
 */
export function ServerListWizard({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const {
    state,
    error: loadError,
    load,
    add,
    edit,
    remove,
    setRole,
    commit,
    reset,
    accept,
  } = useServerList();
  const [step, setStep] = useState(LIST);
  const [selected, setSelected] = useState<string | null>(null);
  const [currentId, setCurrentId] = useState<string | null>(null);
  const [form, setForm] = useState<ServerForm>(emptyForm('primary'));
  const [errors, setErrors] = useState<FormErrors>({});
  const [testResult, setTestResult] = useState<TestResult | null>(null);
  const [password, setPassword] = useState('');
  const [keyOutcome, setKeyOutcome] = useState<KeySetupOutcome | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [confirmCancel, setConfirmCancel] = useState(false);

  useEffect(() => {
    if (!opened) return;
    setStep(LIST);
    setSelected(null);
    setCurrentId(null);
    setError(null);
    setConfirmCancel(false);
    void load();
  }, [opened, load]);

  const current = state?.draft.find((s) => s.id === currentId) ?? null;
  const currentSsh: SshServer | null = current?.kind === 'ssh' ? current : null;

  const guarded = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (err) {
      setError(message(err));
    } finally {
      setBusy(false);
    }
  };

  const startServer = (id: string | null) => {
    const existing = id ? state?.draft.find((s) => s.id === id) : undefined;
    const hasPrimary = state?.draft.some((s) => s.role === 'primary') ?? false;
    setCurrentId(id);
    setForm(existing ? formOf(existing) : emptyForm(hasPrimary ? 'secondary' : 'primary'));
    setErrors({});
    setTestResult(null);
    setPassword('');
    setKeyOutcome(null);
    setError(null);
    setStep(INFO);
  };

  const saveInfo = () =>
    guarded(async () => {
      const checked = validateForm(form);
      if (!checked.ok) {
        setErrors(checked.errors);
        return;
      }
      setErrors({});
      const { role, ...fields } = checked.value;
      let id = currentId;
      if (!id) id = await add(checked.value);
      else if (form.kind === 'local') await edit(id, { name: fields.name, vars: fields.vars });
      else await edit(id, fields);
      if (current && current.role !== role) await setRole(id, role);
      setCurrentId(id);
      setStep(form.kind === 'local' ? SUMMARY : TRUST);
    });

  const runKeySetup = () =>
    guarded(async () => {
      if (!currentSsh) return;
      const secret = password;
      setPassword('');
      try {
        const r = await call('servers.setupKey', { id: currentSsh.id, password: secret });
        accept(r.state);
        setKeyOutcome({ ok: true, message: r.message, added: r.added, publicKey: r.publicKey });
      } catch (err) {
        setKeyOutcome({ ok: false, message: message(err) });
      }
    });

  const finish = () =>
    guarded(async () => {
      const wasDirty = state?.dirty ?? false;
      await commit();
      if (wasDirty)
        notifications.show({
          color: 'green',
          title: 'Server list saved',
          message: 'The staged changes were committed.',
        });
      onClose();
    });

  const cancel = () => {
    const staged = (state?.dirty ?? false) || useServerList.getState().pending > 0;
    if (staged && !confirmCancel) {
      setConfirmCancel(true);
      return;
    }
    void guarded(async () => {
      await reset();
      setConfirmCancel(false);
      onClose();
    });
  };

  const keyLoginWorks = testResult?.ok === true;
  const canNext =
    !busy &&
    ((step === LIST && state !== null) ||
      step === INFO ||
      (step === TRUST && currentSsh?.pinnedHostKey != null) ||
      step === KEY);

  const next = () => {
    if (!canNext) return;
    switch (step) {
      case LIST:
        return selected ? startServer(selected) : setStep(SUMMARY);
      case INFO:
        return void saveInfo();
      case TRUST:
        return setStep(KEY);
      case KEY:
        return password !== '' && !keyOutcome?.ok ? void runKeySetup() : setStep(SUMMARY);
      default:
        return undefined;
    }
  };

  const back = () => {
    setError(null);
    if (step === SUMMARY) setStep(currentSsh ? KEY : currentId ? INFO : LIST);
    else if (step > LIST) setStep(step - 1);
  };

  const canFinish = step === SUMMARY && !busy && state !== null && state.problems.length === 0;

  // Enter anywhere in the open wizard (also after the focused button went away) means Next / Finish.
  const onEnter = useRef<() => void>(() => undefined);
  onEnter.current = () => {
    if (step !== SUMMARY) next();
    else if (canFinish) void finish();
  };
  useEffect(() => {
    if (!opened) return;
    const onKey = (e: KeyboardEvent) => {
      if (!enterIsNext(e)) return;
      e.preventDefault();
      onEnter.current();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [opened]);

  const onTested = useCallback((r: TestResult) => setTestResult(r), []);
  const onState = useCallback((s: ServerListState) => accept(s), [accept]);

  return (
    <Modal
      opened={opened}
      onClose={cancel}
      size={1000}
      centered
      padding="lg"
      title={<Title order={3}>Server List Wizard</Title>}
      closeButtonProps={{ 'aria-label': 'Cancel' }}
      overlayProps={{ backgroundOpacity: 0.55, blur: 3 }}
    >
      <Stepper active={step} size="sm" mb="lg" allowNextStepsSelect={false}>
        <Stepper.Step label="Servers" description="List and roles" />
        <Stepper.Step
          label="Server info"
          description={current?.name ?? (step === INFO && !currentId ? 'New server' : 'Address, user')}
        />
        <Stepper.Step label="Trust" description="Host key" />
        <Stepper.Step label="Key setup" description="Password once" />
        <Stepper.Step label="Summary" description="Finish commits" />
      </Stepper>

      {loadError && (
        <Alert color="red" title="The server list cannot be read" mb="md" data-testid="load-error">
          {loadError}
        </Alert>
      )}

      {state && step === LIST && (
        <ListPage
          state={state}
          selected={selected}
          onSelect={(id) => setSelected(id === selected ? null : id)}
          onAdd={() => startServer(null)}
          onEdit={(id) => startServer(id)}
          onRemove={(id) => void guarded(() => remove(id))}
          onRole={(id, role) => void guarded(() => setRole(id, role))}
          onReset={() => void guarded(reset)}
        />
      )}
      {step === INFO && <ServerInfoPage form={form} errors={errors} onChange={setForm} />}
      {step === TRUST && currentSsh && (
        <TrustPage server={currentSsh} onState={onState} onTested={onTested} />
      )}
      {step === KEY && currentSsh && (
        <KeySetupPage
          server={currentSsh}
          keyLoginWorks={keyLoginWorks}
          password={password}
          onPassword={setPassword}
          busy={busy}
          outcome={keyOutcome}
          onRun={() => void runKeySetup()}
        />
      )}
      {state && step === SUMMARY && <SummaryPage state={state} onAddAnother={() => startServer(null)} />}

      {error && (
        <Alert color="red" mt="md" data-testid="wizard-error" withCloseButton onClose={() => setError(null)}>
          {error}
        </Alert>
      )}

      <FooterBar>
        {confirmCancel ? (
          <Group gap="sm" data-testid="confirm-cancel">
            <Text size="sm" fw={500}>
              Discard the staged changes?
            </Text>
            <Button size="xs" variant="default" onClick={() => setConfirmCancel(false)}>
              Keep editing
            </Button>
            <Button size="xs" color="red" onClick={cancel}>
              Discard changes
            </Button>
          </Group>
        ) : (
          <Text size="xs" c="dimmed">
            <Kbd size="xs">Enter</Kbd> Next · <Kbd size="xs">Esc</Kbd> Cancel
          </Text>
        )}
        <Group gap="xs">
          <Button variant="default" onClick={cancel} disabled={busy}>
            Cancel
          </Button>
          <Button variant="default" onClick={back} disabled={step === LIST || busy}>
            Back
          </Button>
          <Button onClick={next} disabled={!canNext} loading={busy && step !== TRUST}>
            Next
          </Button>
          <Button color="green" onClick={finish} disabled={!canFinish}>
            Finish
          </Button>
        </Group>
      </FooterBar>
    </Modal>
  );
}
