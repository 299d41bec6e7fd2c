import { describe, expect, it } from 'vitest';
import { ServerService } from '../../../src-main/services/servers/server-service.js';
import type { SettingsStore } from '../../../src-main/store/settings-store.js';
import { emptyDocument, type StoreDocument } from '../../../src-main/store/store-document.js';
import { AppError } from '../../../src-main/errors/app-error.js';
import { checkServerList, sshServerFields, type SshServerFieldsInput } from '../../../src-shared/model/server.js';

/** An in-memory store with the same contract (the file-backed one is tested against real files). */
function memoryStore(): SettingsStore & { writes: number } {
  let doc: StoreDocument = emptyDocument();
  const store = {
    path: '/memory/config.json',
    writes: 0,
    read: () => structuredClone(doc),
    write: (next: StoreDocument) => {
      store.writes++;
      doc = structuredClone(next);
    },
    get: <T>(key: string) => doc[key] as T | undefined,
    set: (key: string, value: unknown) => void (doc = { ...doc, [key]: value }),
  };
  return store;
}

const fields = (input: SshServerFieldsInput) => sshServerFields.parse(input);

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return (err as AppError).code;
  }
  throw new Error('expected an AppError');
}

describe('ServerService staged edits', () => {
  it('stages add/edit/set-role in the draft; commit writes, reset discards', () => {
    const store = memoryStore();
    const svc = new ServerService(store);
    const { id, state } = svc.add(fields({ name: 'Primary', host: 'db1', user: 'root', role: 'primary' }));
    expect(state.dirty).toBe(true);
    expect(state.committed.map((s) => s.id)).toEqual(['local']);
    expect(state.draft.map((s) => s.id)).toEqual(['local', id]);
    expect(store.writes).toBe(0);

    const saved = svc.commit();
    expect(saved.dirty).toBe(false);
    expect(store.writes).toBe(1);
    expect(store.read().servers.find((s) => s.id === id)).toMatchObject({ name: 'Primary', port: 22, contactTimeoutSec: 15, pinnedHostKey: null });

    svc.edit(id, { name: 'Renamed' });
    svc.add(fields({ name: 'Second', host: 'db2', user: 'root' }));
    expect(svc.state().dirty).toBe(true);
    const back = svc.reset();
    expect(back.dirty).toBe(false);
    expect(back.draft).toEqual(back.committed);
    expect(back.draft.find((s) => s.id === id)?.name).toBe('Primary');
  });

  it('keeps exactly one primary: choosing a new one demotes the old one', () => {
    const svc = new ServerService(memoryStore());
    const a = svc.add(fields({ name: 'A', host: 'a', user: 'u', role: 'primary' })).id;
    const b = svc.add(fields({ name: 'B', host: 'b', user: 'u', role: 'secondary' })).id;
    const state = svc.setRole(b, 'primary');
    expect(state.draft.find((s) => s.id === a)?.role).toBe('secondary');
    expect(state.draft.find((s) => s.id === b)?.role).toBe('primary');
    expect(state.problems).toEqual([]);
  });

  it('refuses to commit a list with secondaries and no primary, in words, and writes nothing', () => {
    const store = memoryStore();
    const svc = new ServerService(store);
    const a = svc.add(fields({ name: 'A', host: 'a', user: 'u', role: 'primary' })).id;
    svc.add(fields({ name: 'B', host: 'b', user: 'u' }));
    svc.setRole(a, 'not-selected');
    expect(svc.state().problems[0]?.message).toMatch(/Choose which server is the primary/);
    expect(() => svc.commit()).toThrow(/primary/);
    expect(codeOf(() => svc.commit())).toBe('INVALID_SERVER_LIST');
    expect(store.writes).toBe(0);
  });

  it('refuses two servers with the same name', () => {
    const svc = new ServerService(memoryStore());
    svc.add(fields({ name: 'web', host: 'a', user: 'u', role: 'primary' }));
    svc.add(fields({ name: 'Web', host: 'b', user: 'u' }));
    expect(() => svc.commit()).toThrow(/Two servers are named "Web"/);
  });

  it('keeps "This computer": it cannot be removed or given SSH fields, but can take a role and variables', () => {
    const svc = new ServerService(memoryStore());
    expect(codeOf(() => svc.remove('local'))).toBe('LOCAL_SERVER');
    expect(codeOf(() => svc.edit('local', { host: 'x' }))).toBe('LOCAL_SERVER');
    const state = svc.edit('local', { vars: { CONFIG_ROOT: '/etc/app' } });
    expect(state.draft[0]).toMatchObject({ kind: 'local', vars: { CONFIG_ROOT: '/etc/app' } });
    svc.setRole('local', 'primary');
    expect(svc.commit().committed[0]?.role).toBe('primary');
  });

  it('forgets the pinned key when the host or port changes, not when only the name does', () => {
    const svc = new ServerService(memoryStore());
    const id = svc.add(fields({ name: 'A', host: 'a', user: 'u', role: 'primary' })).id;
    const pin = { algorithm: 'ssh-ed25519', fingerprint: `SHA256:${'A'.repeat(43)}` };
    svc.update(id, (s) => (s.kind === 'ssh' ? { ...s, pinnedHostKey: pin } : s));
    expect(svc.edit(id, { name: 'A2' }).draft.find((s) => s.id === id)).toMatchObject({ pinnedHostKey: pin });
    expect(svc.edit(id, { port: 2222 }).draft.find((s) => s.id === id)).toMatchObject({ pinnedHostKey: null });
  });

  it('records last contact in the saved list at once without making the draft dirty', () => {
    const store = memoryStore();
    const svc = new ServerService(store, () => new Date('2026-01-02T03:04:05Z'));
    const id = svc.add(fields({ name: 'A', host: 'a', user: 'u', role: 'primary' })).id;
    svc.commit();
    svc.recordContact(id, false, 'refused');
    expect(store.read().servers.find((s) => s.id === id)?.lastContact).toEqual({ at: '2026-01-02T03:04:05.000Z', ok: false, message: 'refused' });
    expect(svc.state().dirty).toBe(false);
  });

  it('reports an unknown id as NOT_FOUND', () => {
    const svc = new ServerService(memoryStore());
    expect(codeOf(() => svc.setRole('nope', 'primary'))).toBe('NOT_FOUND');
  });
});

