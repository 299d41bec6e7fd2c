import type { z } from 'zod';
import type { historyMethods } from '../../../src-shared/contract/methods/history.js';
import type { HistoryStore } from './history-store.js';

type Methods = typeof historyMethods;
/** The handlers of `history.*`, the same shape the router's Handlers type asks for. */
export type HistoryHandlers = {
  readonly [M in keyof Methods]: (
    input: z.output<Methods[M]['input']>,
  ) => Promise<z.output<Methods[M]['output']>>;
};

/** `history.*` over the run history file. */
export function historyHandlers(store: HistoryStore): HistoryHandlers {
  return {
    'history.list': (query) => store.list(query),
    'history.get': ({ id }) => store.get(id),
  };
}
