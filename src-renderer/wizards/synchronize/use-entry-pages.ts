import { useCallback, useEffect, useRef, useState } from 'react';
import type { Output } from '../../../src-shared/contract/api.js';
import type { PlanAction } from '../../../src-shared/model/sync.js';
import { call } from '../../api/client.js';

export type Entry = Output<'sync.entries'>['entries'][number];
export const PAGE_SIZE = 200;

export type EntryQuery = {
  readonly planId: string;
  readonly targetId: string;
  readonly actions: ReadonlyArray<PlanAction>;
  readonly search: string;
};

export type EntryPages = {
  /** Rows matching the query; null until the first page arrived. */
  readonly total: number | null;
  readonly error: string | null;
  /** The row at `index`, or undefined while its page is on its way (asks for it). */
  row(index: number): Entry | undefined;
};

/**
 * A plan's entries paged in on demand: only the pages the table shows are fetched (once each), so a
 * 100,000-row plan costs a few requests of 200 rows while the user scrolls.
 */
export function useEntryPages(query: EntryQuery): EntryPages {
  const { planId, targetId, search } = query;
  const actionsKey = query.actions.join(',');
  const pages = useRef(new Map<number, ReadonlyArray<Entry>>());
  const inFlight = useRef(new Set<number>());
  const generation = useRef(0);
  const [total, setTotal] = useState<number | null>(null);
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
      })
        .then((r) => {
          if (gen !== generation.current) return;
          inFlight.current.delete(page);
          pages.current.set(page, r.entries);
          setTotal(r.total);
          setVersion((v) => v + 1);
        })
        .catch((err: unknown) => {
          if (gen !== generation.current) return;
          inFlight.current.delete(page);
          setError(err instanceof Error ? err.message : String(err));
        });
    },
    [planId, targetId, actionsKey, search],
  );

  useEffect(() => {
    generation.current++;
    pages.current = new Map();
    inFlight.current = new Set();
    setTotal(null);
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

  return { total, error, row };
}

/** Every entry matching a query, fetched 1,000 at a time (for exports). */
export async function allEntries(query: EntryQuery): Promise<Entry[]> {
  const out: Entry[] = [];
  for (let offset = 0; ; offset += 1000) {
    const r = await call('sync.entries', {
      planId: query.planId,
      targetId: query.targetId,
      offset,
      limit: 1000,
      ...(query.actions.length ? { actions: [...query.actions] } : {}),
      ...(query.search ? { search: query.search } : {}),
    });
    out.push(...r.entries);
    if (offset + 1000 >= r.total) return out;
  }
}
