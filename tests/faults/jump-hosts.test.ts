import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compose, type ComposedApp } from '../../src-main/compose.js';
import { makeNetns, netnsSupport, startSshdInNetns, type Netns, type NsSshd } from '../support/netns.js';
import { startSshd, type SshdServer } from '../support/sshd.js';
import { makeTempDir } from '../support/temp.js';
import { rpc } from '../support/app.js';
import { testConnection, type ConnectDeps } from '../../src-main/services/servers/server-connect.js';
import { ServerService } from '../../src-main/services/servers/server-service.js';
import { openSettingsStore } from '../../src-main/store/settings-store.js';
import { AppKeyStore } from '../../src-main/secrets/app-key-store.js';

const support = await netnsSupport();

type Reachable = Pick<NsSshd, 'host' | 'port' | 'user' | 'hostKeyFingerprint' | 'clientKey'>;

/**
 * A target reachable only through two bastions: this computer → bastion (127.0.0.1) → inner bastion
 * (its own network namespace) → target (127.0.0.1 inside that namespace, which nothing outside it can
 * reach). Each hop is its own server entry with its own pinned key and login.
 */
describe.skipIf(support.netns !== null)('jump hosts: a target behind a chain of bastions', () => {
  let ns: Netns;
  let bastion: SshdServer;
  let inner: NsSshd;
  let target: NsSshd;
  let tmp: { dir: string; cleanup: () => Promise<void> };
  let app: ComposedApp;
  const ids: Record<string, string> = {};

  const add = async (name: string, s: Reachable, role: 'primary' | 'secondary' | 'not-selected') => {
    const { id } = await rpc(app, 'servers.add', {
      server: {
        name,
        host: s.host,
        port: s.port,
        user: s.user,
        role,
        contactTimeoutSec: 10,
        auth: { kind: 'key-file', path: s.clientKey.privateKeyPath },
      },
    });
    return id;
  };

  beforeAll(async () => {
    ns = await makeNetns();
    [bastion, inner, target] = await Promise.all([
      startSshd(),
      startSshdInNetns(ns),
      startSshdInNetns(ns, { listen: '127.0.0.1', port: 2223 }),
    ]);
    tmp = await makeTempDir('configsync-jump-');
    app = compose({ dataDir: join(tmp.dir, 'store'), shell: 'cli', log: () => undefined });
    await mkdir(join(tmp.dir, 'src'));
    await writeFile(join(tmp.dir, 'src', 'app.conf'), 'port=8080\n');
    await mkdir(join(target.dataRoot, 'conf'));
    await writeFile(join(target.dataRoot, 'conf', 'old.conf'), 'old\n');
    for (const name of ['a.conf', 'b.conf']) {
      await writeFile(join(tmp.dir, 'src', name), `${name}\n`);
      await writeFile(join(target.dataRoot, 'conf', name), `${name}\n`);
    }
  }, 60_000);
  afterAll(async () => {
    await app?.dispose();
    await Promise.all([bastion?.stop(), inner?.stop(), target?.stop()]);
    await ns?.destroy();
    await tmp?.cleanup();
  });

  it('pins each hop through the ones before it, connects, and syncs to the target', async () => {
    ids.bastion = await add('bastion', bastion, 'not-selected');
    ids.inner = await add('inner', inner, 'not-selected');
    ids.target = await add('target', target, 'secondary');
    await rpc(app, 'servers.edit', { id: ids.inner, patch: { jumpVia: ids.bastion } });
    await rpc(app, 'servers.edit', { id: ids.target, patch: { jumpVia: ids.inner } });

    // Directly, the target cannot be reached at all: its address is the namespace's own loopback.
    const direct = await rpc(app, 'servers.edit', { id: ids.target, patch: { jumpVia: null } });
    expect(direct.problems.filter((p) => p.field === 'jumpVia')).toEqual([]);
    const unreachable = await rpc(app, 'servers.test', { id: ids.target });
    expect(unreachable.ok).toBe(false);
    await rpc(app, 'servers.edit', { id: ids.target, patch: { jumpVia: ids.inner } });

    // The inner bastion's key can only be read once the bastion in front of it is pinned.
    await expect(
      rpc(app, 'servers.trustHostKey', { id: ids.inner, fingerprint: inner.hostKeyFingerprint }),
    ).rejects.toMatchObject({ code: 'HOST_KEY_UNKNOWN' });
    await rpc(app, 'servers.trustHostKey', { id: ids.bastion, fingerprint: bastion.hostKeyFingerprint });
    await rpc(app, 'servers.trustHostKey', { id: ids.inner, fingerprint: inner.hostKeyFingerprint });
    const pinned = await rpc(app, 'servers.trustHostKey', {
      id: ids.target,
      fingerprint: target.hostKeyFingerprint,
    });
    expect(pinned.pinned.fingerprint).toBe(target.hostKeyFingerprint);

    const test = await rpc(app, 'servers.test', { id: ids.target });
    expect(test).toMatchObject({ ok: true, hostKey: { fingerprint: target.hostKeyFingerprint } });
    if (!test.ok) return;
    expect(test.capabilities.os).toMatch(/Linux/);

    // "This computer" is the primary; the target gets its tree through both bastions.
    await rpc(app, 'servers.edit', { id: 'local', patch: { vars: { CONFIG_ROOT: join(tmp.dir, 'src') } } });
    await rpc(app, 'servers.setRole', { id: 'local', role: 'primary' });
    await rpc(app, 'servers.edit', {
      id: ids.target,
      patch: { vars: { CONFIG_ROOT: join(target.dataRoot, 'conf') } },
    });
    await rpc(app, 'servers.commit', {});
    const { set } = await rpc(app, 'sets.save', {
      set: { name: 'app', items: [{ path: '${CONFIG_ROOT}' }] },
    });
    const plan = await rpc(app, 'sync.plan', { setId: set.id });
    expect(plan.targets.map((t) => [t.ok, t.summary?.counts.create, t.summary?.counts.delete])).toEqual([
      [true, 1, 1],
    ]);
    const { runId } = await rpc(app, 'sync.apply', { planId: plan.planId });
    const record = await rpc(app, 'sync.wait', { runId });
    expect(record.reports.map((r) => r.status)).toEqual(['completed']);
    expect(await readFile(join(target.dataRoot, 'conf', 'app.conf'), 'utf8')).toBe('port=8080\n');
  }, 120_000);

  it('checks the host key at every hop: a wrong pin on the middle bastion stops the chain there', async () => {
    const wrong = 'SHA256:' + 'A'.repeat(43);
    // The same list with the inner bastion pinned to a key it cannot present (as when someone sits
    // between the two bastions), in a store of its own.
    const { committed } = await rpc(app, 'servers.list', {});
    const deps: ConnectDeps = {
      service: new ServerService(openSettingsStore(join(tmp.dir, 'store-wrong'))),
      keys: new AppKeyStore(join(tmp.dir, 'store-wrong')),
      env: {},
    };
    deps.service.replaceDraft(
      committed.map((s) =>
        s.id === ids.inner && s.kind === 'ssh'
          ? { ...s, pinnedHostKey: { algorithm: 'ssh-ed25519', fingerprint: wrong } }
          : s,
      ),
    );
    const result = await testConnection(deps, ids.target ?? '');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.code).toBe('HOST_KEY_CHANGED');
    expect(result.message).toMatch(/^Through the jump host "inner": The host key of .* has CHANGED/);
    // The inner bastion's key is not offered as the target's.
    expect(result.presentedKey).toBeNull();
  }, 60_000);

  it('imports ProxyJump from an ssh config as server entries of their own, chained', async () => {
    const config = join(tmp.dir, 'ssh_config');
    await writeFile(
      config,
      [
        'Host front',
        `  HostName ${bastion.host}`,
        `  Port ${bastion.port}`,
        `  User ${bastion.user}`,
        `  IdentityFile ${bastion.clientKey.privateKeyPath}`,
        'Host middle',
        `  HostName ${inner.host}`,
        `  Port ${inner.port}`,
        `  IdentityFile ${inner.clientKey.privateKeyPath}`,
        `  ProxyCommand ssh -W %h:%p front`,
        'Host deep',
        `  HostName 127.0.0.1`,
        `  Port 2223`,
        `  User ${target.user}`,
        `  IdentityFile ${target.clientKey.privateKeyPath}`,
        '  ProxyJump middle',
        'Host odd',
        '  HostName 10.9.9.9',
        '  ProxyCommand nc -X 5 -x proxy:1080 %h %p',
        '',
      ].join('\n'),
    );
    // A fresh store, so the entries come from the file alone.
    const other = compose({ dataDir: join(tmp.dir, 'store2'), shell: 'cli', log: () => undefined });
    try {
      const listed = await rpc(other, 'servers.sshConfigHosts', { path: config });
      expect(listed.hosts.map((h) => [h.alias, h.proxyJump, h.problem !== null])).toEqual([
        ['front', null, false],
        ['middle', 'front', false],
        ['deep', 'middle', false],
        ['odd', null, true],
      ]);
      const r = await rpc(other, 'servers.importSshConfig', { aliases: ['deep', 'odd'], path: config });
      expect(r.skipped.map((s) => s.alias)).toEqual(['odd']);
      expect(r.skipped[0]?.reason).toMatch(/ProxyCommand .* ConfigSync does not run/);
      const byName = new Map(r.state.draft.map((s) => [s.name, s]));
      const front = byName.get('front');
      const middle = byName.get('middle');
      const deep = byName.get('deep');
      expect([front?.role, middle?.role, deep?.role]).toEqual(['not-selected', 'not-selected', 'secondary']);
      expect(middle?.kind === 'ssh' && middle.jumpVia).toBe(front?.id);
      expect(deep?.kind === 'ssh' && deep.jumpVia).toBe(middle?.id);
      for (const [s, fp] of [
        [front, bastion.hostKeyFingerprint],
        [middle, inner.hostKeyFingerprint],
        [deep, target.hostKeyFingerprint],
      ] as const)
        await rpc(other, 'servers.trustHostKey', { id: s?.id ?? '', fingerprint: fp });
      const test = await rpc(other, 'servers.test', { id: deep?.id ?? '' });
      expect(test).toMatchObject({ ok: true, hostKey: { fingerprint: target.hostKeyFingerprint } });
    } finally {
      await other.dispose();
    }
  }, 120_000);
});
