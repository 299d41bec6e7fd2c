import { createHmac } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import SSHConfig from 'ssh-config';
import { AppError } from '../../errors/app-error.js';
import { fingerprintOfKey } from '../../transport/ssh-connection.js';
import { addPin, judgeHostKey } from '../../transport/host-keys.js';
import {
  keygenDisplay,
  presentedHostKeys,
  type ConnectDeps,
  type PresentedHostKey,
} from './server-connect.js';
import { hostKeyPins, type Server, type ServerListState } from '../../../src-shared/model/server.js';

/** `servers.discover`: the addresses a name resolves to here, as the system resolver sees it. */
export async function discover(
  host: string,
): Promise<{ host: string; addresses: { address: string; family: number }[] }> {
  try {
    const addresses = await lookup(host, { all: true });
    return { host, addresses: addresses.map((a) => ({ address: a.address, family: a.family })) };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    throw new AppError(
      'DNS',
      `"${host}" could not be resolved${code ? ` (${code})` : ''}: check the spelling, or use its IP address.`,
    );
  }
}

export type SshConfigHost = {
  alias: string;
  host: string;
  port: number;
  user: string | null;
  identityFile: string | null;
  /** The hosts this one is reached through, as ProxyJump (or `ProxyCommand ssh -W %h:%p X`) names them. */
  proxyJump: string | null;
  /** Why this host cannot be reached as the config says (a ProxyCommand other than `ssh -W`), or null. */
  problem: string | null;
  alreadyListed: boolean;
};

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new AppError(
      code === 'ENOENT' ? 'NOT_FOUND' : 'READ_FAILED',
      `${what} ${path} cannot be read (${code ?? (err as Error).message}).`,
    );
  }
}

const first = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/**
 * `servers.sshConfigHosts`: the concrete `Host` entries of an ssh config file (patterns with * ? !
 * are templates, not hosts), each resolved through the whole file the way ssh itself would.
 */
export async function sshConfigHosts(
  draft: ReadonlyArray<Server>,
  path?: string,
  home = homedir(),
): Promise<{ path: string; hosts: SshConfigHost[] }> {
  const file = path ?? join(home, '.ssh', 'config');
  const config = SSHConfig.parse(await readText(file, 'The SSH config file'));
  const hosts: SshConfigHost[] = [];
  const seen = new Set<string>();
  for (const line of config) {
    if (line.type !== SSHConfig.DIRECTIVE || line.param.toLowerCase() !== 'host' || !('config' in line))
      continue;
    const values = Array.isArray(line.value) ? line.value.map((v) => v.val) : line.value.split(/\s+/);
    for (const alias of values) {
      if (!alias || /[*?!]/.test(alias) || seen.has(alias)) continue;
      seen.add(alias);
      const computed = config.compute(alias);
      const host = first(computed.HostName) ?? alias;
      const port = Number(first(computed.Port) ?? 22);
      hosts.push({
        alias,
        host,
        port: Number.isInteger(port) && port > 0 && port < 65536 ? port : 22,
        user: first(computed.User) ?? null,
        identityFile: first(computed.IdentityFile) ?? null,
        ...proxyOf(first(computed.ProxyJump), first(computed.ProxyCommand)),
        alreadyListed: draft.some(
          (s) => s.kind === 'ssh' && (s.name === alias || (s.host === host && s.port === port)),
        ),
      });
    }
  }
  return { path: file, hosts };
}

/**
 * ProxyJump as given; `ProxyCommand ssh -W %h:%p X` (or `-W [%h]:%p`) is the same thing written the
 * old way; any other ProxyCommand runs a program ConfigSync does not run, and is said so.
 */
