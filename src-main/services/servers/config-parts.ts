import type { z } from 'zod';
import { notificationSettings } from '../../../src-shared/contract/methods/notify.js';
import type {
  ConfigCounts,
  ConfigPart,
  ConfigPartDiff,
  FieldChange,
} from '../../../src-shared/contract/methods/servers.js';
import { syncSet } from '../../../src-shared/contract/schemas/sync.js';
import { autoSyncTrigger, scheduleEntry } from '../../../src-shared/model/schedule.js';
import { roleLabels, type Server } from '../../../src-shared/model/server.js';
import { AUTO_SYNC_KEY, SCHEDULES_KEY } from '../../scheduler/schedule-storage.js';
import type { SettingsStore } from '../../store/settings-store.js';
import { NOTIFICATIONS_KEY } from '../notify/notify-config.js';
import { SYNC_SETS_KEY } from '../sync/sync-set-service.js';

/**
 * The parts of the store a Backup Configuration carries beside the server list, under the store keys
 * their services own. None holds a secret: the SMTP password and the app key live in files of their own.
 */
export const partKeys: Readonly<Record<ConfigPart, string>> = {
  syncSets: SYNC_SETS_KEY,
  schedules: SCHEDULES_KEY,
  autoSync: AUTO_SYNC_KEY,
  notifications: NOTIFICATIONS_KEY,
};

/** What a store (or a backup file) holds of each part; undefined = nothing there. */
export type PartValues = {
  syncSets?: ReadonlyArray<Record<string, unknown>>;
  schedules?: ReadonlyArray<Record<string, unknown>>;
  autoSync?: Readonly<Record<string, unknown>>;
  notifications?: Readonly<Record<string, unknown>>;
};

const asRecord = (v: unknown): Record<string, unknown> | undefined =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
const asArray = (v: unknown): Record<string, unknown>[] | undefined =>
  Array.isArray(v) ? v.map((x) => asRecord(x) ?? {}) : undefined;

/** The parts as the store holds them now (already validated by the services that wrote them). */
export function storedParts(store: SettingsStore): PartValues {
  const out: PartValues = {};
  const sets = asArray(store.get<unknown>(SYNC_SETS_KEY));
  const schedules = asArray(store.get<unknown>(SCHEDULES_KEY));
  const auto = asRecord(store.get<unknown>(AUTO_SYNC_KEY));
  const notifications = asRecord(store.get<unknown>(NOTIFICATIONS_KEY));
  if (sets) out.syncSets = sets;
  if (schedules) out.schedules = schedules;
  if (auto) out.autoSync = auto;
  if (notifications) out.notifications = notifications;
  return out;
}

/** What a backup of these parts holds, in numbers ("Saved 3 servers, 2 sync sets, …"). */
export function countParts(servers: number, parts: PartValues): ConfigCounts {
  return {
    servers,
    syncSets: parts.syncSets?.length ?? 0,
    schedules: parts.schedules?.length ?? 0,
    autoSync: Object.values(parts.autoSync ?? {}).filter((t) => t !== 'off').length,
    notifications: parts.notifications !== undefined,
  };
}

type Skipped = { name: string; reason: string };
/** The usable entries of a backup file's parts and, per part, the entries left out with their reason. */
export type ParsedParts = {
  values: PartValues;
  inFile: Set<ConfigPart>;
  skipped: Record<ConfigPart, Skipped[]>;
};

const firstIssue = (e: z.ZodError): string => {
  const i = e.issues[0];
  return i ? `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}` : 'not valid';
};

/**
 * Checks each entry of each part on its own: a bad sync set, schedule or trigger is left out and named
 * with its reason, the rest is imported. Schedules and triggers of a set the file does not hold are
 * left out too (they would point at nothing).
 */
