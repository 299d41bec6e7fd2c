import { Alert, Button, List, ScrollArea, Text } from '@mantine/core';

export type LeftPath = { readonly path: string; readonly message: string };

/**
 * The paths a restore or a recover left as they are because they changed on the destination after the
 * run (someone edited them since), each with why; and, when `onOverwrite` is given, the one way to
 * replace them too: the same restore again with `overwrite`, which backs each of them up first.
 */
export function LeftPaths({
  left,
  where,
  onOverwrite,
  busy = false,
  note,
}: {
  left: ReadonlyArray<LeftPath>;
  /** The destination, as the sentence names it. */
  where: string;
  onOverwrite?: () => void;
  busy?: boolean;
  /** Said under the list instead of the button (what happens to them otherwise). */
  note?: string;
}) {
  if (left.length === 0) return null;
  const n = left.length;
  return (
    <Alert
      color="yellow"
      variant="light"
      mt={4}
      p="xs"
      data-testid="left-paths"
      title={`${n.toLocaleString('en-US')} path${n === 1 ? '' : 's'} on ${where} changed after the run and ${n === 1 ? 'was' : 'were'} left as ${n === 1 ? 'it is' : 'they are'}`}
    >
      <ScrollArea.Autosize mah={140} type="auto">
        <List size="xs" spacing={2} data-testid="left-paths-list">
          {left.map((l) => (
            <List.Item key={l.path}>
              <Text span size="xs" ff="monospace" style={{ overflowWrap: 'anywhere' }}>
                {l.path}
              </Text>
              <Text span size="xs" c="dimmed">
                {' '}
                — {l.message}
              </Text>
            </List.Item>
          ))}
        </List>
      </ScrollArea.Autosize>
      {note && (
        <Text size="xs" mt={6}>
          {note}
        </Text>
      )}
      {onOverwrite && (
        <Button size="compact-xs" mt={6} color="orange" variant="light" loading={busy} onClick={onOverwrite}>
          Overwrite them too (backed up first)
        </Button>
      )}
    </Alert>
  );
}
