import {
  ActionIcon,
  Button,
  Group,
  NumberInput,
  Select,
  SimpleGrid,
  Stack,
  Text,
  Textarea,
  TextInput,
  Tooltip,
} from '@mantine/core';
import type { Server } from '../../../src-shared/model/server.js';
import { expandPathVars } from '../../../src-shared/path-vars.js';
import { DEFAULT_EXCLUDES, ENGINE_EXCLUDES } from '../../../src-shared/model/sync.js';
import { CompareField, ModeField } from '../../components/sync-how-fields.js';
import type { SetErrors, SetForm } from './set-form.js';

/** Each item resolved on each taking-part server: the ${VARS} users write, as each server reads them. */
function Resolved({ path, servers }: { path: string; servers: ReadonlyArray<Server> }) {
  if (!path.includes('${')) return null;
  return (
    <Stack gap={0} mt={2} data-testid="resolved-paths">
      {servers.map((s) => {
        const r = expandPathVars(path, s.vars);
        return (
          <Text key={s.id} size="xs" c={r.ok ? 'dimmed' : 'orange'} ff="monospace" lineClamp={1}>
            {s.name}: {r.ok ? r.path : `no ${r.missing.map((m) => `\${${m}}`).join(', ')} on this server`}
          </Text>
        );
      })}
    </Stack>
  );
}

const mono = { input: { fontFamily: 'var(--mantine-font-family-monospace)' } };

