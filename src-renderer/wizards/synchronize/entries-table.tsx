import { memo, useCallback, useRef, type CSSProperties, type KeyboardEvent, type ReactNode } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { Badge, Box, Skeleton, Text } from '@mantine/core';
import type { EntryMeta } from '../../../src-shared/model/sync.js';
import { actionLook, formatBytes, formatTime } from './format.js';
import type { Entry, EntryPages, Row } from './use-entry-pages.js';

const isChange = (e: Entry) => e.action === 'create' || e.action === 'update' || e.action === 'delete';

/** How a row's tick box stands: ticked, unticked, partly (a folder with something unticked below). */
export type Tick = 'on' | 'off' | 'partly' | 'none';

const TICK_STYLE: CSSProperties = { width: 16, height: 16, margin: 0, cursor: 'pointer' };

/** A plain checkbox (cheap to draw in a virtual list); a click on it does not select the row. */
function TickBox({
  tick,
  disabled,
  label,
  onToggle,
}: {
  tick: Tick;
  disabled: boolean;
  label: string;
  onToggle: () => void;
}) {
  if (tick === 'none') return <div role="cell" />;
  return (
    <div role="cell" onClick={(e) => e.stopPropagation()} onDoubleClick={(e) => e.stopPropagation()}>
      <input
        type="checkbox"
        aria-label={label}
        checked={tick === 'on'}
        ref={(el) => {
          if (el) el.indeterminate = tick === 'partly';
        }}
        disabled={disabled}
        onChange={onToggle}
        style={TICK_STYLE}
        data-testid="tick"
      />
    </div>
  );
}