export function parseParts(raw: {
  syncSets?: unknown[] | undefined;
  schedules?: unknown[] | undefined;
  autoSync?: Record<string, unknown> | undefined;
  notifications?: unknown;
}): ParsedParts {
  const skipped: Record<ConfigPart, Skipped[]> = {
    syncSets: [],
    schedules: [],
    autoSync: [],
    notifications: [],
  };
  const values: PartValues = {};
  const inFile = new Set<ConfigPart>();
  const nameOf = (v: unknown, i: number, what: string) => {
    const n = asRecord(v)?.name;
    return typeof n === 'string' ? n : `${what} ${i + 1}`;
  };
  if (raw.syncSets) {
    inFile.add('syncSets');
    const sets: Record<string, unknown>[] = [];
    const names = new Set<string>();
    raw.syncSets.forEach((v, i) => {
      const p = syncSet.safeParse(v);
      if (!p.success) skipped.syncSets.push({ name: nameOf(v, i, 'sync set'), reason: firstIssue(p.error) });
      else if (names.has(p.data.name) || sets.some((s) => s.id === p.data.id))
        skipped.syncSets.push({
          name: p.data.name,
          reason: 'another sync set of the file has the same name or id',
        });
      else {
        names.add(p.data.name);
        sets.push(p.data);
      }
    });
    values.syncSets = sets;
  }
  const setIds = new Set((values.syncSets ?? []).map((s) => s.id));
  const knowsSet = (id: string) => !inFile.has('syncSets') || setIds.has(id);
  if (raw.schedules) {
    inFile.add('schedules');
    const entries: Record<string, unknown>[] = [];
    raw.schedules.forEach((v, i) => {
      const p = scheduleEntry.safeParse(v);
      const name = `schedule ${i + 1}`;
      if (!p.success) skipped.schedules.push({ name, reason: firstIssue(p.error) });
      else if (p.data.operation.kind === 'sync-set' && !knowsSet(p.data.operation.setId))
        skipped.schedules.push({
          name,
          reason: `it runs sync set "${p.data.operation.setId}", which the file does not hold`,
        });
      else entries.push(p.data);
    });
    values.schedules = entries;
  }
  if (raw.autoSync) {
    inFile.add('autoSync');
    const triggers: Record<string, unknown> = {};
    for (const [setId, v] of Object.entries(raw.autoSync)) {
      const p = autoSyncTrigger.safeParse(v);
      if (!p.success) skipped.autoSync.push({ name: setId, reason: firstIssue(p.error) });
      else if (!knowsSet(setId))
        skipped.autoSync.push({ name: setId, reason: 'the file holds no sync set with this id' });
      else if (p.data !== 'off') triggers[setId] = p.data;
    }
    values.autoSync = triggers;
  }
  if (raw.notifications !== undefined) {
    inFile.add('notifications');
    const p = notificationSettings.safeParse(raw.notifications);
    if (p.success) values.notifications = p.data;
    else skipped.notifications.push({ name: 'notification settings', reason: firstIssue(p.error) });
  }
  return { values, inFile, skipped };
}

/** A value as one short line a person reads (lists joined, objects as key: value). */
export function showValue(v: unknown): string {
  const text = (() => {
    if (v === undefined || v === null || v === '') return '—';
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    if (Array.isArray(v)) return v.length === 0 ? '(none)' : v.map(showValue).join(', ');
    const entries = Object.entries(v as Record<string, unknown>);
    return entries.length === 0 ? '(none)' : entries.map(([k, x]) => `${k}: ${showValue(x)}`).join('; ');
  })();
  return text.length > 160 ? `${text.slice(0, 157)}…` : text;
}

/** The fields of two objects that differ, old → new. */
function fieldChanges(
  old: Readonly<Record<string, unknown>>,
  next: Readonly<Record<string, unknown>>,
  show: (field: string, v: unknown) => string = (_f, v) => showValue(v),
  skip: ReadonlySet<string> = new Set(['id']),
): FieldChange[] {
  const fields = [...new Set([...Object.keys(old), ...Object.keys(next)])].filter((f) => !skip.has(f));
  return fields
    .filter((f) => JSON.stringify(old[f]) !== JSON.stringify(next[f]))
    .map((f) => ({ field: f, old: show(f, old[f]), new: show(f, next[f]) }));
}

/** A server field's value in words: roles by their label, auth by its kind, a pin by its fingerprint. */
export function showServerField(field: string, v: unknown): string {
  if (field === 'role' && typeof v === 'string') return roleLabels[v as Server['role']] ?? v;
  if (field === 'auth') {
    const a = asRecord(v);
    if (!a) return '—';
    if (a.kind === 'app-key') return "the app's key";
    if (a.kind === 'agent') return 'ssh-agent';
    return `key file ${showValue(a.path)}`;
  }
  if (field === 'pinnedHostKey') return showValue(asRecord(v)?.fingerprint ?? 'none');
  if (field === 'vars') {
    const vars = Object.entries(asRecord(v) ?? {});
    return vars.length === 0 ? '(none)' : vars.map(([k, x]) => `${k}=${showValue(x)}`).join(', ');
  }
  if (field === 'contactTimeoutSec' && typeof v === 'number') return `${v} s`;
  return showValue(v);
}

/** A trigger in the words of the Schedules dialog. */
export function showTrigger(v: unknown): string {
  if (v === undefined || v === 'off') return 'off';
  if (v === 'on-change') return 'on change';
  const every = asRecord(v)?.every;
  return typeof every === 'number' ? `every ${every} s` : showValue(v);
}

function byId(list: ReadonlyArray<Record<string, unknown>>): Map<string, Record<string, unknown>> {
  return new Map(list.map((x) => [String(x.id), x]));
}