/** The fields of one sync set, with each problem beside its field. */
export function SetEditor({
  form,
  errors,
  servers,
  onChange,
}: {
  form: SetForm;
  errors: SetErrors;
  servers: ReadonlyArray<Server>;
  onChange: (f: SetForm) => void;
}) {
  const set = <K extends keyof SetForm>(k: K, v: SetForm[K]) => onChange({ ...form, [k]: v });
  const taking = servers.filter((s) => s.role !== 'not-selected');
  // The engine's own names are left out whatever the list says; only the user-facing defaults are worth a word.
  const listed = new Set(form.exclude.split('\n').map((l) => l.trim()));
  const defaultsMissing = DEFAULT_EXCLUDES.filter((d) => !ENGINE_EXCLUDES.includes(d) && !listed.has(d));
  return (
    <Stack gap="sm" data-testid="set-editor">
      <TextInput
        label="Name"
        description="Also names the backup folder on each destination."
        value={form.name}
        onChange={(e) => set('name', e.currentTarget.value)}
        error={errors.name}
        withAsterisk
      />
      <div>
        <Text size="sm" fw={500}>
          Folders
        </Text>
        <Text size="xs" c="dimmed" mb={4}>
          The same path on every server; use a server&apos;s variables like {'${CONFIG_ROOT}'} where they
          differ.
        </Text>
        <Stack gap={6}>
          {form.items.map((p, i) => (
            <div key={i}>
              <Group gap={6} wrap="nowrap" align="flex-start">
                <TextInput
                  style={{ flex: 1 }}
                  styles={mono}
                  aria-label={`Folder ${i + 1}`}
                  value={p}
                  error={errors[`items.${i}`]}
                  onChange={(e) =>
                    set(
                      'items',
                      form.items.map((x, j) => (j === i ? e.currentTarget.value : x)),
                    )
                  }
                />
                <Tooltip label="Remove this folder">
                  <ActionIcon
                    variant="subtle"
                    color="red"
                    size="lg"
                    aria-label={`Remove folder ${i + 1}`}
                    disabled={form.items.length === 1}
                    onClick={() =>
                      set(
                        'items',
                        form.items.filter((_, j) => j !== i),
                      )
                    }
                  >
                    ✕
                  </ActionIcon>
                </Tooltip>
              </Group>
              <Resolved path={p} servers={taking} />
            </div>
          ))}
          <Button
            size="compact-xs"
            variant="subtle"
            style={{ alignSelf: 'flex-start' }}
            onClick={() => set('items', [...form.items, ''])}
          >
            + Add a folder
          </Button>
        </Stack>
      </div>
      <SimpleGrid cols={2}>
        <Textarea
          label="Include only (globs, one a line)"
          description="Empty: every file. Example: **/*.conf"
          autosize
          minRows={3}
          maxRows={8}
          styles={mono}
          value={form.include}
          onChange={(e) => set('include', e.currentTarget.value)}
          error={errors.include}
        />
        <Textarea
          label="Exclude (globs, one a line)"
          description={
            defaultsMissing.length ? (
              <Text span size="xs" c="orange">
                Default exclusions removed: {defaultsMissing.join(', ')}
              </Text>
            ) : (
              'Starts with the default exclusions (license files); the engine’s own temporary names are always left out.'
            )
          }
          autosize
          minRows={3}
          maxRows={8}
          styles={mono}
          value={form.exclude}
          onChange={(e) => set('exclude', e.currentTarget.value)}
          error={errors.exclude}
        />
      </SimpleGrid>
      {defaultsMissing.length > 0 && (
        <Button
          size="compact-xs"
          variant="subtle"
          style={{ alignSelf: 'flex-start' }}
          onClick={() =>
            set(
              'exclude',
              [...form.exclude.split('\n').filter((l) => l.trim()), ...defaultsMissing].join('\n'),
            )
          }
        >
          Put the default exclusions back
        </Button>
      )}
      <SimpleGrid cols={2}>
        <div>
          <ModeField id="set-mode-label" value={form.mode} onChange={(v) => set('mode', v)} />
        </div>
        <div>
          <CompareField id="set-compare-label" value={form.compare} onChange={(v) => set('compare', v)} />
        </div>
      </SimpleGrid>
      <SimpleGrid cols={3}>
        <NumberInput
          label="Time tolerance (s)"
          description="0 compares exactly; 2 for FAT or SMB destinations"
          min={0}
          max={3600}
          decimalScale={1}
          value={form.toleranceSec}
          onChange={(v) => set('toleranceSec', typeof v === 'number' ? v : Number(v) || 0)}
          error={errors.toleranceSec}
        />
        <NumberInput
          label="Backups kept (runs)"
          min={1}
          max={1000}
          value={form.keepRuns}
          onChange={(v) => set('keepRuns', typeof v === 'number' ? v : Number(v) || 0)}
          error={errors.keepRuns}
        />
        <NumberInput
          label="Ask before deleting more than (%)"
          min={0}
          max={100}
          value={form.deletePercent}
          onChange={(v) => set('deletePercent', typeof v === 'number' ? v : Number(v) || 0)}
          error={errors.deletePercent}
        />
      </SimpleGrid>
      <TextInput
        label="Validate command"
        description="Runs on each destination over a copy of the whole tree as it will be, outside the live folder (%s names it; it is also the working folder), before anything is replaced; a failure stops that destination."
        placeholder="e.g. nginx -t -p %s/ -c nginx.conf"
        styles={mono}
        value={form.validateCommand}
        onChange={(e) => set('validateCommand', e.currentTarget.value)}
        error={errors.validateCommand}
      />
      <TextInput
        label="Post-apply command"
        description="Runs on each destination in the folder after the files are in place (e.g. reload a service)."
        placeholder="e.g. systemctl reload nginx"
        styles={mono}
        value={form.postApplyCommand}
        onChange={(e) => set('postApplyCommand', e.currentTarget.value)}
        error={errors.postApplyCommand}
      />
      <SimpleGrid cols={3}>
        <TextInput
          style={{ gridColumn: 'span 2' }}
          label="Health command"
          description="Runs on each destination after the files are in place and the post-apply command; if it fails or takes too long, that destination is rolled back from this run's backup and counts as failed."
          placeholder="e.g. curl -fsS http://localhost/health"
          styles={mono}
          value={form.healthCommand}
          onChange={(e) => set('healthCommand', e.currentTarget.value)}
          error={errors.healthCommand}
        />
        <NumberInput
          label="Health time limit (s)"
          min={1}
          max={3600}
          value={form.healthTimeoutSec}
          onChange={(v) => set('healthTimeoutSec', typeof v === 'number' ? v : Number(v) || 0)}
          error={errors.healthTimeoutSec}
        />
      </SimpleGrid>
      <SimpleGrid cols={3}>
        <Select
          label="Roll-out order"
          description="How the destinations are applied"
          data={[
            { value: 'all', label: 'All at once' },
            { value: 'one-at-a-time', label: 'One at a time' },
            { value: 'canary', label: 'Canary: the first alone, then the rest' },
          ]}
          allowDeselect={false}
          value={form.rolloutOrder}
          onChange={(v) => v && set('rolloutOrder', v as SetForm['rolloutOrder'])}
          error={errors.rolloutOrder}
          data-testid="rollout-order"
        />
        <NumberInput
          label="Destinations at once"
          min={1}
          max={64}
          disabled={form.rolloutOrder === 'one-at-a-time'}
          value={form.parallel}
          onChange={(v) => set('parallel', typeof v === 'number' ? v : Number(v) || 1)}
          error={errors.parallel}
        />
        <NumberInput
          label="Stop after failed destinations"
          description="0: never stop"
          min={0}
          max={10000}
          value={form.stopAfterFailures}
          onChange={(v) => set('stopAfterFailures', typeof v === 'number' ? v : Number(v) || 0)}
          error={errors.stopAfterFailures}
        />
      </SimpleGrid>
    </Stack>
  );
}
