import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compose, type ComposedApp } from '../../src-main/compose.js';
import { provisionServers, rpc } from '../support/app.js';
import { startSshd, type SshdServer } from '../support/sshd.js';
import { makeTempDir } from '../support/temp.js';
import { mountTmpfs, mountUnavailable } from '../support/tmpfs.js';
import { snapshot } from './nothing-lost.js';

describe('faults through the contract: stale plans, guards on every destination, host keys', () => {
  let primary: SshdServer;
  let s1: SshdServer;
  let s2: SshdServer;
  let app: ComposedApp;
  let tmp: { dir: string; cleanup: () => Promise<void> };
  const root = (s: SshdServer) => join(s.dataRoot, 'conf');
  let setId = '';
  const old = new Date('2025-01-01T00:00:00Z');

  beforeAll(async () => {
    [primary, s1, s2] = await Promise.all([startSshd(), startSshd(), startSshd()]);
    tmp = await makeTempDir();
    app = compose({ dataDir: join(tmp.dir, 'store'), shell: 'cli', log: () => undefined });
    await provisionServers(app, [
      { name: 'primary', sshd: primary, role: 'primary', vars: { ROOT: root(primary) } },
      { name: 'second-1', sshd: s1, role: 'secondary', vars: { ROOT: root(s1) } },
      { name: 'second-2', sshd: s2, role: 'secondary', vars: { ROOT: root(s2) } },
    ]);
    const { set } = await rpc(app, 'sets.save', { set: { name: 'faults', items: [{ path: '${ROOT}' }] } });
    setId = set.id;
  });
  afterAll(async () => {
    await app?.dispose();
    await Promise.all([primary, s1, s2].map((s) => s?.stop()));
    await tmp?.cleanup();
  });

  async function reset() {
    for (const s of [primary, s1, s2]) await rm(root(s), { recursive: true, force: true });
    await mkdir(root(primary), { recursive: true });
    await writeFile(join(root(primary), 'app.conf'), 'port=8080\n');
    await writeFile(join(root(primary), 'db.conf'), 'db=new\n');
    for (const s of [s1, s2]) {
      await mkdir(root(s), { recursive: true });
      await writeFile(join(root(s), 'app.conf'), 'port=1\n');
      await writeFile(join(root(s), 'db.conf'), 'db=old\n');
      await writeFile(join(root(s), 'keep-me.conf'), 'only on the secondary');
      for (const f of ['app.conf', 'db.conf', 'keep-me.conf']) await utimes(join(root(s), f), old, old);
    }
  }
  const wait = async (planId: string, confirm?: string[]) => {
    const { runId } = await rpc(app, 'sync.apply', { planId, ...(confirm ? { confirm } : {}) } as never);
    return rpc(app, 'sync.wait', { runId });
  };

  it('a destination file edited after the differences were shown is not overwritten: PLAN_STALE for that server, the other applies', async () => {
    await reset();
    const plan = await rpc(app, 'sync.plan', { setId });
    expect(plan.targets.every((t) => t.ok)).toBe(true);
    await writeFile(join(root(s1), 'db.conf'), 'db=edited by hand after the plan\n');
    const record = await wait(plan.planId);
    const statuses = record.reports.map((r) => r.status).sort();
    expect(statuses).toEqual(['completed', 'failed']);
    const failed = record.reports.find((r) => r.status === 'failed');
    expect(failed?.message).toMatch(/changed on .* since the plan .*db\.conf.*plan again/);
    expect(await readFile(join(root(s1), 'db.conf'), 'utf8')).toBe('db=edited by hand after the plan\n');
    expect(await readFile(join(root(s1), 'app.conf'), 'utf8')).toBe('port=1\n');
    expect(await readFile(join(root(s2), 'db.conf'), 'utf8')).toBe('db=new\n');
  });

  it('the source root empty, missing or unmounted: no deletion on any destination', async (ctx) => {
    await reset();
    const before = await Promise.all([s1, s2].map((s) => snapshot(root(s))));
    // Empty.
    await rm(root(primary), { recursive: true });
    await mkdir(root(primary));
    let plan = await rpc(app, 'sync.plan', { setId });
    for (const t of plan.targets) expect(t.guards.map((g) => g.code)).toContain('GUARD_SOURCE_EMPTY');
    let record = await wait(plan.planId);
    expect(record.reports.map((r) => r.status)).toEqual(['refused', 'refused']);
    // Missing.
    await rm(root(primary), { recursive: true });
    plan = await rpc(app, 'sync.plan', { setId });
    for (const t of plan.targets) expect(t.guards.map((g) => g.code)).toContain('GUARD_SOURCE_MISSING');
    record = await wait(plan.planId);
    expect(record.reports.map((r) => r.status)).toEqual(['refused', 'refused']);
    expect(await Promise.all([s1, s2].map((s) => snapshot(root(s))))).toEqual(before);

    // Unmounted: the source is a mount whose filesystem goes away between the plan and the apply.
    const why = await mountUnavailable(join(tmp.dir, 'probe'));
    if (why) ctx.skip(why);
    const m = await mountTmpfs(root(primary), { size: '4m' });
    try {
      await writeFile(join(root(primary), 'app.conf'), 'port=8080\n');
      await writeFile(join(root(primary), 'db.conf'), 'db=new\n');
      await writeFile(join(root(primary), 'keep-me.conf'), 'only on the secondary');
      plan = await rpc(app, 'sync.plan', { setId });
      expect(plan.targets.every((t) => t.ok && t.guards.length === 0)).toBe(true);
      await m.unmount();
      record = await wait(plan.planId);
      expect(record.reports.map((r) => r.status)).toEqual(['failed', 'failed']);
      // The plan after the unmount sees an empty folder and is refused.
      plan = await rpc(app, 'sync.plan', { setId });
      for (const t of plan.targets) expect(t.guards.map((g) => g.code)).toContain('GUARD_SOURCE_EMPTY');
    } finally {
      await m.unmount();
    }
    expect(await Promise.all([s1, s2].map((s) => snapshot(root(s))))).toEqual(before);
  });

  it('a changed host key on one secondary: that server is refused with both fingerprints, nothing is sent to it, the other goes on', async () => {
    await reset();
    const before = await snapshot(root(s2));
    const pinned = s2.hostKeyFingerprint;
    await s2.rotateHostKey();
    const plan = await rpc(app, 'sync.plan', { setId });
    const bad = plan.targets.find((t) => !t.ok);
    expect(bad?.code).toBe('HOST_KEY_CHANGED');
    expect(bad?.message).toContain(pinned);
    expect(bad?.message).toContain(s2.hostKeyFingerprint);
    const record = await wait(plan.planId);
    expect(record.reports.map((r) => r.status).sort()).toEqual(['completed', 'unreachable']);
    expect(await snapshot(root(s2))).toEqual(before);
  });

  it('an unknown host before the user confirmed its key: refused, nothing sent', async () => {
    const extra = await startSshd();
    try {
      await mkdir(root(extra), { recursive: true });
      await writeFile(join(root(extra), 'app.conf'), 'untouched');
      const { id } = await rpc(app, 'servers.add', {
        server: {
          name: 'new-one',
          host: extra.host,
          port: extra.port,
          user: extra.user,
          role: 'secondary',
          contactTimeoutSec: 5,
          vars: { ROOT: root(extra) },
          auth: { kind: 'key-file', path: extra.clientKey.privateKeyPath },
        },
      });
      await rpc(app, 'servers.commit', {});
      const plan = await rpc(app, 'sync.plan', { setId, destinationServerIds: [id] });
      expect(plan.targets.map((t) => [t.ok, t.code])).toEqual([[false, 'HOST_KEY_UNKNOWN']]);
      expect(plan.targets[0]?.message).toContain(extra.hostKeyFingerprint);
      expect(await readFile(join(root(extra), 'app.conf'), 'utf8')).toBe('untouched');
    } finally {
      await extra.stop();
    }
  });
});