describe('server fields validation', () => {
  it('explains each bad field in words', () => {
    const r = sshServerFields.safeParse({ name: ' ', host: 'bad host', port: 0, user: '', contactTimeoutSec: 0, vars: { 'config-root': '/x' } });
    expect(r.success).toBe(false);
    if (r.success) return;
    const byField: Record<string, string> = {};
    for (const i of r.error.issues) byField[String(i.path[0])] ??= i.message;
    expect(byField.name).toBe('Give the server a name');
    expect(byField.host).toMatch(/name or an IP address/);
    expect(byField.port).toBe('The port is a number between 1 and 65535');
    expect(byField.user).toBe('Give the SSH user name');
    expect(byField.contactTimeoutSec).toBe('The contact timeout is at least 1 second');
    expect(byField.vars).toMatch(/capital letters/);
  });

  it('checkServerList flags two primaries', () => {
    const base = { kind: 'ssh' as const, host: 'h', port: 22, user: 'u', contactTimeoutSec: 15, vars: {}, auth: { kind: 'app-key' as const }, pinnedHostKey: null, lastContact: null };
    const problems = checkServerList([
      { kind: 'local', id: 'local', name: 'This computer', role: 'not-selected', vars: {}, lastContact: null },
      { ...base, id: 'a', name: 'A', role: 'primary' },
      { ...base, id: 'b', name: 'B', role: 'primary' },
    ]);
    expect(problems.map((p) => p.message)).toEqual(['Only one server can be the primary; now "A" and "B" are.']);
  });
});