const ROW = 34;
const COLUMNS = '24px 92px minmax(200px, 1fr) 100px 148px 100px 148px minmax(150px, 0.8fr)';

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
  row,
  selected,
  tick,
  tickDisabled,
  onSelect,
  onOpen,
  onTick,
  onFold,
}: {
  index: number;
  start: number;
  row: Row | undefined;
  selected: boolean;
  tick: Tick;
  tickDisabled: boolean;
  onSelect: (index: number, entry: Entry | undefined) => void;
  onOpen: (entry: Entry) => void;
  onTick: (path: string) => void;
  onFold: (folder: string) => void;
}) {
  if (row?.kind === 'folder') {
    const c = row.counts;
    const changes = c.create + c.update + c.delete;
    const parts = (['create', 'update', 'delete'] as const)
      .filter((a) => c[a] > 0)
      .map((a) => `${c[a].toLocaleString('en-US')} ${actionLook(a).label.toLowerCase()}`);
    return (
      <div
        role="row"
        aria-rowindex={index + 1}
        aria-expanded={!row.collapsed}
        data-testid="folder-row"
        data-folder={row.path}
        onClick={() => onFold(row.path)}
        style={{
          ...ROW_STYLE,
          transform: `translateY(${start}px)`,
          background: 'var(--mantine-color-default-hover)',
          fontWeight: 600,
        }}
      >
        <TickBox
          tick={row.path === '' || changes === 0 ? 'none' : tick}
          disabled={tickDisabled}
          label={`Apply the changes in ${row.path}/`}
          onToggle={() => onTick(row.path)}
        />
        <div
          role="cell"
          style={{ ...CELL, gridColumn: '2 / -1', fontFamily: 'var(--mantine-font-family-monospace)' }}
        >
          {row.collapsed ? '▸ ' : '▾ '}
          {row.path === '' ? '(top folder)' : `${row.path}/`}
          <span
            style={{
              fontFamily: 'var(--mantine-font-family)',
              fontWeight: 400,
              color: 'var(--mantine-color-dimmed)',
            }}
          >
            {'  '}
            {row.entries.toLocaleString('en-US')} {row.entries === 1 ? 'entry' : 'entries'}
            {parts.length > 0 ? ` · ${parts.join(' · ')}` : ' · no change'}
          </span>
        </div>
      </div>
    );
  }
  const entry = row?.entry;
  const look = entry ? actionLook(entry.action) : null;
  return (
    <div
      role="row"
      aria-rowindex={index + 1}
      aria-selected={selected}
      data-testid="entry-row"
      data-ticked={tick === 'on' ? 'true' : tick === 'off' ? 'false' : undefined}
      onClick={() => onSelect(index, entry)}
      onDoubleClick={() => entry && onOpen(entry)}
      style={{
        ...ROW_STYLE,
        transform: `translateY(${start}px)`,
        background: selected ? 'var(--mantine-primary-color-light)' : undefined,
        opacity: tick === 'off' ? 0.5 : 1,
      }}
    >
      {entry && look ? (
        <>
          <TickBox
            tick={tick}
            disabled={tickDisabled}
            label={`Apply ${entry.path}`}
            onToggle={() => onTick(entry.path)}
          />
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
  unticked = [],
  onTick = () => undefined,
  onFold = () => undefined,
  height = 340,
}: {
  pages: EntryPages;
  height?: number;
  selected: number | null;
  onSelect: (index: number, entry: Entry | undefined) => void;
  onOpen: (entry: Entry) => void;
  /** Paths unticked (a folder: all below it). */
  unticked?: ReadonlyArray<string>;
  onTick?: (path: string) => void;
  onFold?: (folder: string) => void;
}) {
  const under = (path: string, u: string) => path === u || path.startsWith(`${u}/`);
  /** A row's tick, and whether its box can be used (not while a folder above it is unticked). */
  const tickOf = (row: Row | undefined): { tick: Tick; disabled: boolean } => {
    if (!row) return { tick: 'none', disabled: true };
    const path = row.kind === 'folder' ? row.path : row.entry.path;
    if (row.kind === 'entry' && !isChange(row.entry)) return { tick: 'none', disabled: true };
    const self = unticked.includes(path);
    const above = unticked.some((u) => u !== path && under(path, u));
    if (self || above) return { tick: 'off', disabled: above && !self };
    const below = row.kind === 'folder' && unticked.some((u) => u.startsWith(`${path}/`));
    return { tick: below ? 'partly' : 'on', disabled: false };
  };
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
  const handlers = useRef({ onSelect, onOpen, onTick, onFold });
  handlers.current = { onSelect, onOpen, onTick, onFold };
  const select = useCallback((i: number, e: Entry | undefined) => handlers.current.onSelect(i, e), []);
  const open = useCallback((e: Entry) => handlers.current.onOpen(e), []);
  const tick = useCallback((p: string) => handlers.current.onTick(p), []);
  const fold = useCallback((f: string) => handlers.current.onFold(f), []);
  const entryAt = (i: number): Entry | undefined => {
    const r = pages.row(i);
    return r?.kind === 'entry' ? r.entry : undefined;
  };

  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    if (count === 0) return;
    const move = (to: number) => {
      const i = Math.max(0, Math.min(count - 1, to));
      e.preventDefault();
      onSelect(i, entryAt(i));
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
      const r = pages.row(selected);
      if (r?.kind === 'entry') {
        e.preventDefault();
        onOpen(r.entry);
      } else if (r?.kind === 'folder') {
        e.preventDefault();
        onFold(r.path);
      }
    } else if (e.key === ' ' && selected !== null) {
      // Space ticks or unticks the selected row, as in a file manager's check list.
      const r = pages.row(selected);
      const t = tickOf(r);
      if (r && t.tick !== 'none' && !t.disabled) {
        e.preventDefault();
        onTick(r.kind === 'folder' ? r.path : r.entry.path);
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
      {['', 'Action', 'Path', 'Source size', 'Source modified', 'Dest. size', 'Dest. modified', 'Reason'].map(
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
        aria-label="Rows: arrow keys move, Space ticks or unticks, Enter shows the file's differences or folds a folder"
        style={{ height, overflow: 'auto', position: 'relative', outline: 'none' }}
      >
        <div role="rowgroup" style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((v) => {
            const row = pages.row(v.index);
            const t = tickOf(row);
            return (
              <EntryRow
                key={v.key}
                index={v.index}
                start={v.start}
                row={row}
                selected={v.index === selected}
                tick={t.tick}
                tickDisabled={t.disabled}
                onSelect={select}
                onOpen={open}
                onTick={tick}
                onFold={fold}
              />
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
