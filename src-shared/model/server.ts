import { z } from 'zod';
import { hostCapabilities } from './capabilities.js';

/** The id of the built-in "This computer" entry (the local machine, no SSH). */
export const LOCAL_SERVER_ID = 'local';

export const serverRole = z.enum(['primary', 'secondary', 'not-selected']);
export type ServerRole = z.infer<typeof serverRole>;

/** Words for a role, as the list and the role picker show it. */
export const roleLabels: Readonly<Record<ServerRole, string>> = {
  primary: 'Primary',
  secondary: 'Secondary',
  'not-selected': 'Not selected',
};

/** A path variable name: shell-like, upper case (`CONFIG_ROOT`). */
export const VAR_NAME = /^[A-Z_][A-Z0-9_]*$/;

const VAR_NAME_RULE = 'A variable name uses capital letters, digits and _ and does not start with a digit (like CONFIG_ROOT)';
const varName = z.string().regex(VAR_NAME, VAR_NAME_RULE);
const varValue = z.string().max(4096, 'A variable value can be at most 4096 characters long');

/** Per-server path variables: the same sync set can live at different paths on different machines. */
export const serverVars = z.record(varName, varValue, {
  // The key's own issue is nested; lift its words so they reach the user (the key is in the issue's path).
  error: (issue) => (issue.code === 'invalid_key' ? VAR_NAME_RULE : undefined),
});

export const serverAuth = z.discriminatedUnion('kind', [
  /** The app's own ed25519 key, installed once by key setup. */
  z.object({ kind: z.literal('app-key') }),
  /** Whatever the user's ssh-agent holds (SSH_AUTH_SOCK). */
  z.object({ kind: z.literal('agent') }),
  /** An existing unencrypted private key file on this computer. */
  z.object({ kind: z.literal('key-file'), path: z.string().trim().min(1, 'Give the path of the key file') }),
]);
export type ServerAuth = z.infer<typeof serverAuth>;

export const hostKeyPin = z.object({
  algorithm: z.string().min(1),
  fingerprint: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'A fingerprint looks like SHA256: followed by 43 characters'),
});

export const lastContact = z.object({
  /** ISO time of the attempt. */
  at: z.string(),
  ok: z.boolean(),
  message: z.string(),
  /** On a failure, what failed (AUTH, HOST_KEY_CHANGED, TIMEOUT, REFUSED, DNS, …), so it is named as such. */
  code: z.string().optional(),
});
export type LastContact = z.infer<typeof lastContact>;

const serverName = z
  .string()
  .trim()
  .min(1, { message: 'Give the server a name', abort: true })
  .max(100, 'A name can be at most 100 characters long');

/** Host names and IP addresses: letters, digits, dots, dashes, colons (IPv6), no spaces. */
const hostName = z
  .string()
  .trim()
  .min(1, { message: 'Give the host name or IP address', abort: true })
  .max(253, 'A host name can be at most 253 characters long')
  .regex(/^[A-Za-z0-9._:-]+$/, 'A host is a name or an IP address, without spaces or other symbols');

const port = z
  .number({ error: 'The port is a number between 1 and 65535' })
  .int('The port is a whole number')
  .min(1, 'The port is a number between 1 and 65535')
  .max(65535, 'The port is a number between 1 and 65535');

const userName = z
  .string()
  .trim()
  .min(1, { message: 'Give the SSH user name', abort: true })
  .max(64, 'A user name can be at most 64 characters long')
  .regex(/^[A-Za-z0-9._@-][A-Za-z0-9._@$-]*$/, 'A user name has no spaces or other symbols');

const contactTimeout = z
  .number({ error: 'The contact timeout is a number of seconds' })
  .int('The contact timeout is a whole number of seconds')
  .min(1, 'The contact timeout is at least 1 second')
  .max(600, 'The contact timeout is at most 600 seconds');

/**
 * Reading and writing through sudo on that server (Ansible's become): as root, or as `user`;
 * `askPassword` when sudo there wants the login's password (asked for when a run starts, never stored).
 */
export const serverSudo = z.object({
  user: userName.optional(),
  askPassword: z.boolean().default(false),
});
export type ServerSudo = z.infer<typeof serverSudo>;

/** What the user types for an SSH server; the fields the server info page edits. */
export const sshServerFields = z.object({
  name: serverName,
  host: hostName,
  port: port.default(22),
  user: userName,
  role: serverRole.default('secondary'),
  contactTimeoutSec: contactTimeout.default(15),
  vars: serverVars.default({}),
  auth: serverAuth.default({ kind: 'app-key' }),
  /** Absent: commands and files run as the login user. */
  sudo: serverSudo.optional(),
});
export type SshServerFields = z.infer<typeof sshServerFields>;
export type SshServerFieldsInput = z.input<typeof sshServerFields>;

export const sshServer = sshServerFields.extend({
  kind: z.literal('ssh'),
  id: z.string().min(1).max(64),
  pinnedHostKey: hostKeyPin.nullable().default(null),
  /**
   * Further pinned keys of the same host, one per key algorithm other than pinnedHostKey's (a host with
   * an ed25519 and an ECDSA key keeps both; the negotiation is held to the pinned algorithms).
   */
  otherHostKeys: z.array(hostKeyPin).optional(),
  /** The server entry this one is reached through (a bastion, with its own pin and login); chains allowed. */
  jumpVia: z.string().min(1).max(64).nullable().optional(),
  /** What the host offers the engine, probed on first contact and kept (a new probe on Test connection). */
  capabilities: hostCapabilities.optional(),
  lastContact: lastContact.nullable().default(null),
});
export type SshServer = z.infer<typeof sshServer>;

