import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { homedir } from 'node:os';
import { AppError } from '../../errors/app-error.js';
import type { SyncSet } from '../../../src-shared/contract/schemas/sync.js';
import { jumpChain, type Server, type SshServer } from '../../../src-shared/model/server.js';
import { expandPathVars } from '../../../src-shared/path-vars.js';
import { ENGINE_EXCLUDES } from '../../../src-shared/model/sync.js';
import { connectTo, type ConnectDeps } from './server-connect.js';
import type { AppKeyStore } from '../../secrets/app-key-store.js';

export type AnsibleExport = {
  readonly dir: string;
  readonly files: string[];
  readonly hosts: number;
  /** Destinations left out, each with its reason (the others are in the inventory). */
  readonly skipped: { server: string; reason: string }[];
};

/** A YAML scalar that means exactly the string: JSON strings are YAML double-quoted strings. */
const y = (s: string) => JSON.stringify(s);

/** An INI value for the inventory, quoted for Ansible's shlex-like parser. */
const ini = (s: string) => `'${s.replace(/'/g, `'"'"'`)}'`;

/**
 * rsync filter options for the set's globs, in the order rsync reads them: the engine's own names and
 * the excludes first, then (with includes) every folder and the included files, and nothing else.
 */
export function rsyncFilters(set: Pick<SyncSet, 'include' | 'exclude'>): string[] {
  const out = [...ENGINE_EXCLUDES, ...set.exclude].map((p) => `--exclude=${p.trim()}`);
  if (set.include.length > 0) {
    out.push('--include=*/');
    for (const p of set.include) out.push(`--include=${p.trim()}`);
    out.push('--exclude=*');
  }
  return out;
}

/** Ansible's `serial` for a roll-out: canary is one host, then batches of `parallel`. */
export function serialOf(rollout: SyncSet['rollout']): Array<number> | number {
  if (rollout.order === 'one-at-a-time') return 1;
  if (rollout.order === 'canary') return [1, rollout.parallel];
  return rollout.parallel;
}

function sshArgs(server: SshServer, servers: ReadonlyArray<Server>, knownHosts: string): string {
  const args = ['-o StrictHostKeyChecking=yes', `-o UserKnownHostsFile=${knownHosts}`];
  const chain = jumpChain(servers, server);
  if (chain.ok && chain.hops.length > 0)
    args.push(`-o ProxyJump=${chain.hops.map((h) => `${h.user}@${h.host}:${h.port}`).join(',')}`);
  return args.join(' ');
}

function keyFileOf(server: SshServer, keys: AppKeyStore, home: string): string | null {
  if (server.auth.kind === 'app-key') return keys.privatePath;
  if (server.auth.kind === 'key-file') return server.auth.path.replace(/^~(?=\/|$)/, home);
  return null;
}

/**
 * `configsync export ansible --set NAME`: an inventory and a playbook that perform the same sync with
 * Ansible's kept engine (ansible.posix.synchronize, i.e. rsync), for fleets beyond one desktop:
 * mirror deletes extras, checksum compares by content, excludes and includes as the set has them, every
 * overwritten or deleted file backed up first (rsync --backup-dir, per run), the validate command run
 * on a complete copy of the destination with the changes (nothing goes live when it fails), become
 * where the server uses sudo, the post-apply command as a handler (runs only where something changed),
 * and `serial` for the roll-out order. The host keys go in a known_hosts file beside the playbook,
 * read from each destination over a connection that matched its pin, so Ansible checks the same keys.
 */
