import { z } from 'zod';
import {
  autoSyncTrigger,
  scheduleEntry,
  type AutoSyncTrigger,
  type ScheduleEntry,
} from '../../src-shared/model/schedule.js';
import { AppError } from '../errors/app-error.js';
import type { SettingsStore } from '../store/settings-store.js';
import type { ScheduleStorage } from './schedule-handlers.js';

export const SCHEDULES_KEY = 'schedules';
export const AUTO_SYNC_KEY = 'autoSync';

function parsed<T>(store: SettingsStore, key: string, schema: z.ZodType<T>, empty: unknown): T {
  const result = schema.safeParse(store.get<unknown>(key) ?? empty);
  if (!result.success) {
    const first = result.error.issues[0];
    throw new AppError(
      'STORE_CORRUPT',
      `The "${key}" entries in ${store.path} are not valid (${first?.path.join('.') ?? ''}: ${first?.message ?? 'unknown problem'}). Fix or remove them by hand; nothing was changed.`,
    );
  }
  return result.data;
}

/** Schedule entries under `schedules` in the settings store, validated on every read. */
export function settingsScheduleStorage(store: SettingsStore): ScheduleStorage {
  const schema = z.array(scheduleEntry);
  return {
    load: () => parsed(store, SCHEDULES_KEY, schema, []),
    save: (entries) => store.set(SCHEDULES_KEY, schema.parse(entries)),
  };
}

/** Per sync set, its automatic synchronization, under `autoSync: {setId: trigger}`; absent means off. */
export class AutoSyncSettings {
  private readonly schema = z.record(z.string(), autoSyncTrigger);

  constructor(private readonly store: SettingsStore) {}

  all(): Readonly<Record<string, AutoSyncTrigger>> {
    return parsed(this.store, AUTO_SYNC_KEY, this.schema, {});
  }

  get(setId: string): AutoSyncTrigger {
    return this.all()[setId] ?? 'off';
  }

  set(setId: string, trigger: AutoSyncTrigger): void {
    const next: Record<string, AutoSyncTrigger> = { ...this.all() };
    if (trigger === 'off') delete next[setId];
    else next[setId] = trigger;
    this.store.set(AUTO_SYNC_KEY, next);
  }
}

export type { ScheduleEntry };
