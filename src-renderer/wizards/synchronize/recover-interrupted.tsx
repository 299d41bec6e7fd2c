import { useState } from 'react';
import { Alert, Button, Checkbox, Group, Text } from '@mantine/core';
import { call, RpcCallError } from '../../api/client.js';
import type { PlanTarget } from './sync-wizard-store.js';
import { useSyncWizard } from './sync-wizard-store.js';

/**
 * A destination whose last run was interrupted (INTERRUPTED_RUN): it is not planned until that run is
 * ended from its journal, either by putting the rest of its staged files in place or by rolling it back.
 */
export function RecoverInterrupted({ target, name }: { target: PlanTarget; name: string }) {
  const computePlan = useSyncWizard((s) => s.computePlan);
  const noteRecoverLeft = useSyncWizard((s) => s.noteRecoverLeft);
  // Off: a path changed on the destination after that run is left as it is and listed.
  const [overwrite, setOverwrite] = useState(false);
  const [busy, setBusy] = useState<'complete' | 'rollback' | null>(null);
  const [error, setError] = useState<string | null>(null);
  // The killed run's lock is still on the destination: broken only when the user says so (main refuses
  // to break a lock whose run is still going).
  const [locked, setLocked] = useState<'complete' | 'rollback' | null>(null);
  const recover = async (mode: 'complete' | 'rollback', breakLock = false) => {
    setBusy(mode);
    setError(null);
    setLocked(null);
    try {
      const { recovered } = await call('sync.recover', {
        serverId: target.serverId,
        mode,
        breakLock,
        ...(overwrite ? { overwrite: true } : {}),
      });
      const failed = recovered.flatMap((r) => r.errors);
      const left = recovered.flatMap((r) => r.left ?? []);
      if (failed.length > 0)
        setError(
          `${failed.length} path(s) could not be recovered: ${failed[0]?.path}: ${failed[0]?.message}`,
        );
      noteRecoverLeft(target.serverId, mode, left);
      if (failed.length === 0) await computePlan();
    } catch (err) {
      if (err instanceof RpcCallError && err.code === 'DESTINATION_LOCKED' && !breakLock) setLocked(mode);
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(null);
    }
  };
  return (
    <Alert color="red" title={`${name}: an earlier run was interrupted`} data-testid="target-interrupted">
      <Text size="sm">{target.message}</Text>
      <Checkbox
        mt="sm"
        size="xs"
        checked={overwrite}
        onChange={(e) => setOverwrite(e.currentTarget.checked)}
        label="Overwrite paths changed after that run too (backed up first); otherwise they are left as they are and listed"
        data-testid="recover-overwrite"
      />
      <Group mt="sm">
        <Button
          size="xs"
          loading={busy === 'complete'}
          disabled={busy !== null}
          onClick={() => void recover('complete')}
        >
          Complete that run
        </Button>
        <Button
          size="xs"
          variant="default"
          loading={busy === 'rollback'}
          disabled={busy !== null}
          onClick={() => void recover('rollback')}
        >
          Roll it back
        </Button>
      </Group>
      {error && (
        <Text size="sm" c="red" mt="xs" data-testid="recover-error">
          {error}
        </Text>
      )}
      {locked && (
        <Button
          size="xs"
          mt="xs"
          color="red"
          variant="outline"
          disabled={busy !== null}
          onClick={() => void recover(locked, true)}
        >
          {locked === 'complete' ? 'Break the lock and complete that run' : 'Break the lock and roll it back'}
        </Button>
      )}
    </Alert>
  );
}