export function proxyOf(
  proxyJump: string | undefined,
  proxyCommand: string | undefined,
): { proxyJump: string | null; problem: string | null } {
  if (proxyJump && proxyJump.toLowerCase() !== 'none') return { proxyJump, problem: null };
  if (!proxyCommand || proxyCommand.toLowerCase() === 'none') return { proxyJump: null, problem: null };
  const m = /^ssh\s+(?:-q\s+)?-W\s+\[?%h\]?:%p\s+(\S+)\s*$/.exec(proxyCommand.trim());
  if (m?.[1]) return { proxyJump: m[1], problem: null };
  return {
    proxyJump: null,
    problem: `ProxyCommand "${proxyCommand}" runs a program ConfigSync does not run; use ProxyJump (a jump host) instead.`,
  };
}

/** The names a known_hosts line uses for host:port (`host` on port 22, `[host]:port` otherwise). */
function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** True when a known_hosts host field (plain list or `|1|salt|hash`) names `name`. */
export function knownHostsMatches(field: string, name: string): boolean {
  if (field.startsWith('|1|')) {
    const [, , salt, hash] = field.split('|');
    if (!salt || !hash) return false;
    return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
  }
  const patterns = field.split(',');
  return patterns.includes(name) && !patterns.includes(`!${name}`);
}

/** The host keys a known_hosts file lists for host:port (markers such as @revoked are skipped). */
export function knownHostKeys(text: string, host: string, port: number): PresentedHostKey[] {
  const name = knownHostsName(host, port);
  const keys: PresentedHostKey[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith('@')) continue;
    const [hosts, , blob] = line.split(/\s+/);
    if (!hosts || !blob || !knownHostsMatches(hosts, name)) continue;
    const bytes = Buffer.from(blob, 'base64');
    if (bytes.length < 8) continue;
    keys.push(keygenDisplay(fingerprintOfKey(bytes)));
  }
  return keys;
}

/**
 * `servers.importKnownHost`: pins every key the user's known_hosts lists for the host that the host
 * presents now (one per key type: a host with an ed25519 and an ECDSA key keeps both), without asking
 * again. Hashed entries are matched too (by hashing the name). A listed key of a type already pinned
 * under another fingerprint is a change, and nothing is pinned.
 */
export async function importKnownHost(
  deps: ConnectDeps,
  id: string,
  path?: string,
): Promise<{ pinned: PresentedHostKey | null; message: string; state: ServerListState }> {
  const server = deps.service.getSsh(id);
  const file = path ?? join(deps.homeDir ?? homedir(), '.ssh', 'known_hosts');
  const known = knownHostKeys(await readText(file, 'The known_hosts file'), server.host, server.port);
  const name = knownHostsName(server.host, server.port);
  if (known.length === 0)
    return {
      pinned: null,
      message: `${file} lists no key for ${name}; confirm the key shown instead.`,
      state: deps.service.state(),
    };
  const presented = await presentedHostKeys(server, deps);
  const matching = presented.filter((p) => known.some((k) => k.fingerprint === p.fingerprint));
  if (matching.length === 0)
    return {
      pinned: null,
      message: `${file} lists ${known.map((k) => k.display).join(', ')} for ${name}, but the host presents ${presented.map((p) => p.display).join(', ')} now. Nothing was pinned.`,
      state: deps.service.state(),
    };
  let pins = hostKeyPins(server);
  for (const key of matching) {
    const verdict = judgeHostKey(key, pins);
    if (verdict.kind === 'changed')
      throw new AppError(
        'HOST_KEY_CHANGED',
        `"${server.name}" has a different ${key.algorithm} key pinned (${verdict.pin.fingerprint}) than ${file} lists (${key.fingerprint}); replace it explicitly.`,
      );
    const next = addPin(pins, key);
    pins = [next.pinnedHostKey, ...next.otherHostKeys];
  }
  const [pinnedHostKey, ...otherHostKeys] = pins;
  const state = deps.service.update(id, (s) =>
    s.kind === 'ssh' ? { ...s, pinnedHostKey: pinnedHostKey ?? null, otherHostKeys } : s,
  );
  return {
    pinned: matching[0] ?? null,
    message: `Pinned ${matching.map((k) => k.display).join(' and ')}, as listed in ${file}.`,
    state,
  };
}
