import { useRef, type KeyboardEvent, type ReactNode } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { Badge, Box, Skeleton, Text } from '@mantine/core';
import type { EntryMeta } from '../../../src-shared/model/sync.js';
import { actionLook, formatBytes, formatTime } from './format.js';
import type { Entry, EntryPages } from './use-entry-pages.js';

const ROW = 34;
const COLUMNS = '92px minmax(200px, 1fr) 100px 148px 100px 148px minmax(150px, 0.8fr)';

function size(m: EntryMeta | undefined): string {
  if (!m) return '—';
  if (m.type === 'dir') return 'folder';
  if (m.type === 'symlink') return 'link';
  return formatBytes(m.size);
}

function Cell({
  children,
  mono,
  dim,
  align,
}: {
  children: ReactNode;
  mono?: boolean;
  dim?: boolean;
  align?: 'right';
}) {
  return (
    <Text
      role="cell"
      size="xs"
      ff={mono ? 'monospace' : undefined}
      c={dim ? 'dimmed' : undefined}
      truncate="end"
      ta={align}
      style={{ minWidth: 0 }}
    >
      {children}
    </Text>
  );
}

/**
 * A plan's entries as a virtualized table: only the visible rows exist in the DOM and only their pages
 * are fetched, so 100,000 rows scroll as smoothly as 100. Arrow keys move the selection; Enter opens it.
 */
export function EntriesTable({
  pages,
  selected,
  onSelect,
  onOpen,
  height = 340,
}: {
  pages: EntryPages;
  height?: number;
  selected: number | null;
  onSelect: (index: number, entry: Entry | undefined) => void;
  onOpen: (entry: Entry) => void;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const count = pages.total ?? 0;
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW,
    overscan: 12,
  });

  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    if (count === 0) return;
    const move = (to: number) => {
      const i = Math.max(0, Math.min(count - 1, to));
      e.preventDefault();
      onSelect(i, pages.row(i));
      virtualizer.scrollToIndex(i, { align: 'auto' });
    };
    const cur = selected ?? -1;
    if (e.key === 'ArrowDown') move(cur + 1);
    else if (e.key === 'ArrowUp') move(cur - 1);
    else if (e.key === 'PageDown') move(cur + 15);
    else if (e.key === 'PageUp') move(cur - 15);
    else if (e.key === 'Home') move(0);
    else if (e.key === 'End') move(count - 1);
    else if (e.key === 'Enter' && selected !== null) {
      const entry = pages.row(selected);
      if (entry) {
        e.preventDefault();
        onOpen(entry);
      }
    }
  };

  const header = (
    <Box
      role="row"
      style={{
        display: 'grid',
        gridTemplateColumns: COLUMNS,
        gap: 12,
        padding: '8px 12px',
        borderBottom: '1px solid var(--mantine-color-default-border)',
        background: 'var(--mantine-color-default-hover)',
        fontWeight: 600,
      }}
    >
      {['Action', 'Path', 'Source size', 'Source modified', 'Dest. size', 'Dest. modified', 'Reason'].map(
        (h) => (
          <Text key={h} role="columnheader" size="xs" fw={600} c="dimmed" tt="uppercase" truncate="end">
            {h}
          </Text>
        ),
      )}
    </Box>
  );

  return (
    <Box
      role="table"
      aria-label="Differences"
      aria-rowcount={count}
      style={{ border: '1px solid var(--mantine-color-default-border)', borderRadius: 8, overflow: 'hidden' }}
    >
      {header}
      <div
        ref={scroller}
        tabIndex={0}
        onKeyDown={onKey}
        data-testid="entries-scroller"
        aria-label="Rows: arrow keys move, Enter shows the file's differences"
        style={{ height, overflow: 'auto', position: 'relative', outline: 'none' }}
      >
        <div role="rowgroup" style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((v) => {
            const e = pages.row(v.index);
            const isSel = v.index === selected;
            const look = e ? actionLook(e.action) : null;
            return (
              <div
                key={v.key}
                role="row"
                aria-rowindex={v.index + 1}
                aria-selected={isSel}
                data-testid="entry-row"
                onClick={() => onSelect(v.index, e)}
                onDoubleClick={() => e && onOpen(e)}
                style={{
                  position: 'absolute',
                  top: 0,
                  left: 0,
                  right: 0,
                  height: ROW,
                  transform: `translateY(${v.start}px)`,
                  display: 'grid',
                  gridTemplateColumns: COLUMNS,
                  gap: 12,
                  alignItems: 'center',
                  padding: '0 12px',
                  cursor: 'pointer',
                  userSelect: 'none',
                  borderBottom: '1px solid var(--mantine-color-default-border)',
                  background: isSel ? 'var(--mantine-primary-color-light)' : undefined,
                }}
              >
                {e && look ? (
                  <>
                    <div role="cell">
                      <Badge size="sm" variant="light" color={look.color} radius="sm">
                        {look.label}
                      </Badge>
                    </div>
                    <Cell mono>{e.path}</Cell>
                    <Cell align="right">{size(e.source)}</Cell>
                    <Cell dim>{formatTime(e.source?.mtimeMs)}</Cell>
                    <Cell align="right">{size(e.destination)}</Cell>
                    <Cell dim>{formatTime(e.destination?.mtimeMs)}</Cell>
                    <Cell dim>{e.reason}</Cell>
                  </>
                ) : (
                  <Skeleton height={10} radius="sm" style={{ gridColumn: '1 / -1' }} />
                )}
              </div>
            );
          })}
        </div>
        {pages.total === 0 && (
          <Text size="sm" c="dimmed" ta="center" py="xl">
            No entry matches.
          </Text>
        )}
      </div>
    </Box>
  );
}
