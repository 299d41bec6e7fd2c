import { AppError } from '../../errors/app-error.js';
import type { ServerListState, ServerRole, SshServerFields } from '../../../src-shared/model/server.js';
import type { ServerService } from './server-service.js';
import { sshConfigHosts, type SshConfigHost } from './server-import.js';

export type SshConfigImport = {
  added: { id: string; name: string; jumpVia: string | null }[];
  skipped: { alias: string; reason: string }[];
  state: ServerListState;
};

/** `[user@]host[:port]` (ProxyJump's own syntax) for a jump host the config has no Host entry for. */
export function parseJumpSpec(spec: string): { user: string | null; host: string; port: number } | null {
  const m = /^(?:([^@\s]+)@)?(\[[^\]]+\]|[^:@\s]+)(?::(\d{1,5}))?$/.exec(spec.trim());
  if (!m?.[2]) return null;
  const port = m[3] ? Number(m[3]) : 22;
  if (port < 1 || port > 65535) return null;
  return { user: m[1] ?? null, host: m[2].replace(/^\[|\]$/g, ''), port };
}

/**
 * `servers.importSshConfig`: adds the chosen hosts of an ssh config file to the draft as secondaries,
 * and every jump host their ProxyJump names as a server entry of its own (Not Selected: it takes part
 * in no sync, it is only passed through), so each hop has its own pin and login. A jump host already in
 * the list (same name, or same host and port) is used as it is. `ProxyJump a,b` reaches b through a.
 * A host that cannot be added is listed with its reason; the others are added.
 */
export async function importSshConfig(
  service: ServerService,
  aliases: ReadonlyArray<string>,
  path?: string,
  home?: string,
): Promise<SshConfigImport> {
  const { path: file, hosts } = await sshConfigHosts(service.draftList(), path, home);
  const byAlias = new Map(hosts.map((h) => [h.alias, h]));
  const picked = new Set(aliases);
  const added: SshConfigImport['added'] = [];
  const skipped: SshConfigImport['skipped'] = [];

  const existing = (h: Pick<SshConfigHost, 'alias' | 'host' | 'port'>): string | null =>
    service
      .draftList()
      .find((s) => s.kind === 'ssh' && (s.name === h.alias || (s.host === h.host && s.port === h.port)))
      ?.id ?? null;

  /** The id of the entry for `spec` (an alias of the file, or [user@]host[:port]), added when missing. */
  const ensure = (spec: string, depth: number, jumpOverride: string | null): string => {
    if (depth > 8)
      throw new AppError('JUMP_HOST', `The ProxyJump chain of "${spec}" is longer than 8 hops or loops.`);
    const fromFile = byAlias.get(spec);
    const parsed = fromFile ? null : parseJumpSpec(spec);
    if (!fromFile && !parsed)
      throw new AppError(
        'JUMP_HOST',
        `The jump host "${spec}" is neither a Host of ${file} nor user@host:port.`,
      );
    const h: SshConfigHost = fromFile ?? {
      alias: spec,
      host: parsed?.host ?? spec,
      port: parsed?.port ?? 22,
      user: parsed?.user ?? null,
      identityFile: null,
      proxyJump: null,
      problem: null,
      alreadyListed: false,
    };
    if (h.problem) throw new AppError('JUMP_HOST', h.problem);
    const found = existing(h);
    if (found) return found;
    const jumpVia = jumpOverride ?? (h.proxyJump ? chain(h.proxyJump, depth + 1) : null);
    const role: ServerRole = picked.has(h.alias) ? 'secondary' : 'not-selected';
    const fields: SshServerFields = {
      name: h.alias,
      host: h.host,
      port: h.port,
      user: h.user ?? 'root',
      role,
      contactTimeoutSec: 15,
      vars: {},
      auth: h.identityFile ? { kind: 'key-file', path: h.identityFile } : { kind: 'app-key' },
    };
    const { id } = service.add(fields);
    if (jumpVia) service.edit(id, { jumpVia });
    added.push({ id, name: h.alias, jumpVia });
    return id;
  };

  /** `a,b,c`: a directly (or as its own entry says), b through a, c through b; the last one's id. */
  const chain = (list: string, depth: number): string => {
    let prev: string | null = null;
    for (const spec of list
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean))
      prev = ensure(spec, depth, prev);
    if (!prev) throw new AppError('JUMP_HOST', `ProxyJump "${list}" names no host.`);
    return prev;
  };

  for (const alias of aliases) {
    const h = byAlias.get(alias);
    if (!h) {
      skipped.push({ alias, reason: `${file} has no Host "${alias}".` });
      continue;
    }
    if (existing(h)) {
      skipped.push({ alias, reason: `"${alias}" (${h.host}:${h.port}) is already in the list.` });
      continue;
    }
    try {
      ensure(alias, 0, null);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      skipped.push({ alias, reason: err.message });
    }
  }
  return { added, skipped, state: service.state() };
}
