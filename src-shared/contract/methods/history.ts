import { z } from 'zod';
import { historyPage, historyQuery, runRecord } from '../../model/history.js';

/** `history.*`: the runs recorded in history.jsonl, for the History view and the status tab. */
export const historyMethods = {
  /** Runs matching the filters, newest first, with the number of matches before paging. */
  'history.list': {
    input: historyQuery.strict(),
    output: historyPage,
  },
  /** One run with its per-destination detail and log paths; null when no run has that id. */
  'history.get': {
    input: z.object({ id: z.string().min(1) }).strict(),
    output: runRecord.nullable(),
  },
} as const;