/** Added / removed / changed of two lists of records with ids. */
function listDiff(
  current: ReadonlyArray<Record<string, unknown>>,
  incoming: ReadonlyArray<Record<string, unknown>>,
  nameOf: (x: Record<string, unknown>) => string,
  show?: (field: string, v: unknown) => string,
): Pick<ConfigPartDiff, 'added' | 'removed' | 'changed'> {
  const old = byId(current);
  const next = byId(incoming);
  const added = incoming
    .filter((x) => !old.has(String(x.id)))
    .map((x) => ({ id: String(x.id), name: nameOf(x) }));
  const removed = current
    .filter((x) => !next.has(String(x.id)))
    .map((x) => ({ id: String(x.id), name: nameOf(x) }));
  const changed: ConfigPartDiff['changed'] = [];
  for (const x of incoming) {
    const o = old.get(String(x.id));
    if (!o) continue;
    const changes = fieldChanges(o, x, show);
    if (changes.length > 0) changed.push({ id: String(x.id), name: nameOf(x), changes });
  }
  return { added, removed, changed };
}

const operationWords = (op: unknown, setName: (id: string) => string): string => {
  const o = asRecord(op);
  switch (o?.kind) {
    case 'sync-set':
      return `synchronize ${setName(String(o.setId))}`;
    case 'backup-config':
      return 'back up the configuration';
    case 'health-check':
      return 'health check';
    case 'drift-check':
      return 'drift check';
    default:
      return showValue(op);
  }
};

/** What importing `incoming` changes in each part of `current`, field by field. Pure. */
export function diffParts(stored: PartValues, parsed: ParsedParts): ConfigPartDiff[] {
  const incoming = parsed.values;
  // Both sides through the same schemas, so a default filled in on one side is no difference.
  const current = parseParts({
    ...(stored.syncSets ? { syncSets: [...stored.syncSets] } : {}),
    ...(stored.schedules ? { schedules: [...stored.schedules] } : {}),
    ...(stored.autoSync ? { autoSync: { ...stored.autoSync } } : {}),
    // Notification settings never saved are the defaults the app uses.
    notifications: stored.notifications ?? {},
  }).values;
  const names = new Map<string, string>();
  for (const s of [...(current.syncSets ?? []), ...(incoming.syncSets ?? [])])
    names.set(String(s.id), String(s.name));
  const setName = (id: string) => (names.has(id) ? `"${names.get(id)}"` : `set ${id}`);
  const part = (p: ConfigPart, d: Pick<ConfigPartDiff, 'added' | 'removed' | 'changed'>): ConfigPartDiff => ({
    part: p,
    inFile: parsed.inFile.has(p),
    ...(parsed.inFile.has(p) ? d : { added: [], removed: [], changed: [] }),
    skipped: parsed.skipped[p],
  });
  const scheduleName = (x: Record<string, unknown>) =>
    `${operationWords(x.operation, setName)} at ${Array.isArray(x.time) ? x.time.join(' ') : showValue(x.time)}`;
  const showSchedule = (field: string, v: unknown) =>
    field === 'operation'
      ? operationWords(v, setName)
      : field === 'time' && Array.isArray(v)
        ? v.join(' ')
        : showValue(v);
  const autoOld = current.autoSync ?? {};
  const autoNew = incoming.autoSync ?? {};
  const autoChanged = [...new Set([...Object.keys(autoOld), ...Object.keys(autoNew)])]
    .filter((id) => showTrigger(autoOld[id]) !== showTrigger(autoNew[id]))
    .map((id) => ({
      id,
      name: setName(id).replace(/^"|"$/g, ''),
      changes: [{ field: 'automatic sync', old: showTrigger(autoOld[id]), new: showTrigger(autoNew[id]) }],
    }));
  const flatNotify = (v: Readonly<Record<string, unknown>> | undefined): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v ?? {})) {
      const r = asRecord(x);
      if (r) for (const [k2, y] of Object.entries(r)) out[`${k}.${k2}`] = y;
      else if (x !== null) out[k] = x;
    }
    return out;
  };
  const notifyChanges = fieldChanges(flatNotify(current.notifications), flatNotify(incoming.notifications));
  return [
    part(
      'syncSets',
      listDiff(current.syncSets ?? [], incoming.syncSets ?? [], (x) => String(x.name)),
    ),
    part(
      'schedules',
      listDiff(current.schedules ?? [], incoming.schedules ?? [], scheduleName, showSchedule),
    ),
    part('autoSync', { added: [], removed: [], changed: autoChanged }),
    part('notifications', {
      added: [],
      removed: [],
      changed:
        notifyChanges.length > 0
          ? [{ id: 'notifications', name: 'Notification settings', changes: notifyChanges }]
          : [],
    }),
  ];
}

/** The store keys an import writes: every part the file holds, as the file holds it (bad entries left out). */
export function partsToWrite(parsed: ParsedParts): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of parsed.inFile) {
    const v = parsed.values[p];
    if (v !== undefined) out[partKeys[p]] = v;
  }
  return out;
}
