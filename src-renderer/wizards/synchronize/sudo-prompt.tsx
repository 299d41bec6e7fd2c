import { Button, Group, Modal, PasswordInput, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { create } from 'zustand';

type Asking = { readonly servers: ReadonlyArray<{ readonly id: string; readonly name: string }> };

const useSudoPrompt = create<{
  asking: Asking | null;
  answer: ((passwords: Record<string, string> | null) => void) | null;
}>(() => ({ asking: null, answer: null }));

/**
 * Asks for the sudo password of each server whose sudo wants one, when a run starts: resolves with
 * them by server id (for that one call, never kept here), or null when the user cancels.
 */
export function askSudoPasswords(servers: Asking['servers']): Promise<Record<string, string> | null> {
  return new Promise((resolve) => {
    useSudoPrompt.setState({
      asking: { servers },
      answer: (passwords) => {
        useSudoPrompt.setState({ asking: null, answer: null });
        resolve(passwords);
      },
    });
  });
}

/** The prompt itself: one password field per server; its values live only while it is open. */
export function SudoPrompt() {
  const { asking, answer } = useSudoPrompt();
  const [values, setValues] = useState<Record<string, string>>({});
  const close = (result: Record<string, string> | null) => {
    setValues({});
    answer?.(result);
  };
  const ready = asking?.servers.every((s) => (values[s.id] ?? '') !== '') ?? false;
  return (
    <Modal opened={asking !== null} onClose={() => close(null)} title="sudo password" centered>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (ready) close(values);
        }}
      >
        <Stack gap="sm">
          <Text size="sm">
            These servers read and write through sudo with a password. It is used for this run only and never
            stored.
          </Text>
          {asking?.servers.map((s, i) => (
            <PasswordInput
              key={s.id}
              label={`sudo password for ${s.name}`}
              autoFocus={i === 0}
              value={values[s.id] ?? ''}
              onChange={(e) => {
                const v = e.currentTarget.value;
                setValues((old) => ({ ...old, [s.id]: v }));
              }}
            />
          ))}
          <Group justify="flex-end">
            <Button variant="default" onClick={() => close(null)}>
              Cancel
            </Button>
            <Button type="submit" disabled={!ready}>
              Continue
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
