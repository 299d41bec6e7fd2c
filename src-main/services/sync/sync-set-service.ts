import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { syncSet, type SyncSet } from '../../../src-shared/contract/schemas/sync.js';
import type { syncSetDraft } from '../../../src-shared/contract/methods/sync.js';
import { AppError } from '../../errors/app-error.js';
import type { SettingsStore } from '../../store/settings-store.js';

export const SYNC_SETS_KEY = 'syncSets';
const KEY = SYNC_SETS_KEY;
const stored = z.array(syncSet);

/**
 * The named sync sets, kept in the app's store beside the server list (under `syncSets`), validated
 * on every read: a hand-edited invalid entry is reported, not silently dropped.
 */
export class SyncSetService {
  constructor(private readonly store: SettingsStore) {}

  list(): SyncSet[] {
    const raw = this.store.get<unknown>(KEY) ?? [];
    const parsed = stored.safeParse(raw);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      throw new AppError(
        'STORE_CORRUPT',
        `The sync sets in ${this.store.path} are not valid (${first?.path.join('.') ?? ''}: ${first?.message ?? 'unknown problem'}). Fix or remove them by hand; nothing was changed.`,
      );
    }
    return parsed.data;
  }

  get(id: string): SyncSet {
    const set = this.list().find((s) => s.id === id);
    if (!set) throw new AppError('SET_UNKNOWN', `There is no sync set with id "${id}".`);
    return set;
  }

  /** Creates (no id) or replaces (known id) a set; names are unique because they name backup folders. */
  save(draft: z.output<typeof syncSetDraft>): SyncSet {
    const sets = this.list();
    const id = draft.id ?? randomUUID();
    const set = syncSet.parse({ ...draft, id });
    const clash = sets.find((s) => s.name === set.name && s.id !== id);
    if (clash) throw new AppError('SET_NAME_TAKEN', `Another sync set is already named "${set.name}".`);
    const at = sets.findIndex((s) => s.id === id);
    if (draft.id !== undefined && at < 0)
      throw new AppError('SET_UNKNOWN', `There is no sync set with id "${id}".`);
    const next = at < 0 ? [...sets, set] : sets.map((s) => (s.id === id ? set : s));
    this.store.set(KEY, next);
    return set;
  }

  remove(id: string): boolean {
    const sets = this.list();
    const next = sets.filter((s) => s.id !== id);
    if (next.length === sets.length) return false;
    this.store.set(KEY, next);
    return true;
  }
}
