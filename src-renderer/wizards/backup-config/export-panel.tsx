import { useEffect, useState } from 'react';
import { Alert, Button, Group, Stack, Text, TextInput } from '@mantine/core';
import { call } from '../../api/client.js';
import { useAppInfo } from '../../stores/app-info-store.js';
import { backupFileName, defaultBackupPath } from './backup-paths.js';
import type { ConfigCounts } from '../../../src-shared/contract/methods/servers.js';
import { saveFile } from '../../api/files.js';

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** What a backup holds, in words that match the file: "4 servers, 2 sync sets, 1 schedule, …". */
export function describeCounts(c: ConfigCounts): string {
  const n = (k: number, one: string, many: string) => `${k} ${k === 1 ? one : many}`;
  const parts = [
    n(c.servers, 'server', 'servers'),
    n(c.syncSets, 'sync set', 'sync sets'),
    n(c.schedules, 'schedule', 'schedules'),
    `automatic sync of ${n(c.autoSync, 'set', 'sets')}`,
  ];
  const last = c.notifications ? 'the notification settings' : 'no notification settings (none saved)';
  return `${parts.join(', ')} and ${last}`;
}

type Outcome = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly text: string };

/** Export: the saved server list and settings to a file on this computer, or as a download. */
export function ExportPanel({
  onExported,
  onClose,
}: {
  onExported: (path: string) => void;
  onClose: () => void;
}) {
  const info = useAppInfo((s) => s.info);
  const loadInfo = useAppInfo((s) => s.load);
  const [path, setPath] = useState('');
  const [busy, setBusy] = useState<'file' | 'download' | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);

  useEffect(() => {
    if (!info) void loadInfo();
  }, [info, loadInfo]);
  useEffect(() => {
    if (info) setPath((p) => p || defaultBackupPath(info.dataDir));
  }, [info]);

  const exportToFile = async () => {
    setBusy('file');
    setOutcome(null);
    try {
      const r = await call('config.export', { path: path.trim() });
      setOutcome({
        ok: true,
        text: `Saved ${describeCounts(r.counts)} to ${r.path ?? path}.`,
      });
      if (r.path) onExported(r.path);
    } catch (err) {
      setOutcome({ ok: false, text: message(err) });
    } finally {
      setBusy(null);
    }
  };
  const download = async () => {
    setBusy('download');
    setOutcome(null);
    try {
      const r = await call('config.export', {});
      const saved = await saveFile(backupFileName(), 'application/json', r.json, [
        { name: 'ConfigSync backup', extensions: ['json'] },
      ]);
      if (saved.kind === 'saved') {
        setOutcome({ ok: true, text: `Saved ${describeCounts(r.counts)} to ${saved.path}.` });
        onExported(saved.path);
      } else if (saved.kind === 'downloaded')
        setOutcome({ ok: true, text: `Downloaded ${saved.name} with ${describeCounts(r.counts)}.` });
    } catch (err) {
      setOutcome({ ok: false, text: message(err) });
    } finally {
      setBusy(null);
    }
  };

  return (
    <Stack data-testid="backup-export">
      <Text size="sm">
        Saves everything ConfigSync keeps but secrets as a JSON file: the committed server list (names, hosts,
        roles, path variables, pinned host keys), the sync sets, the schedules, automatic sync and the
        notification settings. Passwords (the SMTP one too) and the app&apos;s private key are never part of a
        backup.
      </Text>
      <TextInput
        label="Backup file"
        description="A path on the computer ConfigSync runs on; the folder must exist."
        value={path}
        onChange={(e) => {
          setPath(e.currentTarget.value);
          setOutcome(null);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && path.trim()) void exportToFile();
        }}
        styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
        spellCheck={false}
      />
      {outcome && (
        <Alert color={outcome.ok ? 'green' : 'red'} variant="light" data-testid="export-outcome">
          {outcome.text}
        </Alert>
      )}
      <Group justify="space-between">
        <Button variant="default" onClick={onClose}>
          Close
        </Button>
        <Group>
          <Button
            variant="light"
            onClick={() => void download()}
            loading={busy === 'download'}
            disabled={busy !== null}
          >
            Save as…
          </Button>
          <Button
            onClick={() => void exportToFile()}
            loading={busy === 'file'}
            disabled={busy !== null || !path.trim()}
          >
            Export
          </Button>
        </Group>
      </Group>
    </Stack>
  );
}
