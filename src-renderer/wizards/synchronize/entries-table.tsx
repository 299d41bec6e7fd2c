import { memo, useCallback, useRef, type CSSProperties, type KeyboardEvent, type ReactNode } from 'react';
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

const CELL: CSSProperties = {
  minWidth: 0,
  overflow: 'hidden',
  textOverflow: 'ellipsis',
  whiteSpace: 'nowrap',
  fontSize: 'var(--mantine-font-size-xs)',
  lineHeight: 'var(--mantine-line-height-xs)',
};
const CELL_STYLES = {
  plain: CELL,
  mono: { ...CELL, fontFamily: 'var(--mantine-font-family-monospace)' },
  dim: { ...CELL, color: 'var(--mantine-color-dimmed)' },
  right: { ...CELL, textAlign: 'right' },
} satisfies Record<string, CSSProperties>;

/** A plain element, not a Mantine Text: a scroll re-draws dozens of rows of seven cells each. */
function Cell({ children, look = 'plain' }: { children: ReactNode; look?: keyof typeof CELL_STYLES }) {
  return (
    <div role="cell" style={CELL_STYLES[look]}>
      {children}
    </div>
  );
}

const ROW_STYLE: CSSProperties = {
  position: 'absolute',
  top: 0,
  left: 0,
  right: 0,
  height: ROW,
  display: 'grid',
  gridTemplateColumns: COLUMNS,
  gap: 12,
  alignItems: 'center',
  padding: '0 12px',
  cursor: 'pointer',
  userSelect: 'none',
  borderBottom: '1px solid var(--mantine-color-default-border)',
};

/**
 * One row. Memoized: while scrolling, only rows that come into view (or whose page arrived, or whose
 * selection changed) are drawn again, not every visible row on every scroll event.
 */
const EntryRow = memo(function EntryRow({
  index,
  start,
  entry,
  selected,
  onSelect,
  onOpen,
}: {
  index: number;
  start: number;
  entry: Entry | undefined;
  selected: boolean;
  onSelect: (index: number, entry: Entry | undefined) => void;
  onOpen: (entry: Entry) => void;
}) {
  const look = entry ? actionLook(entry.action) : null;
  return (
    <div
      role="row"
      aria-rowindex={index + 1}
      aria-selected={selected}
      data-testid="entry-row"
      onClick={() => onSelect(index, entry)}
      onDoubleClick={() => entry && onOpen(entry)}
      style={{
        ...ROW_STYLE,
        transform: `translateY(${start}px)`,
        background: selected ? 'var(--mantine-primary-color-light)' : undefined,
      }}
    >
      {entry && look ? (
        <>
          <div role="cell">
            <Badge size="sm" variant="light" color={look.color} radius="sm">
              {look.label}
            </Badge>
          </div>
          <Cell look="mono">{entry.path}</Cell>
          <Cell look="right">{size(entry.source)}</Cell>
          <Cell look="dim">{formatTime(entry.source?.mtimeMs)}</Cell>
          <Cell look="right">{size(entry.destination)}</Cell>
          <Cell look="dim">{formatTime(entry.destination?.mtimeMs)}</Cell>
          <Cell look="dim">{entry.reason}</Cell>
        </>
      ) : (
        <Skeleton height={10} radius="sm" style={{ gridColumn: '1 / -1' }} />
      )}
    </div>
  );
});

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
    // Scroll updates go through React's normal batching instead of a synchronous re-render each.
    useFlushSync: false,
  });
  // Stable callbacks for the memoized rows, always calling the latest handlers.
  const handlers = useRef({ onSelect, onOpen });
  handlers.current = { onSelect, onOpen };
  const select = useCallback((i: number, e: Entry | undefined) => handlers.current.onSelect(i, e), []);
  const open = useCallback((e: Entry) => handlers.current.onOpen(e), []);

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
          {virtualizer.getVirtualItems().map((v) => (
            <EntryRow
              key={v.key}
              index={v.index}
              start={v.start}
              entry={pages.row(v.index)}
              selected={v.index === selected}
              onSelect={select}
              onOpen={open}
            />
          ))}
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