export async function exportAnsible(
  deps: ConnectDeps & { readonly keys: AppKeyStore },
  set: SyncSet,
  servers: ReadonlyArray<Server>,
  outDir: string,
): Promise<AnsibleExport> {
  const home = deps.homeDir ?? homedir();
  const primary = servers.find((s) => s.role === 'primary');
  if (!primary)
    throw new AppError('NO_PRIMARY', 'No server is the primary yet: choose one in the server list.');
  if (primary.kind !== 'local')
    throw new AppError(
      'EXPORT_UNSUPPORTED',
      `The Ansible export runs on the primary itself ("This computer" as the primary); "${primary.name}" is remote. Export on that machine instead.`,
    );
  if (set.items.length !== 1)
    throw new AppError(
      'EXPORT_UNSUPPORTED',
      `The Ansible export takes a set of one folder; "${set.name}" has ${set.items.length}.`,
    );
  const item = set.items[0]?.path ?? '';
  const src = expandPathVars(item, primary.vars);
  if (!src.ok)
    throw new AppError('PATH_VARIABLE', `"${primary.name}" has no path variable ${src.missing.join(', ')}.`);
  const dir = resolve(outDir);
  await mkdir(dir, { recursive: true });
  const knownHostsPath = join(dir, 'known_hosts');
  const known: string[] = [];
  const lines: string[] = [];
  const skipped: AnsibleExport['skipped'] = [];
  for (const s of servers) {
    if (s.kind !== 'ssh' || s.role !== 'secondary') continue;
    const root = expandPathVars(item, s.vars);
    if (!root.ok) {
      skipped.push({ server: s.name, reason: `no path variable ${root.missing.join(', ')}` });
      continue;
    }
    try {
      const conn = await connectTo(s, deps, undefined, servers);
      const blob = conn.hostKeyBlob;
      conn.close();
      if (blob) {
        const name = s.port === 22 ? s.host : `[${s.host}]:${s.port}`;
        known.push(`${name} ${conn.hostKey.algorithm} ${blob.toString('base64')}`);
      }
    } catch (err) {
      skipped.push({ server: s.name, reason: err instanceof Error ? err.message : String(err) });
      continue;
    }
    const key = keyFileOf(s, deps.keys, home);
    const sudo = (s as { sudo?: { user?: string } | null }).sudo;
    lines.push(
      [
        ini(s.name),
        `ansible_host=${s.host}`,
        `ansible_port=${s.port}`,
        `ansible_user=${s.user}`,
        ...(key ? [`ansible_ssh_private_key_file=${ini(key)}`] : []),
        `ansible_ssh_common_args=${ini(sshArgs(s, servers, knownHostsPath))}`,
        `config_root=${ini(root.path.replace(/\/+$/, ''))}`,
        ...(sudo ? ['ansible_become=true', ...(sudo.user ? [`ansible_become_user=${sudo.user}`] : [])] : []),
      ].join(' '),
    );
  }
  const group = `configsync_${set.name.replace(/[^A-Za-z0-9_]/g, '_')}`;
  const inventory = `# ConfigSync sync set "${set.name}": the destinations (secondaries) of the server list.\n[${group}]\n${lines.join('\n')}\n`;
  const playbook = playbookOf(set, group, src.path.replace(/\/+$/, ''));
  await writeFile(join(dir, 'inventory.ini'), inventory);
  await writeFile(join(dir, 'playbook.yml'), playbook);
  await writeFile(knownHostsPath, known.length > 0 ? `${known.join('\n')}\n` : '');
  return {
    dir,
    files: ['inventory.ini', 'playbook.yml', 'known_hosts'].map((f) => join(dir, f)),
    hosts: lines.length,
    skipped,
  };
}

/** The playbook: one play over the set's destinations, in roll-out order. */
export function playbookOf(set: SyncSet, group: string, sourceDir: string): string {
  const rsyncOpts = [
    ...rsyncFilters(set),
    '--backup',
    '--backup-dir={{ backup_dir }}',
    ...(set.mode === 'mirror' ? [] : ['--update']),
  ];
  const serial = serialOf(set.rollout);
  const validate = set.validateCommand;
  const staging = '{{ config_root }}.configsync-shadow';
  const lines = [
    `# Generated by ConfigSync from the sync set "${set.name}". Run: ansible-playbook -i inventory.ini playbook.yml`,
    `- name: ${y(`ConfigSync set ${set.name}`)}`,
    `  hosts: ${group}`,
    `  serial: ${JSON.stringify(serial)}`,
    ...(set.rollout.stopAfterFailures > 0 ? [`  max_fail_percentage: 0`] : []),
    ...(set.rollout.order === 'canary' ? ['  any_errors_fatal: true'] : []),
    '  gather_facts: false',
    '  vars:',
    `    source_dir: ${y(sourceDir)}`,
    '  tasks:',
    '    - name: "Where this run backs up what it overwrites or deletes (beside the folder, same filesystem)"',
    '      ansible.builtin.set_fact:',
    `        backup_dir: "{{ config_root }}.configsync-backups/{{ lookup('pipe', 'date -u +%Y%m%dT%H%M%SZ') }}"`,
  ];
  const push = (dest: string, name: string) => [
    `    - name: ${y(name)}`,
    '      ansible.posix.synchronize:',
    '        src: "{{ source_dir }}/"',
    `        dest: ${y(`${dest}/`)}`,
    '        archive: true',
    `        delete: ${set.mode === 'mirror' ? 'true' : 'false'}`,
    `        checksum: ${set.compare === 'checksum' ? 'true' : 'false'}`,
    '        rsync_opts:',
    ...rsyncOpts
      .filter((o) => !o.startsWith('--backup') || dest !== staging)
      .map((o) => `          - ${y(o)}`),
  ];
  if (validate) {
    lines.push(
      '    - name: "A complete copy of the destination, outside the live folder"',
      `      ansible.builtin.command: rsync -a --delete -- "{{ config_root }}/" "${staging}/"`,
      '      changed_when: false',
      ...push(staging, 'The changes, applied to the copy'),
      '    - name: "Validate the tree as it will be (nothing goes live when this fails)"',
      `      ansible.builtin.shell: ${y(validate.replace(/%s/g, staging))}`,
      `      args: { chdir: ${y(staging)} }`,
      '      changed_when: false',
    );
  }
  lines.push(
    ...push('{{ config_root }}', 'Synchronize (overwritten and deleted files backed up first)'),
    ...(set.postApplyCommand ? ['      notify: post-apply'] : []),
  );
  if (validate)
    lines.push(
      '    - name: "Remove the copy"',
      `      ansible.builtin.file: { path: ${y(staging)}, state: absent }`,
      '      changed_when: false',
    );
  if (set.postApplyCommand)
    lines.push(
      '  handlers:',
      '    - name: post-apply',
      `      ansible.builtin.shell: ${y(set.postApplyCommand)}`,
      '      args: { chdir: "{{ config_root }}" }',
    );
  return `${lines.join('\n')}\n`;
}
