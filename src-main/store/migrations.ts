import { CURRENT_SCHEMA_VERSION } from './store-document.js';

type RawDocument = Record<string, unknown>;

/**
 * How a file of version N-1 becomes version N, keyed by N. Each step is pure and only ever appended:
 * a file from any older build walks every step up to CURRENT_SCHEMA_VERSION.
 */
export const migrations: Readonly<Record<number, (doc: RawDocument) => RawDocument>> = {
  // Version 0: files from the first settings adapter, which had no schemaVersion and no server list.
  1: (doc) => ({
    ...doc,
    schemaVersion: 1,
    servers: Array.isArray(doc.servers)
      ? doc.servers
      : [
          {
            kind: 'local',
            id: 'local',
            name: 'This computer',
            role: 'not-selected',
            vars: {},
            lastContact: null,
          },
        ],
    settings: doc.settings && typeof doc.settings === 'object' ? doc.settings : {},
  }),
};

export type MigrationResult =
  | { readonly kind: 'current'; readonly doc: RawDocument }
  | { readonly kind: 'migrated'; readonly doc: RawDocument; readonly from: number }
  | { readonly kind: 'too-new'; readonly version: number }
  | { readonly kind: 'bad-version'; readonly value: unknown };

/** Brings a parsed file up to the current version; says so when it was written by a newer build. */
export function migrate(
  doc: RawDocument,
  table = migrations,
  current = CURRENT_SCHEMA_VERSION,
): MigrationResult {
  const raw = doc.schemaVersion ?? 0;
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 0)
    return { kind: 'bad-version', value: raw };
  if (raw > current) return { kind: 'too-new', version: raw };
  if (raw === current) return { kind: 'current', doc };
  let next = doc;
  for (let v = raw + 1; v <= current; v++) {
    const step = table[v];
    if (!step) throw new Error(`No migration to schema version ${v}.`);
    next = { ...step(next), schemaVersion: v };
  }
  return { kind: 'migrated', doc: next, from: raw };
}
