import { useEffect, useState } from 'react';
import { Alert, Button, Group, ScrollArea, Stack, Text, TextInput } from '@mantine/core';
import type { ConfigDiff } from '../../../src-shared/contract/methods/servers.js';
import { call } from '../../api/client.js';
import { openFile } from '../../api/files.js';
import { useServerList } from '../server-list/server-list-store.js';
import { ConfigDiffList, isEmptyDiff, partLabels } from './config-diff-list.js';

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** What an import saved, part by part, in the words of the preview. */
function importedWords(diff: ConfigDiff): string {
  const kept = diff.parts.filter((p) => !p.inFile).map((p) => partLabels[p.part].toLowerCase());
  const skipped = diff.parts.reduce((n, p) => n + p.skipped.length, 0);
  return [
    'the server list',
    ...diff.parts.filter((p) => p.inFile).map((p) => partLabels[p.part].toLowerCase()),
  ]
    .join(', ')
    .concat(kept.length > 0 ? ` (${kept.join(', ')} left as they were: not in the file)` : '')
    .concat(skipped > 0 ? `; ${skipped} entr${skipped === 1 ? 'y' : 'ies'} left out` : '');
}

type Props = {
  /** Where the last export went, offered as the file to import. */
  readonly suggestedPath: string;
  /** True while an import sits in the draft uncommitted (a refused commit): closing must reset it. */
  readonly pending: boolean;
  onPendingChange(pending: boolean): void;
  /** Cancel: resets an uncommitted import, then closes. */
  onCancel(): void;
};

/**
 * Import: a backup file, its diff against the list being edited, then "Import and commit"
 * (config.import, servers.commit). A commit that is refused leaves the import in the draft: Cancel
 * (or "Discard the import") resets it, so nothing half-imported stays staged.
 */
export function ImportPanel({ suggestedPath, pending, onPendingChange, onCancel }: Props) {
  const { state, load, accept } = useServerList();
  const [path, setPath] = useState(suggestedPath);
  const [diff, setDiff] = useState<ConfigDiff | null>(null);
  const [busy, setBusy] = useState<'preview' | 'import' | 'reset' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  // A file chosen in the open dialog (or the browser's file input): its text is what is imported.
  const [chosen, setChosen] = useState<{ name: string; json: string } | null>(null);
  const source = () => (chosen ? { json: chosen.json, name: chosen.name } : { path: path.trim() });
  const label = chosen ? chosen.name : path.trim();

  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => {
    if (suggestedPath) setPath(suggestedPath);
  }, [suggestedPath]);

  const changePath = (value: string) => {
    setPath(value);
    setChosen(null);
    setDiff(null);
    setError(null);
    setDone(null);
  };
  const previewOf = async (from: { path: string } | { json: string; name: string }) => {
    setBusy('preview');
    setError(null);
    setDone(null);
    try {
      setDiff(await call('config.importPreview', from));
    } catch (err) {
      setDiff(null);
      setError(message(err));
    } finally {
      setBusy(null);
    }
  };
  const preview = () => previewOf(source());
  /** Choose a backup file, then preview it at once. */
  const choose = async () => {
    setError(null);
    try {
      const r = await openFile([{ name: 'ConfigSync backup', extensions: ['json'] }]);
      if (r.kind === 'cancelled') return;
      const file = { name: r.path ?? r.name, json: r.content };
      setChosen(file);
      setPath(file.name);
      setDiff(null);
      await previewOf(file);
    } catch (err) {
      setError(message(err));
    }
  };
  const importAndCommit = async () => {
    setBusy('import');
    setError(null);
    try {
      const imported = await call('config.import', source());
      accept(imported.state);
      onPendingChange(true);
      const committed = await call('servers.commit', {});
      accept(committed);
      onPendingChange(false);
      setDiff(null);
      setDone(`Imported ${label} and saved it: ${importedWords(imported.diff)}.`);
    } catch (err) {
      setError(message(err));
    } finally {
      setBusy(null);
    }
  };
  const discard = async () => {
    setBusy('reset');
    try {
      accept(await call('servers.reset', {}));
      onPendingChange(false);
      setError(null);
    } catch (err) {
      setError(message(err));
    } finally {
      setBusy(null);
    }
  };

  return (
    <Stack data-testid="backup-import">
      <Text size="sm">
        Replaces the server list, sync sets, schedules, automatic sync and notification settings with the ones
        in a backup file (a part the file does not hold is left as it is). Preview shows what would change,
        field by field; nothing is changed until you import.
      </Text>
      {state?.dirty && !pending && (
        <Alert color="yellow" variant="light" data-testid="import-staged-warning">
          The Server List Wizard has staged changes that are not saved yet. Importing replaces them.
        </Alert>
      )}
      <Group align="end" wrap="nowrap">
        <TextInput
          style={{ flex: 1 }}
          label="Backup file"
          description="A path on the computer ConfigSync runs on, or Choose file…"
          value={path}
          onChange={(e) => changePath(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && path.trim()) void preview();
          }}
          styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
          spellCheck={false}
        />
        <Button variant="default" onClick={() => void choose()} disabled={busy !== null}>
          Choose file…
        </Button>
        <Button
          variant="light"
          onClick={() => void preview()}
          loading={busy === 'preview'}
          disabled={busy !== null || !path.trim()}
        >
          Preview
        </Button>
      </Group>
      {diff && (
        <ScrollArea.Autosize mah={300} type="auto">
          <ConfigDiffList diff={diff} current={state?.draft ?? []} />
        </ScrollArea.Autosize>
      )}
      {error && (
        <Alert
          color="red"
          variant="light"
          title={pending ? 'The imported list was not saved' : undefined}
          data-testid="import-error"
        >
          {error}
          {pending && (
            <Group mt="sm">
              <Button size="xs" variant="default" onClick={() => void discard()} loading={busy === 'reset'}>
                Discard the import
              </Button>
            </Group>
          )}
        </Alert>
      )}
      {done && (
        <Alert color="green" variant="light" data-testid="import-done">
          {done}
        </Alert>
      )}
      <Group justify="space-between">
        <Button variant="default" onClick={onCancel} disabled={busy === 'import'}>
          {done ? 'Close' : 'Cancel'}
        </Button>
        <Button
          onClick={() => void importAndCommit()}
          loading={busy === 'import'}
          disabled={busy !== null || pending || !diff || isEmptyDiff(diff)}
        >
          Import and commit
        </Button>
      </Group>
    </Stack>
  );
}