/** "This computer": the machine the app runs on, reached without SSH. */
export const localServer = z.object({
  kind: z.literal('local'),
  id: z.literal(LOCAL_SERVER_ID),
  name: serverName.default('This computer'),
  role: serverRole.default('not-selected'),
  vars: serverVars.default({}),
  lastContact: lastContact.nullable().default(null),
});
export type LocalServer = z.infer<typeof localServer>;

export const server = z.discriminatedUnion('kind', [sshServer, localServer]);
export type Server = z.infer<typeof server>;

/** The local entry as it is before the user changes anything. */
export function defaultLocalServer(): LocalServer {
  return { kind: 'local', id: LOCAL_SERVER_ID, name: 'This computer', role: 'not-selected', vars: {}, lastContact: null };
}

/** One problem of a server list, with the field it concerns (dotted, e.g. `servers.2.port`) and the words. */
export type ServerListProblem = { readonly serverId: string | null; readonly field: string; readonly message: string };

/**
 * Checks what the schema cannot see one server at a time: exactly one primary when any server takes
 * part, unique ids and names. Pure, so the wizard and the service give the same answer.
 */
export function checkServerList(servers: ReadonlyArray<Server>): ServerListProblem[] {
  const problems: ServerListProblem[] = [];
  const primaries = servers.filter((s) => s.role === 'primary');
  const selected = servers.filter((s) => s.role !== 'not-selected');
  if (primaries.length > 1)
    problems.push({
      serverId: null,
      field: 'role',
      message: `Only one server can be the primary; now ${primaries.map((s) => `"${s.name}"`).join(' and ')} are.`,
    });
  else if (primaries.length === 0 && selected.length > 0)
    problems.push({ serverId: null, field: 'role', message: 'Choose which server is the primary (the source of every synchronization).' });
  const ids = new Set<string>();
  const names = new Map<string, string>();
  for (const s of servers) {
    if (ids.has(s.id)) problems.push({ serverId: s.id, field: 'id', message: `Two servers share the id "${s.id}".` });
    ids.add(s.id);
    const key = s.name.trim().toLowerCase();
    if (names.has(key)) problems.push({ serverId: s.id, field: 'name', message: `Two servers are named "${s.name}"; give each its own name.` });
    names.set(key, s.id);
  }
  problems.push(...jumpProblems(servers));
  if (!servers.some((s) => s.kind === 'local')) problems.push({ serverId: null, field: 'servers', message: 'The "This computer" entry is missing.' });
  return problems;
}

/** Every pin of an SSH server, the first one first: one per key algorithm. */
export function hostKeyPins(server: SshServer): HostKeyPinShape[] {
  return [...(server.pinnedHostKey ? [server.pinnedHostKey] : []), ...(server.otherHostKeys ?? [])];
}
type HostKeyPinShape = z.infer<typeof hostKeyPin>;

/**
 * The entries a server is reached through, nearest to this computer first (bastion, …, the server's own
 * jump host), or the problem in words: a missing entry, "This computer", or a loop.
 */
export function jumpChain(
  servers: ReadonlyArray<Server>,
  target: SshServer,
): { ok: true; hops: SshServer[] } | { ok: false; message: string } {
  const hops: SshServer[] = [];
  const seen = new Set([target.id]);
  let current: SshServer = target;
  for (;;) {
    const via = current.jumpVia;
    if (!via) break;
    const next = servers.find((s) => s.id === via);
    if (!next) return { ok: false, message: `"${current.name}" is reached through a server that is not in the list ("${via}").` };
    if (next.kind !== 'ssh')
      return { ok: false, message: `"${current.name}" cannot be reached through "${next.name}": that is this computer.` };
    if (seen.has(next.id))
      return { ok: false, message: `"${target.name}" is reached through a loop of jump hosts (${[target, ...hops, next].map((s) => `"${s.name}"`).join(' → ')}).` };
    seen.add(next.id);
    hops.unshift(next);
    current = next;
  }
  return { ok: true, hops };
}

function jumpProblems(servers: ReadonlyArray<Server>): ServerListProblem[] {
  const problems: ServerListProblem[] = [];
  for (const s of servers) {
    if (s.kind !== 'ssh' || !s.jumpVia) continue;
    const chain = jumpChain(servers, s);
    if (!chain.ok) problems.push({ serverId: s.id, field: 'jumpVia', message: chain.message });
  }
  return problems;
}

/** A server list as `servers.list` reports it: what is saved, what is being edited, and whether they differ. */
export const serverListState = z.object({
  committed: z.array(server),
  draft: z.array(server),
  /** The draft differs from what is saved (last-contact results do not count). */
  dirty: z.boolean(),
  problems: z.array(z.object({ serverId: z.string().nullable(), field: z.string(), message: z.string() })),
});
export type ServerListState = z.infer<typeof serverListState>;
