import { readFile } from 'node:fs/promises';
import { writeFileAtomically } from '../../store/atomic-file.js';
import { AppError } from '../../errors/app-error.js';
import { describeIssues } from '../../rpc/router.js';
import { CURRENT_SCHEMA_VERSION } from '../../store/store-document.js';
import type { ServerService } from './server-service.js';
import {
  configBackup,
  type BackupSource,
  type ConfigBackup,
  type ConfigCounts,
  type ConfigDiff,
} from '../../../src-shared/contract/methods/servers.js';
import {
  countParts,
  diffParts,
  parseParts,
  partsToWrite,
  showServerField,
  storedParts,
  type ParsedParts,
} from './config-parts.js';
import { checkServerList, type Server, type ServerListState } from '../../../src-shared/model/server.js';

/**
 * `config.export`: everything the store holds but secrets, as JSON: the saved server list (host-key
 * pins are public facts and go along), the settings, the sync sets, schedules, automatic sync and the
 * notification settings. The app key, passwords (the SMTP one included) and last-contact results do
 * not. Written atomically when a path is given.
 */
export async function exportConfig(
  service: ServerService,
  path?: string,
  now = new Date(),
): Promise<{ path: string | null; json: string; servers: number; counts: ConfigCounts }> {
  const doc = service.store.read();
  const parts = storedParts(service.store);
  const backup: ConfigBackup = {
    app: 'ConfigSync',
    kind: 'backup-configuration',
    schemaVersion: CURRENT_SCHEMA_VERSION,
    exportedAt: now.toISOString(),
    servers: doc.servers.map((s) => ({ ...s, lastContact: null })),
    settings: doc.settings,
    syncSets: [...(parts.syncSets ?? [])],
    schedules: [...(parts.schedules ?? [])],
    autoSync: { ...(parts.autoSync ?? {}) },
    ...(parts.notifications ? { notifications: parts.notifications } : {}),
  };
  const json = `${JSON.stringify(backup, null, 2)}\n`;
  if (path) {
    try {
      await writeFileAtomically(path, json, { mode: 0o600 });
    } catch (err) {
      throw new AppError(
        'WRITE_FAILED',
        `The backup could not be written to ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`,
      );
    }
  }
  return {
    path: path ?? null,
    json,
    servers: backup.servers.length,
    counts: countParts(backup.servers.length, parts),
  };
}

/**
 * Reads and checks a backup file (by its path, or its text as the user chose it); every problem is
 * named with its place in the file.
 */
export async function readBackup(source: string | BackupSource): Promise<ConfigBackup> {
  const from = typeof source === 'string' ? { path: source } : source;
  const path = 'path' in from ? from.path : from.name;
  let text: string;
  try {
    text = 'path' in from ? await readFile(from.path, 'utf8') : from.json;
  } catch (err) {
    throw new AppError(
      'NOT_FOUND',
      `The backup file ${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new AppError(
      'BAD_BACKUP',
      `${path} is not a ConfigSync backup: it is not valid JSON (${(err as Error).message}).`,
    );
  }
  const parsed = configBackup.safeParse(raw);
  if (!parsed.success) {
    const issues = describeIssues(parsed.error)
      .slice(0, 3)
      .map((i) => `${i.path || 'file'}: ${i.message}`);
    throw new AppError('BAD_BACKUP', `${path} is not a usable ConfigSync backup (${issues.join('; ')}).`);
  }
  if (parsed.data.schemaVersion > CURRENT_SCHEMA_VERSION)
    throw new AppError(
      'BACKUP_TOO_NEW',
      `${path} comes from a newer ConfigSync (schema version ${parsed.data.schemaVersion}).`,
    );
  const problems = checkServerList(parsed.data.servers);
  if (problems.length > 0)
    throw new AppError(
      'BAD_BACKUP',
      `${path} holds a server list that cannot be used: ${problems.map((p) => p.message).join(' ')}`,
    );
  return parsed.data;
}

const compared = [
  'name',
  'host',
  'port',
  'user',
  'role',
  'contactTimeoutSec',
  'vars',
  'auth',
  'pinnedHostKey',
  'otherHostKeys',
  'jumpVia',
] as const;

/** What replacing `current` with `incoming` changes, server by server (matched by id). Pure. */
export function diffServers(
  current: ReadonlyArray<Server>,
  incoming: ReadonlyArray<Server>,
): Pick<ConfigDiff, 'added' | 'removed' | 'changed'> {
  const byId = new Map(current.map((s) => [s.id, s]));
  const incomingIds = new Set(incoming.map((s) => s.id));
  const changed: ConfigDiff['changed'] = [];
  const added: ConfigDiff['added'] = [];
  for (const s of incoming) {
    const old = byId.get(s.id);
    if (!old) {
      added.push({ id: s.id, name: s.name });
      continue;
    }
    const fields = compared.filter(
      (f) =>
        JSON.stringify((old as Record<string, unknown>)[f]) !==
        JSON.stringify((s as Record<string, unknown>)[f]),
    );
    if (old.kind !== s.kind) fields.unshift('name');
    const record = (x: Server, f: string) => (x as Record<string, unknown>)[f];
    const changes = [...new Set(fields)].map((f) => ({
      field: f,
      old: showServerField(f, record(old, f)),
      new: showServerField(f, record(s, f)),
    }));
    if (fields.length > 0) changed.push({ id: s.id, name: s.name, fields: [...new Set(fields)], changes });
  }
  const removed = current.filter((s) => !incomingIds.has(s.id)).map((s) => ({ id: s.id, name: s.name }));
  return { added, removed, changed };
}

function diffOf(service: ServerService, backup: ConfigBackup, parsed: ParsedParts): ConfigDiff {
  return {
    ...diffServers(service.draftList(), backup.servers),
    settingsChanged: JSON.stringify(backup.settings) !== JSON.stringify(service.store.read().settings),
    parts: diffParts(storedParts(service.store), parsed),
  };
}

/** `config.importPreview`: the diff against the draft and the stored parts, field by field; nothing changed. */
export async function previewImport(
  service: ServerService,
  source: string | BackupSource,
): Promise<ConfigDiff> {
  const backup = await readBackup(source);
  return diffOf(service, backup, parseParts(backup));
}

/**
 * `config.import`: the backup becomes the draft (last-contact results of known servers are kept), its
 * sync sets, schedules, automatic sync and notification settings staged with it; `servers.commit` then
 * writes all of it in one store write. A part the file does not hold is left as it is.
 */
export async function importConfig(
  service: ServerService,
  source: string | BackupSource,
): Promise<{ diff: ConfigDiff; state: ServerListState }> {
  const backup = await readBackup(source);
  const parsed = parseParts(backup);
  const diff = diffOf(service, backup, parsed);
  const contacts = new Map(service.draftList().map((s) => [s.id, s.lastContact]));
  const servers = backup.servers.map((s) => ({ ...s, lastContact: contacts.get(s.id) ?? null }));
  return { diff, state: service.replaceDraft(servers, backup.settings, partsToWrite(parsed)) };
}
