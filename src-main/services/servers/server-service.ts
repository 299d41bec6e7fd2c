import { randomUUID } from 'node:crypto';
import { AppError } from '../../errors/app-error.js';
import type { HostCapabilities } from '../../../src-shared/model/capabilities.js';
import type { SettingsStore } from '../../store/settings-store.js';
import {
  checkServerList,
  server as serverSchema,
  type LastContact,
  type Server,
  type ServerListState,
  type ServerRole,
  type SshServer,
  type SshServerFields,
} from '../../../src-shared/model/server.js';

/** The fields `edit` may change; "This computer" takes only name and vars. */
export type ServerPatch = Partial<Omit<SshServerFields, 'role'>> & { readonly jumpVia?: string | null };

/**
 * The server list with staged edits, as CTPView's Commit Changes / Reset: add, edit, remove and
 * set-role change only the draft; `commit` validates and writes it; `reset` discards it.
 * Last-contact results are observations, not edits: they go to both lists at once.
 */
export class ServerService {
  /** null while nothing is staged (the draft is then the committed list). */
  private draft: Server[] | null = null;
  /** Settings staged by a Backup Configuration import, written with the next commit. */
  private draftSettings: Record<string, unknown> | null = null;
  /** Other store keys staged by an import (sync sets, schedules, …), written with the next commit. */
  private draftParts: Record<string, unknown> | null = null;

