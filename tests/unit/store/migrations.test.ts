import { describe, expect, it } from 'vitest';
import { migrate } from '../../../src-main/store/migrations.js';
import { CURRENT_SCHEMA_VERSION, describeDocumentIssues, storeDocument } from '../../../src-main/store/store-document.js';

describe('store migrations', () => {
  it('brings a version-0 file (no schemaVersion, no server list) to the current version, keeping its keys', () => {
    const r = migrate({ theme: 'dark' });
    expect(r.kind).toBe('migrated');
    if (r.kind !== 'migrated') return;
    expect(r.from).toBe(0);
    expect(r.doc.schemaVersion).toBe(CURRENT_SCHEMA_VERSION);
    expect(r.doc.theme).toBe('dark');
    const parsed = storeDocument.parse(r.doc);
    expect(parsed.servers.map((s) => s.id)).toEqual(['local']);
  });

  it('walks every step in order', () => {
    const seen: number[] = [];
    const table = {
      1: (d: Record<string, unknown>) => (seen.push(1), { ...d, a: 1 }),
      2: (d: Record<string, unknown>) => (seen.push(2), { ...d, b: (d.a as number) + 1 }),
    };
    const r = migrate({ schemaVersion: 0 }, table, 2);
    expect(seen).toEqual([1, 2]);
    expect(r).toEqual({ kind: 'migrated', from: 0, doc: { schemaVersion: 2, a: 1, b: 2 } });
  });

  it('leaves a current file alone and recognises newer and nonsense versions', () => {
    expect(migrate({ schemaVersion: CURRENT_SCHEMA_VERSION }).kind).toBe('current');
    expect(migrate({ schemaVersion: CURRENT_SCHEMA_VERSION + 1 })).toEqual({ kind: 'too-new', version: CURRENT_SCHEMA_VERSION + 1 });
    expect(migrate({ schemaVersion: 'one' })).toEqual({ kind: 'bad-version', value: 'one' });
    expect(migrate({ schemaVersion: 1.5 }).kind).toBe('bad-version');
  });

  it('names the server and the field of a hand-edited mistake', () => {
    const raw = {
      schemaVersion: 1,
      servers: [
        { kind: 'local', id: 'local' },
        { kind: 'ssh', id: 'a', name: 'web-2', host: 'web2', port: 70000, user: 'root' },
      ],
    };
    const parsed = storeDocument.safeParse(raw);
    expect(parsed.success).toBe(false);
    if (parsed.success) return;
    const text = describeDocumentIssues(parsed.error, raw);
    expect(text).toContain('servers[1] ("web-2").port');
    expect(text).toContain('between 1 and 65535');
  });
});
