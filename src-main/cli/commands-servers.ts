import { parseArgs } from 'node:util';
import type { ServerAuth, ServerRole, ServerSudo } from '../../src-shared/model/server.js';
import { serverRole } from '../../src-shared/model/server.js';
import type { CliCommand, CliContext } from './commands-types.js';
import { exitCodes } from '../../src-shared/errors.js';
import { table } from './format.js';
import { listCommand } from './list-command.js';
import { serverByName } from './lookup.js';
import { CliCallError } from './rpc-call.js';

function parseVars(list: ReadonlyArray<string> | undefined): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const kv of list ?? []) {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw new CliCallError('BAD_PARAMS', `--var wants NAME=VALUE, got "${kv}".`);
    vars[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return vars;
}

function parseRole(value: string | undefined): ServerRole | undefined {
  if (value === undefined) return undefined;
  const r = serverRole.safeParse(value);
  if (!r.success)
    throw new CliCallError('BAD_PARAMS', `--role is primary, secondary or not-selected, not "${value}".`);
  return r.data;
}

function parseAuth(v: { 'key-file'?: string; agent?: boolean; 'app-key'?: boolean }): ServerAuth | undefined {
  const chosen = [v['key-file'] !== undefined, !!v.agent, !!v['app-key']].filter(Boolean).length;
  if (chosen > 1) throw new CliCallError('BAD_PARAMS', 'Choose one of --key-file, --agent and --app-key.');
  if (v['key-file'] !== undefined) return { kind: 'key-file', path: v['key-file'] };
  if (v.agent) return { kind: 'agent' };
  if (v['app-key']) return { kind: 'app-key' };
  return undefined;
}

/**
 * Pins the key the host presents: with --fingerprint only when it matches; without one, shows the key
 * and asks on a terminal; never pins silently.
 */
async function pinKey(
  ctx: CliContext,
  id: string,
  name: string,
  fingerprint: string | undefined,
): Promise<boolean> {
  if (fingerprint) {
    const r = await ctx.call('servers.trustHostKey', { id, fingerprint });
    ctx.io.out(`Pinned the host key of ${name}: ${r.pinned.display}`);
    return true;
  }
  const test = await ctx.call('servers.test', { id });
  const presented = test.ok ? test.hostKey : test.presentedKey;
  if (!presented) {
    ctx.io.err(`Could not read the host key of ${name}: ${test.ok ? '' : test.message}`);
    return false;
  }
  if (
    ctx.io.confirm &&
    (await ctx.io.confirm(`${name} presents the host key ${presented.display}. Trust and pin it?`))
  ) {
    await ctx.call('servers.trustHostKey', { id, fingerprint: presented.fingerprint });
    ctx.io.out(`Pinned the host key of ${name}.`);
    return true;
  }
  ctx.io.err(
    `The host key of ${name} is NOT pinned: ${presented.display}\nCheck it on the server (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub), then run:\n  configsync servers trust "${name}" --fingerprint ${presented.fingerprint}`,
  );
  return false;
}

const serverOptions = {
  name: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  user: { type: 'string' },
  role: { type: 'string' },
  timeout: { type: 'string' },
  var: { type: 'string', multiple: true },
  'key-file': { type: 'string' },
  agent: { type: 'boolean' },
  'app-key': { type: 'boolean' },
  fingerprint: { type: 'string' },
  sudo: { type: 'boolean' },
  'sudo-user': { type: 'string' },
  'sudo-password': { type: 'boolean' },
  'no-sudo': { type: 'boolean' },
  jump: { type: 'string' },
} as const;

/** --sudo [--sudo-user U] [--sudo-password] / --no-sudo: how the server is read and written. */
function parseSudo(v: {
  sudo?: boolean;
  'sudo-user'?: string;
  'sudo-password'?: boolean;
  'no-sudo'?: boolean;
}): ServerSudo | null | undefined {
  if (v['no-sudo']) return null;
  if (!v.sudo && v['sudo-user'] === undefined && !v['sudo-password']) return undefined;
  return { ...(v['sudo-user'] ? { user: v['sudo-user'] } : {}), askPassword: v['sudo-password'] === true };
}

/** `--jump NAME`: the id of the server entry to pass through; `--jump none` for a direct connection. */
async function jumpOf(ctx: CliContext, value: string | undefined): Promise<string | null | undefined> {
  if (value === undefined) return undefined;
  if (value === 'none' || value === '') return null;
  return (await serverByName(ctx, value, 'draft')).id;
}

const list = listCommand({
  name: 'servers list',
  summary: 'list the servers, their roles and last contact',
  fetch: async (ctx) => (await ctx.call('servers.list', {})).committed,
  text: (servers) =>
    table(
      ['NAME', 'ROLE', 'ADDRESS', 'HOST KEY', 'LAST CONTACT'],
      servers.map((s) => [
        s.name,
        s.role,
        s.kind === 'ssh' ? `${s.user}@${s.host}:${s.port}` : 'this computer',
        s.kind === 'ssh' ? (s.pinnedHostKey?.fingerprint ?? 'not pinned') : '-',
        s.lastContact ? `${s.lastContact.at} ${s.lastContact.ok ? 'ok' : s.lastContact.message}` : 'never',
      ]),
    ),
});

const add: CliCommand = {
  name: 'servers add',
  summary: 'add a server (pins its host key only with --fingerprint or after asking)',
  help: `Options:
  --name NAME          display name (required)
  --host HOST          name or IP (required)
  --port N             SSH port (22)
  --user USER          SSH user (required)
  --role ROLE          primary | secondary | not-selected (secondary)
  --timeout SECONDS    contact timeout (15)
  --var NAME=VALUE     a path variable, repeatable (CONFIG_ROOT=/opt/app/conf)
  --key-file PATH | --agent | --app-key   how to log in (the app's key by default)
  --jump NAME          reach it through that server entry (a bastion, with its own pinned key and login)
  --fingerprint SHA256:…   the host key you checked on the server; pinned only if the host presents it
  --sudo               read and write through sudo (as root; --sudo-user USER for another user)
  --sudo-password      sudo there asks for a password: it is asked for when a run starts, never stored`,
  async run(args, ctx) {
    const { values: v } = parseArgs({ args, options: serverOptions, strict: true });
    if (!v.name || !v.host || !v.user)
      throw new CliCallError('BAD_PARAMS', '--name, --host and --user are required.');
    const auth = parseAuth(v);
    const role = parseRole(v.role);
    const sudo = parseSudo(v);
    const { id } = await ctx.call('servers.add', {
      server: {
        name: v.name,
        host: v.host,
        user: v.user,
        ...(v.port ? { port: Number(v.port) } : {}),
        ...(role ? { role } : {}),
        ...(v.timeout ? { contactTimeoutSec: Number(v.timeout) } : {}),
        vars: parseVars(v.var),
        ...(auth ? { auth } : {}),
        ...(sudo ? { sudo } : {}),
      },
    });
    let pinned = false;
    try {
      const jumpVia = await jumpOf(ctx, v.jump);
      if (jumpVia) await ctx.call('servers.edit', { id, patch: { jumpVia } });
      pinned = await pinKey(ctx, id, v.name, v.fingerprint);
    } catch (err) {
      await ctx.call('servers.reset', {});
      throw err;
    }
    await ctx.call('servers.commit', {});
    ctx.io.out(`Added ${v.name} (${id}).`);
    return pinned ? exitCodes.ok : exitCodes.hostKey;
  },
};

const trust: CliCommand = {
  name: 'servers trust',
  summary: 'pin a server host key (with --fingerprint, or after asking)',
  help: 'Usage: configsync servers trust NAME [--fingerprint SHA256:…]',
  async run(args, ctx) {
    const { values, positionals } = parseArgs({
      args,
      options: { fingerprint: { type: 'string' } },
      allowPositionals: true,
      strict: true,
    });
    const server = await serverByName(ctx, positionals[0] ?? '', 'draft');
    const ok = await pinKey(ctx, server.id, server.name, values.fingerprint);
    if (ok) await ctx.call('servers.commit', {});
    return ok ? exitCodes.ok : exitCodes.hostKey;
  },
};

const edit: CliCommand = {
  name: 'servers edit',
  summary: 'change a server (same options as add, plus --role)',
  help: 'Usage: configsync servers edit NAME [--name …] [--host …] [--port …] [--user …] [--role …] [--timeout …] [--var …] [--jump NAME|none] [--sudo [--sudo-user U] [--sudo-password] | --no-sudo]',
  async run(args, ctx) {
    const { values: v, positionals } = parseArgs({
      args,
      options: serverOptions,
      allowPositionals: true,
      strict: true,
    });
    const server = await serverByName(ctx, positionals[0] ?? '', 'draft');
    const auth = parseAuth(v);
    const sudo = parseSudo(v);
    const jumpVia = await jumpOf(ctx, v.jump);
    const patch = {
      ...(jumpVia !== undefined ? { jumpVia } : {}),
      ...(v.name ? { name: v.name } : {}),
      ...(v.host ? { host: v.host } : {}),
      ...(v.port ? { port: Number(v.port) } : {}),
      ...(v.user ? { user: v.user } : {}),
      ...(v.timeout ? { contactTimeoutSec: Number(v.timeout) } : {}),
      ...(v.var ? { vars: { ...server.vars, ...parseVars(v.var) } } : {}),
      ...(auth ? { auth } : {}),
      ...(sudo !== undefined ? { sudo: sudo ?? undefined } : {}),
    };
    if (Object.keys(patch).length > 0) await ctx.call('servers.edit', { id: server.id, patch });
    const role = parseRole(v.role);
    if (role) await ctx.call('servers.setRole', { id: server.id, role });
    await ctx.call('servers.commit', {});
    ctx.io.out(`Updated ${server.name}.`);
    return exitCodes.ok;
  },
};

const remove: CliCommand = {
  name: 'servers remove',
  summary: 'remove a server from the list',
  help: 'Usage: configsync servers remove NAME',
  async run(args, ctx) {
    const { positionals } = parseArgs({ args, options: {}, allowPositionals: true, strict: true });
    const server = await serverByName(ctx, positionals[0] ?? '', 'draft');
    await ctx.call('servers.remove', { id: server.id });
    await ctx.call('servers.commit', {});
    ctx.io.out(`Removed ${server.name}.`);
    return exitCodes.ok;
  },
};

export const serverCommands: ReadonlyArray<CliCommand> = [list, add, trust, edit, remove];
