import { z } from 'zod';
import {
  hostKeyPin,
  serverListState,
  serverRole,
  sshServerFields,
  serverAuth,
  serverVars,
  server,
} from '../../model/server.js';

const id = z.string().min(1).max(64);
const filePath = z.string().trim().min(1, 'Give a file path').max(4096);

/** A host key as first contact shows it, with the line `ssh-keygen -lf` prints (`256 SHA256:… (ED25519)`). */
export const presentedHostKey = hostKeyPin.extend({ display: z.string() });

/** What a host offers that the engine uses; each flag was tried on the host, not guessed. */
export const serverCapabilities = z.object({
  /** `uname -sr`, e.g. "Linux 6.1.0-18-amd64". */
  os: z.string(),
  /** The login shell ($SHELL). */
  shell: z.string(),
  findPrintf: z.boolean(),
  tar: z.boolean(),
  sha256sum: z.boolean(),
  /** The folder whose free space was measured (the home folder unless a path was given). */
  freeSpacePath: z.string(),
  /** Free bytes there (df -Pk), null when df did not answer. */
  freeBytes: z.number().nullable(),
});
export type ServerCapabilities = z.infer<typeof serverCapabilities>;

export const connectionTestResult = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), hostKey: presentedHostKey, capabilities: serverCapabilities, message: z.string() }),
  z.object({
    ok: z.literal(false),
    /** DNS, REFUSED, TIMEOUT, HOST_KEY_UNKNOWN, HOST_KEY_CHANGED, AUTH, NETWORK, NO_AGENT, KEY_FILE… */
    code: z.string(),
    message: z.string(),
    /** On HOST_KEY_UNKNOWN / HOST_KEY_CHANGED: what the host presented, for the user to compare. */
    presentedKey: presentedHostKey.nullable(),
    pinnedKey: presentedHostKey.nullable(),
  }),
]);
export type ConnectionTestResult = z.infer<typeof connectionTestResult>;

const fieldPatch = z
  .object({
    name: sshServerFields.shape.name,
    host: sshServerFields.shape.host,
    port: sshServerFields.shape.port.unwrap(),
    user: sshServerFields.shape.user,
    contactTimeoutSec: sshServerFields.shape.contactTimeoutSec.unwrap(),
    vars: serverVars,
    auth: serverAuth,
    /** The id of the server entry this one is reached through, or null for a direct connection. */
    jumpVia: id.nullable(),
  })
  .partial()
  .strict();

/** A host found in ~/.ssh/config, ready to be added with `servers.add`. */
export const sshConfigHost = z.object({
  alias: z.string(),
  host: z.string(),
  port: z.number(),
  user: z.string().nullable(),
  identityFile: z.string().nullable(),
  /** ProxyJump as the config gives it (`bastion`, `user@gw:2222,inner`), or null for a direct connection. */
  proxyJump: z.string().nullable(),
  /** Why the host cannot be reached as configured (an unsupported ProxyCommand), or null. */
  problem: z.string().nullable(),
  /** True when this alias (or its host:port) is already in the draft list. */
  alreadyListed: z.boolean(),
});

export const configDiff = z.object({
  added: z.array(z.object({ id: z.string(), name: z.string() })),
  removed: z.array(z.object({ id: z.string(), name: z.string() })),
  changed: z.array(z.object({ id: z.string(), name: z.string(), fields: z.array(z.string()) })),
  settingsChanged: z.boolean(),
});
export type ConfigDiff = z.infer<typeof configDiff>;