  constructor(
    readonly store: SettingsStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  committed(): Server[] {
    return this.store.read().servers;
  }

  /** The list being edited (a copy). */
  draftList(): Server[] {
    return structuredClone(this.draft ?? this.committed());
  }

  state(): ServerListState {
    const committed = this.committed();
    const draft = this.draft ?? committed;
    return {
      committed,
      draft: structuredClone(draft),
      dirty:
        (this.draft !== null && comparable(this.draft) !== comparable(committed)) ||
        (this.draftSettings !== null &&
          JSON.stringify(this.draftSettings) !== JSON.stringify(this.store.read().settings)) ||
        this.draftParts !== null,
      problems: checkServerList(draft),
    };
  }

  /** One server of the draft; NOT_FOUND when it is not there. */
  get(id: string): Server {
    const found = (this.draft ?? this.committed()).find((s) => s.id === id);
    if (!found) throw new AppError('NOT_FOUND', `There is no server with id "${id}" in the list.`);
    return structuredClone(found);
  }

  /** An SSH server of the draft; "This computer" has no SSH to test or trust. */
  getSsh(id: string): SshServer {
    const s = this.get(id);
    if (s.kind !== 'ssh')
      throw new AppError('LOCAL_SERVER', `"${s.name}" is this computer: it is reached without SSH.`);
    return s;
  }

  add(fields: SshServerFields): { id: string; state: ServerListState } {
    const id = `srv-${randomUUID().slice(0, 8)}`;
    const entry: SshServer = {
      kind: 'ssh',
      id,
      ...structuredClone(fields),
      pinnedHostKey: null,
      otherHostKeys: [],
      jumpVia: null,
      lastContact: null,
    };
    this.mutate((list) => [...demoteOthers(list, id, fields.role), entry]);
    return { id, state: this.state() };
  }

  edit(id: string, patch: ServerPatch): ServerListState {
    const current = this.get(id);
    if (current.kind === 'local') {
      const extra = Object.keys(patch).filter((k) => k !== 'name' && k !== 'vars');
      if (extra.length > 0)
        throw new AppError(
          'LOCAL_SERVER',
          `"This computer" has no ${extra.join(', ')}: only its name and path variables can change.`,
        );
    }
    const hostChanged =
      current.kind === 'ssh' &&
      ((patch.host !== undefined && patch.host !== current.host) ||
        (patch.port !== undefined && patch.port !== current.port));
    this.mutate((list) =>
      list.map((s) => {
        if (s.id !== id) return s;
        const next = { ...s, ...structuredClone(patch) } as Server;
        // Another address is another machine: its key must be confirmed again.
        if (hostChanged && next.kind === 'ssh')
          return {
            ...next,
            pinnedHostKey: null,
            otherHostKeys: [],
            capabilities: undefined,
            lastContact: null,
          };
        return next;
      }),
    );
    return this.state();
  }

  remove(id: string): ServerListState {
    const current = this.get(id);
    if (current.kind === 'local')
      throw new AppError(
        'LOCAL_SERVER',
        '"This computer" is built in and cannot be removed; set it to Not selected instead.',
      );
    this.mutate((list) => list.filter((s) => s.id !== id));
    return this.state();
  }

  setRole(id: string, role: ServerRole): ServerListState {
    this.get(id);
    this.mutate((list) => demoteOthers(list, id, role).map((s) => (s.id === id ? { ...s, role } : s)));
    return this.state();
  }

  /** Replaces one draft server through `update` (used for pins). */
  update(id: string, update: (s: Server) => Server): ServerListState {
    this.get(id);
    this.mutate((list) => list.map((s) => (s.id === id ? update(s) : s)));
    return this.state();
  }

  /** Replaces the whole draft and stages settings and other store keys (Backup Configuration import). */
  replaceDraft(
    servers: Server[],
    settings?: Record<string, unknown>,
    parts?: Record<string, unknown>,
  ): ServerListState {
    this.mutate(() => servers);
    if (settings) this.draftSettings = structuredClone(settings);
    this.draftParts = parts && Object.keys(parts).length > 0 ? structuredClone(parts) : null;
    return this.state();
  }

  /** True while an import's other store keys wait for the next commit. */
  hasStagedParts(): boolean {
    return this.draftParts !== null;
  }

  commit(): ServerListState {
    const draft = this.draft ?? this.committed();
    const problems: string[] = [];
    for (const s of draft) {
      const parsed = serverSchema.safeParse(s);
      if (!parsed.success)
        for (const issue of parsed.error.issues)
          problems.push(`"${s.name}", ${issue.path.join('.') || 'entry'}: ${issue.message}`);
    }
    for (const p of checkServerList(draft)) problems.push(p.message);
    if (problems.length > 0)
      throw new AppError('INVALID_SERVER_LIST', `The server list was not saved: ${problems.join(' ')}`);
    const doc = this.store.read();
    this.store.write({
      ...doc,
      ...(this.draftParts ?? {}),
      servers: draft,
      settings: this.draftSettings ?? doc.settings,
    });
    this.draft = null;
    this.draftSettings = null;
    this.draftParts = null;
    return this.state();
  }

  reset(): ServerListState {
    this.draft = null;
    this.draftSettings = null;
    this.draftParts = null;
    return this.state();
  }

  /** Records the outcome of a contact on the draft and, when saved already, in the store at once. */
  recordContact(id: string, ok: boolean, message: string, code?: string): LastContact {
    // The same failure told again without its code (a check that saw it from the connector) keeps it.
    const known = (this.draft ?? this.committed()).find((s) => s.id === id)?.lastContact;
    const kept = code ?? (!ok && known && !known.ok && known.message === message ? known.code : undefined);
    const contact: LastContact = {
      at: this.now().toISOString(),
      ok,
      message,
      ...(kept ? { code: kept } : {}),
    };
    if (this.draft) this.draft = this.draft.map((s) => (s.id === id ? { ...s, lastContact: contact } : s));
    const doc = this.store.read();
    if (doc.servers.some((s) => s.id === id))
      this.store.write({
        ...doc,
        servers: doc.servers.map((s) => (s.id === id ? { ...s, lastContact: contact } : s)),
      });
    return contact;
  }

  /** Keeps what a probe found on a server, like a contact result: in the draft and, when saved, in the store. */
  recordCapabilities(id: string, capabilities: HostCapabilities): void {
    if (this.draft)
      this.draft = this.draft.map((s) => (s.id === id && s.kind === 'ssh' ? { ...s, capabilities } : s));
    const doc = this.store.read();
    if (doc.servers.some((s) => s.id === id))
      this.store.write({
        ...doc,
        servers: doc.servers.map((s) => (s.id === id && s.kind === 'ssh' ? { ...s, capabilities } : s)),
      });
  }

  private mutate(change: (list: Server[]) => Server[]): void {
    this.draft = change(this.draftList());
  }
}

/** There is one primary: choosing a new one makes the previous one a secondary. */
function demoteOthers(list: Server[], id: string, role: ServerRole): Server[] {
  if (role !== 'primary') return list;
  return list.map((s) => (s.id !== id && s.role === 'primary' ? { ...s, role: 'secondary' } : s));
}

function comparable(list: ReadonlyArray<Server>): string {
  return JSON.stringify(list.map((s) => ({ ...s, lastContact: null, capabilities: null })));
}
