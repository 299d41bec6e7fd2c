import { z } from 'zod';
import { defaultLocalServer, server } from '../../src-shared/model/server.js';

/** The version of `config.json` this build writes; older files are migrated on load (see migrations.ts). */
export const CURRENT_SCHEMA_VERSION = 1;

/** App-wide settings kept beside the server list (exported with it, never secrets). */
export const settingsSchema = z.record(z.string(), z.unknown());

/**
 * The whole `config.json`: a version, the server list and settings. Unknown top-level keys are kept as
 * they are (other services add theirs through `get`/`set`), so a newer key never makes a file invalid.
 */
export const storeDocument = z.looseObject({
  schemaVersion: z.literal(CURRENT_SCHEMA_VERSION),
  servers: z.array(server).default(() => [defaultLocalServer()]),
  settings: settingsSchema.default({}),
});
export type StoreDocument = z.infer<typeof storeDocument>;

/** Top-level keys whose shape this module owns; `get`/`set` refuse them so validation cannot be bypassed. */
export const reservedKeys: ReadonlySet<string> = new Set(['schemaVersion', 'servers', 'settings']);

/** A fresh document for an empty data folder: only "This computer" in the list. */
export function emptyDocument(): StoreDocument {
  return { schemaVersion: CURRENT_SCHEMA_VERSION, servers: [defaultLocalServer()], settings: {} };
}

/** Zod issues as one line a person can act on: `servers[1] ("web-2") → port: The port is …`. */
export function describeDocumentIssues(error: z.ZodError, raw: unknown): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      const path = issue.path
        .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
        .join('')
        .replace(/^\./, '');
      const name = serverNameAt(raw, issue.path);
      const where =
        path === '' ? 'the file' : name ? path.replace(/^servers\[(\d+)\]/, `servers[$1] ("${name}")`) : path;
      return `${where}: ${issue.message}`;
    })
    .join('; ')
    .concat(error.issues.length > 5 ? `; and ${error.issues.length - 5} more` : '');
}

function serverNameAt(raw: unknown, path: ReadonlyArray<PropertyKey>): string | null {
  if (path[0] !== 'servers' || typeof path[1] !== 'number' || !raw || typeof raw !== 'object') return null;
  const list = (raw as { servers?: unknown }).servers;
  const entry = Array.isArray(list) ? (list[path[1]] as unknown) : undefined;
  const name = entry && typeof entry === 'object' ? (entry as { name?: unknown }).name : undefined;
  return typeof name === 'string' ? name : null;
}