/** `servers.*` (the server list: staged edits, trust, key setup) and `config.*` (Backup Configuration). */
export const serverMethods = {
  /** The saved list, the list being edited, whether they differ, and what stops a commit. */
  'servers.list': { input: z.object({}).strict(), output: serverListState },
  /** Adds an SSH server to the draft. */
  'servers.add': {
    input: z.object({ server: sshServerFields }).strict(),
    output: z.object({ id, state: serverListState }),
  },
  /** Changes fields of a draft server ("This computer" takes only name and vars). */
  'servers.edit': { input: z.object({ id, patch: fieldPatch }).strict(), output: serverListState },
  'servers.remove': { input: z.object({ id }).strict(), output: serverListState },
  /** Making one server primary turns the previous primary into a secondary. */
  'servers.setRole': { input: z.object({ id, role: serverRole }).strict(), output: serverListState },
  /** Validates the draft and writes it; refuses with every problem in words. */
  'servers.commit': { input: z.object({}).strict(), output: serverListState },
  /** Throws the staged edits away. */
  'servers.reset': { input: z.object({}).strict(), output: serverListState },
  /** Connects within the server's contact timeout; reports capabilities or what failed. */
  'servers.test': {
    input: z.object({ id, path: z.string().max(4096).optional() }).strict(),
    output: connectionTestResult,
  },
  /** Pins the host key the server presents now, only if it is the one the user confirmed. */
  'servers.trustHostKey': {
    input: z.object({ id, fingerprint: hostKeyPin.shape.fingerprint }).strict(),
    output: z.object({ pinned: presentedHostKey, state: serverListState }),
  },
  /** The explicit override for a changed host key, after the user saw the warning. */
  'servers.replaceHostKey': {
    input: z.object({ id, confirm: z.literal(true), fingerprint: hostKeyPin.shape.fingerprint }).strict(),
    output: z.object({ pinned: presentedHostKey, previous: presentedHostKey.nullable(), state: serverListState }),
  },
  /** Pins a key found in ~/.ssh/known_hosts (no connection made); says why when none matches. */
  'servers.importKnownHost': {
    input: z.object({ id, path: filePath.optional() }).strict(),
    output: z.object({ pinned: presentedHostKey.nullable(), message: z.string(), state: serverListState }),
  },
  /** One-time key setup: logs in with the password once and installs the app's public key. */
  'servers.setupKey': {
    input: z.object({ id, password: z.string().min(1, 'Type the password').max(1024) }).strict(),
    output: z.object({
      /** False when the key was already in authorized_keys (nothing was changed). */
      added: z.boolean(),
      publicKey: z.string(),
      message: z.string(),
      state: serverListState,
    }),
  },
  /** The app's public key (null until the first key setup or test creates it). */
  'servers.appKey': {
    input: z.object({}).strict(),
    output: z.object({
      publicKey: z.string().nullable(),
      path: z.string(),
      /** How the private key is kept at rest (a 0600 file, or the OS keychain), in words. */
      protection: z.object({ kind: z.enum(['file-mode', 'os-keychain']), words: z.string() }),
    }),
  },
  /** Resolves a host name to its addresses (the Discover button). */
  'servers.discover': {
    input: z.object({ host: sshServerFields.shape.host }).strict(),
    output: z.object({ host: z.string(), addresses: z.array(z.object({ address: z.string(), family: z.number() })) }),
  },
  /** Hosts in an ssh config file (default ~/.ssh/config), for the user to pick from. */
  'servers.sshConfigHosts': {
    input: z.object({ path: filePath.optional() }).strict(),
    output: z.object({ path: z.string(), hosts: z.array(sshConfigHost) }),
  },
  /**
   * Adds the chosen hosts of an ssh config file to the draft, each with its jump hosts (ProxyJump) as
   * server entries of their own (reused when already listed, added as Not Selected otherwise).
   */
  'servers.importSshConfig': {
    input: z.object({ aliases: z.array(z.string().min(1).max(255)).min(1).max(500), path: filePath.optional() }).strict(),
    output: z.object({
      added: z.array(z.object({ id, name: z.string(), jumpVia: z.string().nullable() })),
      /** One entry per host that could not be added, with the reason; the others were added. */
      skipped: z.array(z.object({ alias: z.string(), reason: z.string() })),
      state: serverListState,
    }),
  },
  /** Writes the server list and settings (never secrets) as JSON; also returns the text. */
  'config.export': {
    input: z.object({ path: filePath.optional() }).strict(),
    output: z.object({ path: z.string().nullable(), json: z.string(), servers: z.number() }),
  },
  /** What importing a backup file would change in the draft. */
  'config.importPreview': { input: z.object({ path: filePath }).strict(), output: configDiff },
  /** Applies a backup file to the draft (commit to keep it). */
  'config.import': {
    input: z.object({ path: filePath }).strict(),
    output: z.object({ diff: configDiff, state: serverListState }),
  },
} as const;

/** The whole-list shape a backup file holds. */
export const configBackup = z.object({
  app: z.literal('ConfigSync'),
  kind: z.literal('backup-configuration'),
  schemaVersion: z.number().int(),
  exportedAt: z.string(),
  servers: z.array(server),
  settings: z.record(z.string(), z.unknown()),
});
export type ConfigBackup = z.infer<typeof configBackup>;
