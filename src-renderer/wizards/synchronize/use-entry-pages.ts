import { useCallback, useEffect, useRef, useState } from 'react';
import type { Output } from '../../../src-shared/contract/api.js';
import type { PlanAction } from '../../../src-shared/model/sync.js';
import { call } from '../../api/client.js';

export type Entry = Output<'sync.entries'>['entries'][number];
/** A row of the table: a folder's header (grouped view) or an entry. */
export type Row = NonNullable<Output<'sync.entries'>['rows']>[number];
export const PAGE_SIZE = 200;

export type EntryQuery = {
  readonly planId: string;
  readonly targetId: string;
  readonly actions: ReadonlyArray<PlanAction>;
  readonly search: string;
  /** Grouped by folder, with these folders collapsed. */
  readonly group?: boolean;
  readonly collapsed?: ReadonlyArray<string>;
};

export type EntryPages = {
  /** Rows matching the query; null until the first page arrived. */
  readonly total: number | null;
  /** Entries matching the query (rows but folder headers); null until the first page arrived. */
  readonly matched: number | null;
  readonly error: string | null;
  /** The row at `index`, or undefined while its page is on its way (asks for it). */
  row(index: number): Row | undefined;
};

/**
 * A plan's entries paged in on demand: only the pages the table shows are fetched (once each), so a
 * 100,000-row plan costs a few requests of 200 rows while the user scrolls.
 */
export function useEntryPages(query: EntryQuery): EntryPages {
  const { planId, targetId, search } = query;
  const actionsKey = query.actions.join(',');
  const group = query.group ?? false;
  const collapsedKey = JSON.stringify(query.collapsed ?? []);
  const pages = useRef(new Map<number, ReadonlyArray<Row>>());
  const inFlight = useRef(new Set<number>());
  const generation = useRef(0);
  const [total, setTotal] = useState<number | null>(null);
  const [matched, setMatched] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [, setVersion] = useState(0);

  const fetchPage = useCallback(
    (page: number) => {
      if (pages.current.has(page) || inFlight.current.has(page)) return;
      inFlight.current.add(page);
      const gen = generation.current;
      const actions = actionsKey ? (actionsKey.split(',') as PlanAction[]) : undefined;
      call('sync.entries', {
        planId,
        targetId,
        offset: page * PAGE_SIZE,
        limit: PAGE_SIZE,
        ...(actions ? { actions } : {}),
        ...(search ? { search } : {}),
        ...(group ? { group, collapsed: JSON.parse(collapsedKey) as string[] } : {}),
      })
        .then((r) => {
          if (gen !== generation.current) return;
          inFlight.current.delete(page);
          pages.current.set(page, r.rows ?? r.entries.map((entry) => ({ kind: 'entry' as const, entry })));
          setTotal(r.total);
          setMatched(r.matched ?? r.total);
          setVersion((v) => v + 1);
        })
        .catch((err: unknown) => {
          if (gen !== generation.current) return;
          inFlight.current.delete(page);
          setError(err instanceof Error ? err.message : String(err));
        });
    },
    [planId, targetId, actionsKey, search, group, collapsedKey],
  );

  useEffect(() => {
    generation.current++;
    pages.current = new Map();
    inFlight.current = new Set();
    setTotal(null);
    setMatched(null);
    setError(null);
    fetchPage(0);
  }, [fetchPage]);

  const row = useCallback(
    (index: number) => {
      const page = Math.floor(index / PAGE_SIZE);
      const entries = pages.current.get(page);
      if (!entries) {
        fetchPage(page);
        return undefined;
      }
      return entries[index % PAGE_SIZE];
    },
    [fetchPage],
  );

  return { total, matched, error, row };
}

/** What stays ticked of a target: the changes per action and the bytes they copy and back up. */
export type Ticked = Output<'sync.tickedSummary'>;

/**
 * How many of a target's changes stay ticked, per action, and what they copy, delete and back up (the
 * service narrows the plan by the same rule as apply).
 */
export async function tickedCounts(
  planId: string,
  targetId: string,
  unticked: ReadonlyArray<string>,
): Promise<Ticked> {
  return call('sync.tickedSummary', { planId, targetId, exclude: [...unticked] });
}

/** Every entry matching a query, fetched 1,000 at a time (for exports); `exclude` leaves out unticked changes. */
export async function allEntries(query: EntryQuery, exclude: ReadonlyArray<string> = []): Promise<Entry[]> {
  const out: Entry[] = [];
  for (let offset = 0; ; offset += 1000) {
    const r = await call('sync.entries', {
      planId: query.planId,
      targetId: query.targetId,
      offset,
      limit: 1000,
      ...(query.actions.length ? { actions: [...query.actions] } : {}),
      ...(query.search ? { search: query.search } : {}),
      ...(exclude.length ? { exclude: [...exclude] } : {}),
    });
    out.push(...r.entries);
    if (offset + 1000 >= r.total) return out;
  }
}
