import { z } from 'zod';
import { errorCode } from '../envelope.js';
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

/**
 * Where a backup to import comes from: a path on the computer ConfigSync runs on, or the text of a file
 * the user chose (files.open, or a browser's file input), named by its file name.
 */
const backupSource = z.union([
  z.object({ path: filePath }).strict(),
  z.object({ json: z.string().max(64 * 1024 * 1024), name: z.string().min(1).max(255) }).strict(),
]);
export type BackupSource = z.infer<typeof backupSource>;

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
  z.object({
    ok: z.literal(true),
    hostKey: presentedHostKey,
    capabilities: serverCapabilities,
    message: z.string(),
  }),
  z.object({
    ok: z.literal(false),
    /** DNS, REFUSED, TIMEOUT, HOST_KEY_UNKNOWN, HOST_KEY_CHANGED, AUTH_FAILED, NETWORK, NO_AGENT, KEY_FILE… */
    code: errorCode,
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

/** One field an import changes, both values as a person reads them. */
export const fieldChange = z.object({ field: z.string(), old: z.string(), new: z.string() });
export type FieldChange = z.infer<typeof fieldChange>;

const namedItem = z.object({ id: z.string(), name: z.string() });

/** The parts of the store a backup carries beside the server list. */
export const configParts = ['syncSets', 'schedules', 'autoSync', 'notifications'] as const;
export type ConfigPart = (typeof configParts)[number];

/** What an import changes in one part (sync sets, schedules, automatic sync, notification settings). */
export const configPartDiff = z.object({
  part: z.enum(configParts),
  /** False when the file has no such part (an older backup): that part is then left as it is. */
  inFile: z.boolean(),
  added: z.array(namedItem),
  removed: z.array(namedItem),
  changed: z.array(namedItem.extend({ changes: z.array(fieldChange) })),
  /** Entries of the file that cannot be used, each with its reason; they are not imported. */
  skipped: z.array(z.object({ name: z.string(), reason: z.string() })),
});
export type ConfigPartDiff = z.infer<typeof configPartDiff>;

export const configDiff = z.object({
  added: z.array(namedItem),
  removed: z.array(namedItem),
  changed: z.array(namedItem.extend({ fields: z.array(z.string()), changes: z.array(fieldChange) })),
  settingsChanged: z.boolean(),
  parts: z.array(configPartDiff),
});
export type ConfigDiff = z.infer<typeof configDiff>;

/** How many of each thing a backup file holds (what "Saved …" says). */
export const configCounts = z.object({
  servers: z.number(),
  syncSets: z.number(),
  schedules: z.number(),
  autoSync: z.number(),
  notifications: z.boolean(),
});
export type ConfigCounts = z.infer<typeof configCounts>;

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
    output: z.object({
      pinned: presentedHostKey,
      previous: presentedHostKey.nullable(),
      state: serverListState,
    }),
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
    output: z.object({
      host: z.string(),
      addresses: z.array(z.object({ address: z.string(), family: z.number() })),
    }),
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
  /**
   * Writes an Ansible inventory, playbook and known_hosts that perform a sync set's sync with
   * ansible.posix.synchronize, for fleets beyond one desktop; destinations that cannot be exported are
   * listed with the reason.
   */
  'export.ansible': {
    input: z.object({ setId: id, path: filePath }).strict(),
    output: z.object({
      dir: z.string(),
      files: z.array(z.string()),
      hosts: z.number().int(),
      skipped: z.array(z.object({ server: z.string(), reason: z.string() })),
    }),
  },
  'servers.importSshConfig': {
    input: z
      .object({ aliases: z.array(z.string().min(1).max(255)).min(1).max(500), path: filePath.optional() })
      .strict(),
    output: z.object({
      added: z.array(z.object({ id, name: z.string(), jumpVia: z.string().nullable() })),
      /** One entry per host that could not be added, with the reason; the others were added. */
      skipped: z.array(z.object({ alias: z.string(), reason: z.string() })),
      state: serverListState,
    }),
  },
  /**
   * Writes everything the store holds but secrets (servers with their pins, sync sets, schedules,
   * automatic sync, notification settings) as JSON; also returns the text and what it holds.
   */
  'config.export': {
    input: z.object({ path: filePath.optional() }).strict(),
    output: z.object({
      path: z.string().nullable(),
      json: z.string(),
      servers: z.number(),
      counts: configCounts,
    }),
  },
  /** What importing a backup file would change in the draft. */
  'config.importPreview': { input: backupSource, output: configDiff },
  /** Stages a backup file in the draft, every part of it (servers.commit writes it all at once). */
  'config.import': {
    input: backupSource,
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
  // Each entry is checked on its own when read (one bad entry is skipped with its reason, not the file).
  syncSets: z.array(z.unknown()).optional(),
  schedules: z.array(z.unknown()).optional(),
  autoSync: z.record(z.string(), z.unknown()).optional(),
  notifications: z.unknown().optional(),
});
export type ConfigBackup = z.infer<typeof configBackup>;
