import { useEffect, useState } from 'react';
import { Alert, Box, Button, Group, Kbd, Modal, Stepper, Text, Title } from '@mantine/core';
import { onEvent } from '../../api/client.js';
import { useUiStore } from '../../stores/ui-store.js';
import { ConfirmPage } from './confirm-page.js';
import { DifferencesPage } from './differences-page.js';
import { ProgressPage } from './progress-page.js';
import { ResultsPage } from './results-page.js';
import { SourcePage } from './source-page.js';
import {
  CONFIRM,
  DIFFERENCES,
  firedGuards,
  PROGRESS,
  RESULTS,
  SOURCE,
  useSyncWizard,
} from './sync-wizard-store.js';
import { changeCount } from './target-panel.js';
import './sync-wizard.css';
import { FooterBar } from '../../components/footer-bar.js';

/**
 * Manage › Synchronize Configurations: source and destinations → differences → confirmation → progress →
 * results. Nothing changes on any server before the Confirmation page's Start.
 */
export function SyncWizard({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const w = useSyncWizard();
  const openDialog = useUiStore((s) => s.openDialog);
  const [askClose, setAskClose] = useState(false);
  const running = w.run !== null && w.record === null;

  useEffect(() => onEvent('sync.progress', (p) => useSyncWizard.getState().onProgress(p)), []);
  useEffect(() => {
    if (!opened) return;
    setAskClose(false);
    const s = useSyncWizard.getState();
    if (s.run && !s.record) return; // A run still going: show it as it is.
    s.reset();
    void s.load();
  }, [opened]);

  const close = () => {
    if (w.planning) w.stopPlanning();
    if (running) {
      setAskClose(true);
      return;
    }
    onClose();
  };

  const plan = w.plan;
  const hasChanges = plan?.targets.some((t) => t.ok && changeCount(t) > 0) ?? false;
  const guardsOpen = firedGuards(plan).length > 0 && !w.guardsConfirmed;
  const canNext =
    (w.step === SOURCE && w.setId !== null && w.sourceId !== null && w.destinationIds.length > 0) ||
    (w.step === DIFFERENCES && plan !== null && hasChanges) ||
    (w.step === CONFIRM && plan !== null && hasChanges && !guardsOpen) ||
    (w.step === PROGRESS && w.record !== null);
  const canFinish = w.step === RESULTS || (w.step === DIFFERENCES && plan !== null && !hasChanges);

  const next = () => {
    if (!canNext) return;
    if (w.step === SOURCE) void w.computePlan();
    else if (w.step === DIFFERENCES) w.setStep(CONFIRM);
    else if (w.step === CONFIRM) void w.start();
    else if (w.step === PROGRESS) w.setStep(RESULTS);
  };
  const back = () => {
    if (w.step === DIFFERENCES) w.stopPlanning();
    else if (w.step === CONFIRM) w.setStep(DIFFERENCES);
  };
  const canBack = w.step === DIFFERENCES || w.step === CONFIRM;
  const nextLabel = w.step === CONFIRM ? 'Start' : 'Next';

  return (
    <Modal
      opened={opened}
      onClose={close}
      size={1180}
      centered
      padding="lg"
      title={<Title order={3}>Synchronize Configurations</Title>}
      closeButtonProps={{ 'aria-label': 'Close' }}
      overlayProps={{ backgroundOpacity: 0.55, blur: 3 }}
      styles={{
        content: { height: 'min(880px, calc(100dvh - 40px))', display: 'flex', flexDirection: 'column' },
        body: { flex: 1, minHeight: 0, display: 'flex', flexDirection: 'column' },
      }}
    >
      <Stepper
        active={w.step === RESULTS ? RESULTS + 1 : w.step}
        size="sm"
        mb="md"
        allowNextStepsSelect={false}
        className="configsync-sync-stepper"
      >
        <Stepper.Step label="Source and destinations" description="Set, mode, servers" />
        <Stepper.Step label="Differences" description="What would change" />
        <Stepper.Step label="Confirmation" description="Read before starting" />
        <Stepper.Step label="Progress" description="Copying" />
        <Stepper.Step label="Results" description="Per destination" />
      </Stepper>

      <Box
        style={{ flex: 1, minHeight: 0, overflowY: 'auto', overflowX: 'hidden' }}
        pr={4}
        data-testid="wizard-page"
      >
        {w.loadError && (
          <Alert color="red" title="The servers or sets cannot be read" mb="md">
            {w.loadError}
          </Alert>
        )}
        {w.step === SOURCE && w.servers && w.sets && (
          <SourcePage onOpenSets={() => openDialog('sync-sets')} />
        )}
        {w.step === SOURCE && w.servers && !w.servers.some((s) => s.role === 'primary') && (
          <Alert color="orange" mt="md" data-testid="no-primary">
            No server is the primary yet. Open Manage › Server List and choose the primary and its
            secondaries.
          </Alert>
        )}
        {w.step === DIFFERENCES && <DifferencesPage />}
        {w.step === CONFIRM && <ConfirmPage />}
        {w.step === PROGRESS && <ProgressPage />}
        {w.step === RESULTS && <ResultsPage />}

        {w.error && (
          <Alert
            color="red"
            mt="md"
            data-testid="wizard-error"
            withCloseButton
            onClose={() => useSyncWizard.setState({ error: null })}
          >
            {w.error}
          </Alert>
        )}
      </Box>

      <FooterBar mt="md">
        {askClose ? (
          <Group gap="sm" data-testid="confirm-close">
            <Text size="sm" fw={500}>
              A synchronization is running.
            </Text>
            <Button size="xs" variant="default" onClick={() => setAskClose(false)}>
              Stay here
            </Button>
            <Button
              size="xs"
              variant="default"
              onClick={() => {
                setAskClose(false);
                onClose();
              }}
            >
              Let it finish in the background
            </Button>
            <Button
              size="xs"
              color="red"
              onClick={() => {
                void w.cancelRun();
                setAskClose(false);
                onClose();
              }}
            >
              Stop it and close
            </Button>
          </Group>
        ) : (
          <Text size="xs" c="dimmed">
            <Kbd size="xs">Tab</Kbd> moves · <Kbd size="xs">Esc</Kbd> closes · nothing changes before Start
          </Text>
        )}
        <Group gap="xs">
          <Button variant="default" onClick={close} disabled={w.step === RESULTS}>
            Cancel
          </Button>
          <Button variant="default" onClick={back} disabled={!canBack}>
            Back
          </Button>
          <Button onClick={next} disabled={!canNext} color={w.step === CONFIRM ? 'orange' : undefined}>
            {nextLabel}
          </Button>
          <Button color="green" onClick={onClose} disabled={!canFinish}>
            Finish
          </Button>
        </Group>
      </FooterBar>
    </Modal>
  );
}
