import { useEffect, useMemo, useRef, useState } from 'react';
import { Alert, Box, Button, CloseButton, Group, Loader, Text } from '@mantine/core';
import { diffLines } from 'diff';
import type { Output } from '../../../src-shared/contract/api.js';
import { call } from '../../api/client.js';
import { formatBytes } from './format.js';

type Side = Output<'sync.fileDiff'>['source'];
type Line = {
  readonly n: number | null;
  readonly text: string;
  readonly kind: 'same' | 'removed' | 'added' | 'blank';
};
type Row = { readonly left: Line; readonly right: Line };

const MAX_ROWS = 5000;
const blank: Line = { n: null, text: '', kind: 'blank' };

function lines(value: string): string[] {
  const parts = value.split('\n');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** Pairs the line diff into side-by-side rows: removed lines face the added lines that replace them. */
export function sideBySide(before: string, after: string): Row[] {
  const rows: Row[] = [];
  let l = 1;
  let r = 1;
  const changes = diffLines(before, after);
  for (let i = 0; i < changes.length; i++) {
    const c = changes[i];
    if (!c) continue;
    if (!c.added && !c.removed) {
      for (const t of lines(c.value))
        rows.push({ left: { n: l++, text: t, kind: 'same' }, right: { n: r++, text: t, kind: 'same' } });
      continue;
    }
    const next = changes[i + 1];
    const removed = c.removed ? lines(c.value) : [];
    const added = c.added ? lines(c.value) : next?.added && c.removed ? lines(next.value) : [];
    if (c.removed && next?.added) i++;
    for (let k = 0; k < Math.max(removed.length, added.length); k++) {
      const a = removed[k];
      const b = added[k];
      rows.push({
        left: a === undefined ? blank : { n: l++, text: a, kind: 'removed' },
        right: b === undefined ? blank : { n: r++, text: b, kind: 'added' },
      });
    }
  }
  return rows;
}

/** Where each run of changed rows starts: the stops of "next / previous change". */
export function changeStarts(rows: ReadonlyArray<Row>): number[] {
  const starts: number[] = [];
  rows.forEach((r, i) => {
    const changed = r.left.kind !== 'same' || r.right.kind !== 'same';
    const prev = rows[i - 1];
    const prevChanged = prev ? prev.left.kind !== 'same' || prev.right.kind !== 'same' : false;
    if (changed && !prevChanged) starts.push(i);
  });
  return starts;
}

function describe(side: Side): string | null {
  switch (side.kind) {
    case 'text':
      return null;
    case 'absent':
      return 'Not there.';
    case 'binary':
      return `A binary file (${formatBytes(side.size)}): no text to compare.`;
    case 'too-large':
      return `Too large to show (${formatBytes(side.size)}; the limit is ${formatBytes(side.limit)}).`;
    case 'not-a-file':
      return `A ${side.type}, not a file.`;
    default:
      return null;
  }
}

const tint: Record<Line['kind'], string | undefined> = {
  same: undefined,
  blank: 'var(--mantine-color-default-hover)',
  removed: 'light-dark(var(--mantine-color-red-1), rgba(250, 82, 82, 0.18))',
  added: 'light-dark(var(--mantine-color-teal-1), rgba(18, 184, 134, 0.18))',
};

function Half({ line }: { line: Line }) {
  return (
    <Box
      style={{ display: 'grid', gridTemplateColumns: '44px 1fr', background: tint[line.kind], minWidth: 0 }}
    >
      <Text size="xs" ff="monospace" c="dimmed" ta="right" pr={8} style={{ userSelect: 'none' }}>
        {line.n ?? ''}
      </Text>
      <Text
        size="xs"
        ff="monospace"
        style={{ whiteSpace: 'pre', overflow: 'hidden', textOverflow: 'ellipsis' }}
      >
        {line.kind === 'removed' ? '− ' : line.kind === 'added' ? '+ ' : '  '}
        {line.text}
      </Text>
    </Box>
  );
}

/**
 * The destination's version beside the source's, fetched on demand through `sync.fileDiff`. Files over
 * the size cap and binary files are described instead of shown.
 */
export function FileDiff({
  planId,
  targetId,
  path,
  sourceName,
  destinationName,
  onClose,
}: {
  planId: string;
  targetId: string;
  path: string;
  sourceName: string;
  destinationName: string;
  onClose: () => void;
}) {
  const box = useRef<HTMLDivElement>(null);
  const scroller = useRef<HTMLDivElement>(null);
  const [at, setAt] = useState(0);
  useEffect(() => {
    // Braces: newer Chromium returns a promise from scrollIntoView, which must not become the cleanup.
    box.current?.scrollIntoView({ block: 'start' });
  }, [path]);
  const [data, setData] = useState<Output<'sync.fileDiff'> | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    setData(null);
    setError(null);
    call('sync.fileDiff', { planId, targetId, path })
      .then((d) => live && setData(d))
      .catch((err: unknown) => live && setError(err instanceof Error ? err.message : String(err)));
    return () => {
      live = false;
    };
  }, [planId, targetId, path]);

  const rows = useMemo(() => {
    if (!data) return null;
    const before =
      data.destination.kind === 'text'
        ? data.destination.text
        : data.destination.kind === 'absent'
          ? ''
          : null;
    const after = data.source.kind === 'text' ? data.source.text : data.source.kind === 'absent' ? '' : null;
    return before === null || after === null ? null : sideBySide(before, after);
  }, [data]);

  const starts = useMemo(() => (rows ? changeStarts(rows.slice(0, MAX_ROWS)) : []), [rows]);
  /** Scrolls the change `k` into view, three lines of context above it. */
  const goTo = (k: number) => {
    const start = starts[k];
    const el = scroller.current;
    if (start === undefined || !el) return;
    setAt(k);
    const row = el.children[Math.max(0, start - 3)] as HTMLElement | undefined;
    // The scroller is positioned, so a row's offsetTop is measured from its top.
    el.scrollTop = row ? row.offsetTop : 0;
  };
  // It opens at the first change, not at line 1.
  useEffect(() => {
    setAt(0);
    if (starts.length === 0) return;
    requestAnimationFrame(() => {
      // Now that its lines are there, the whole viewer is brought into the page's view.
      box.current?.scrollIntoView({ block: 'start' });
      goTo(0);
    });
    // goTo reads the refs and `starts` of this render.
  }, [starts]);

  const notes = data ? [describe(data.destination), describe(data.source)] : [null, null];
  return (
    <Box
      ref={box}
      data-testid="file-diff"
      style={{ border: '1px solid var(--mantine-color-default-border)', borderRadius: 8 }}
    >
      <Group
        justify="space-between"
        px="sm"
        py={6}
        style={{ borderBottom: '1px solid var(--mantine-color-default-border)' }}
      >
        <Text size="sm" fw={600} ff="monospace" truncate="end" style={{ minWidth: 0, flex: 1 }}>
          {path}
        </Text>
        {rows && (
          <Group gap={6} wrap="nowrap">
            <Text size="xs" c="dimmed" data-testid="change-position">
              {starts.length === 0 ? 'no change in the text' : `change ${at + 1} of ${starts.length}`}
            </Text>
            <Button size="compact-xs" variant="default" disabled={at <= 0} onClick={() => goTo(at - 1)}>
              ↑ Previous change
            </Button>
            <Button
              size="compact-xs"
              variant="default"
              disabled={at >= starts.length - 1}
              onClick={() => goTo(at + 1)}
            >
              ↓ Next change
            </Button>
          </Group>
        )}
        <CloseButton size="sm" aria-label="Close the file comparison" onClick={onClose} />
      </Group>
      <Box style={{ display: 'grid', gridTemplateColumns: '1fr 1fr' }}>
        <Text size="xs" fw={600} px="sm" py={4} c="red">
          {destinationName} now
        </Text>
        <Text size="xs" fw={600} px="sm" py={4} c="teal">
          {sourceName} (after synchronizing)
        </Text>
      </Box>
      {error && (
        <Alert color="red" m="sm">
          {error}
        </Alert>
      )}
      {!data && !error && (
        <Group p="md" gap="xs">
          <Loader size="xs" /> <Text size="sm">Reading both versions…</Text>
        </Group>
      )}
      {data && !rows && (
        <Box style={{ display: 'grid', gridTemplateColumns: '1fr 1fr' }} p="sm" data-testid="diff-not-text">
          <Text size="sm" c="dimmed">
            {notes[0] ??
              `Text, ${formatBytes(data.destination.kind === 'text' ? data.destination.size : 0)}.`}
          </Text>
          <Text size="sm" c="dimmed">
            {notes[1] ?? `Text, ${formatBytes(data.source.kind === 'text' ? data.source.size : 0)}.`}
          </Text>
        </Box>
      )}
      {rows && (
        <div
          ref={scroller}
          data-testid="diff-lines"
          style={{
            // As tall as the window allows (the wizard page scrolls it into view), never a peephole.
            maxHeight: 'max(240px, calc(100dvh - 330px))',
            overflow: 'auto',
            position: 'relative',
          }}
        >
          {rows.slice(0, MAX_ROWS).map((row, i) => (
            <Box
              key={i}
              style={{ display: 'grid', gridTemplateColumns: '1fr 1fr', gap: 1 }}
              data-change={starts[at] === i ? 'current' : undefined}
            >
              <Half line={row.left} />
              <Half line={row.right} />
            </Box>
          ))}
          {rows.length > MAX_ROWS && (
            <Text size="xs" c="dimmed" p="sm">
              Only the first {MAX_ROWS} lines are shown.
            </Text>
          )}
          {rows.length === 0 && (
            <Text size="xs" c="dimmed" p="sm">
              Both versions are empty.
            </Text>
          )}
        </div>
      )}
    </Box>
  );
}
