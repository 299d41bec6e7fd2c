import { useEffect, useMemo, useState } from 'react';
import {
  Alert,
  Box,
  Button,
  Group,
  Modal,
  NavLink,
  ScrollArea,
  Select,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import type { SyncSet } from '../../../src-shared/contract/schemas/sync.js';
import type { Server } from '../../../src-shared/model/server.js';
import { call, RpcCallError } from '../../api/client.js';
import { SetEditor } from './set-editor.js';
import {
  emptySetForm,
  fieldOf,
  formOfSet,
  validateSetForm,
  type SetErrors,
  type SetForm,
} from './set-form.js';
import { SetPreview } from './set-preview.js';
import { FooterBar } from '../../components/footer-bar.js';

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Manage › Sync Sets: create, edit and remove sync sets, validated as you type, with a live preview. */
export function SyncSetsDialog({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const [sets, setSets] = useState<ReadonlyArray<SyncSet>>([]);
  const [servers, setServers] = useState<ReadonlyArray<Server>>([]);
  const [form, setForm] = useState<SetForm>(emptySetForm());
  const [saved, setSaved] = useState<string>(JSON.stringify(emptySetForm()));
  const [serverErrors, setServerErrors] = useState<SetErrors>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  /** A fleet too large for one desktop: the same sync as an Ansible inventory and playbook. */
  const exportAnsible = async () => {
    if (!form.id) return;
    setBusy(true);
    setError(null);
    try {
      const { dataDir } = await call('app.info', {});
      const r = await call('export.ansible', { setId: form.id, path: `${dataDir}/ansible-${form.name}` });
      notifications.show({
        color: r.skipped.length > 0 ? 'orange' : 'green',
        title: 'Ansible export written',
        message: `${r.dir}: inventory.ini, playbook.yml, known_hosts (${r.hosts} destination${r.hosts === 1 ? '' : 's'}${
          r.skipped.length > 0
            ? `; left out: ${r.skipped.map((x) => `${x.server} (${x.reason})`).join(', ')}`
            : ''
        }). Run ansible-playbook -i inventory.ini playbook.yml there.`,
      });
    } catch (err) {
      setError(message(err));
    } finally {
      setBusy(false);
    }
  };
  const [askDelete, setAskDelete] = useState(false);
  const [previewOn, setPreviewOn] = useState<string | null>(null);

  const edit = (f: SetForm) => {
    setForm(f);
    setSaved(JSON.stringify(f));
    setServerErrors({});
    setAskDelete(false);
    setError(null);
  };

  useEffect(() => {
    if (!opened) return;
    void (async () => {
      try {
        const [{ sets: list }, state] = await Promise.all([call('sets.list', {}), call('servers.list', {})]);
        setSets(list);
        setServers(state.committed);
        setPreviewOn(state.committed.find((s) => s.role === 'primary')?.id ?? state.committed[0]?.id ?? null);
        edit(list[0] ? formOfSet(list[0]) : emptySetForm());
      } catch (err) {
        setError(message(err));
      }
    })();
  }, [opened]);

  const checked = useMemo(() => validateSetForm(form), [form]);
  // The preview needs only the folders and globs: a name still being typed does not hide it.
  const forPreview = useMemo(() => validateSetForm({ ...form, name: 'preview' }), [form]);
  const errors: SetErrors = { ...(checked.ok ? {} : checked.errors), ...serverErrors };
  const dirty = JSON.stringify(form) !== saved;

  const save = async () => {
    if (!checked.ok) return;
    setBusy(true);
    setError(null);
    try {
      const { set } = await call('sets.save', { set: checked.draft });
      const { sets: list } = await call('sets.list', {});
      setSets(list);
      edit(formOfSet(set));
      notifications.show({ color: 'green', title: 'Sync set saved', message: `"${set.name}" is saved.` });
    } catch (err) {
      if (err instanceof RpcCallError && err.issues?.length) {
        const mapped: Record<string, string> = {};
        for (const i of err.issues)
          mapped[
            fieldOf(
              i.path
                .split('.')
                .slice(1)
                .map((p) => (/^\d+$/.test(p) ? Number(p) : p)),
            )
          ] ??= i.message;
        setServerErrors(mapped);
      } else setError(message(err));
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    if (!form.id) return;
    setBusy(true);
    try {
      await call('sets.remove', { id: form.id });
      const { sets: list } = await call('sets.list', {});
      setSets(list);
      edit(list[0] ? formOfSet(list[0]) : emptySetForm());
    } catch (err) {
      setError(message(err));
    } finally {
      setBusy(false);
    }
  };

  const previewServer = servers.find((s) => s.id === previewOn);
  return (
    <Modal
      opened={opened}
      onClose={onClose}
      size={1240}
      centered
      padding="lg"
      title={<Title order={3}>Sync Sets</Title>}
    >
      <Box style={{ display: 'grid', gridTemplateColumns: '200px minmax(0, 1fr) 340px', gap: 20 }}>
        <Stack gap={4}>
          <Text size="xs" fw={600} c="dimmed" tt="uppercase">
            Sets
          </Text>
          <ScrollArea.Autosize mah={520}>
            {sets.map((s) => (
              <NavLink
                key={s.id}
                label={s.name}
                description={`${s.items.length} folder${s.items.length === 1 ? '' : 's'} · ${s.mode === 'mirror' ? 'Strict' : 'Easy'}`}
                active={form.id === s.id}
                onClick={() => edit(formOfSet(s))}
              />
            ))}
            {sets.length === 0 && (
              <Text size="xs" c="dimmed">
                No set yet.
              </Text>
            )}
          </ScrollArea.Autosize>
          <Button size="xs" variant="light" mt="xs" onClick={() => edit(emptySetForm())}>
            + New set
          </Button>
        </Stack>
        <ScrollArea.Autosize mah="70vh" offsetScrollbars>
          {/* A set nothing was typed in yet shows no red: the words come with the first edit. */}
          <SetEditor
            form={form}
            errors={dirty ? errors : serverErrors}
            servers={servers}
            onChange={setForm}
          />
        </ScrollArea.Autosize>
        <Stack gap="xs">
          <Select
            label="Preview the source files of"
            size="xs"
            data={servers.map((s) => ({ value: s.id, label: s.name }))}
            value={previewOn}
            onChange={setPreviewOn}
            allowDeselect={false}
            comboboxProps={{ withinPortal: true }}
          />
          <SetPreview
            draft={forPreview.ok ? forPreview.draft : null}
            serverId={previewOn}
            serverName={previewServer?.name ?? ''}
          />
        </Stack>
      </Box>
      {error && (
        <Alert color="red" mt="md" withCloseButton onClose={() => setError(null)} data-testid="sets-error">
          {error}
        </Alert>
      )}
      <FooterBar>
        <Group gap="xs">
          {form.id &&
            (askDelete ? (
              <>
                <Text size="sm">Remove &quot;{form.name}&quot;? Its backups on the servers stay.</Text>
                <Button size="xs" color="red" onClick={() => void remove()} loading={busy}>
                  Remove
                </Button>
                <Button size="xs" variant="default" onClick={() => setAskDelete(false)}>
                  Keep it
                </Button>
              </>
            ) : (
              <Button variant="subtle" color="red" onClick={() => setAskDelete(true)}>
                Remove set…
              </Button>
            ))}
          {form.id && !dirty && (
            <Button
              variant="subtle"
              onClick={() => void exportAnsible()}
              loading={busy}
              data-testid="export-ansible"
            >
              Export for Ansible…
            </Button>
          )}
        </Group>
        <Group gap="xs">
          <Text size="xs" c={dirty ? 'orange' : 'dimmed'}>
            {dirty ? 'Unsaved changes' : 'Saved'}
          </Text>
          <Button variant="default" onClick={onClose}>
            Close
          </Button>
          <Button onClick={() => void save()} disabled={!checked.ok || !dirty} loading={busy}>
            Save
          </Button>
        </Group>
      </FooterBar>
    </Modal>
  );
}
