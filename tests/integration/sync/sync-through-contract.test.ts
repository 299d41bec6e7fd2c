import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, readFile, writeFile, readdir, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { compose, type ComposedApp } from '../../../src-main/compose.js';
import { startSshd, type SshdServer } from '../../support/sshd.js';
import { makeTempDir } from '../../support/temp.js';
import { provisionServers, rpc } from '../../support/app.js';

async function tree(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  async function walk(dir: string, rel: string): Promise<void> {
    for (const name of (await readdir(dir)).sort()) {
      const full = join(dir, name);
      const st = await stat(full);
      const r = rel ? `${rel}/${name}` : name;
      if (st.isDirectory()) await walk(full, r);
      else
        out[r] =
          `${(st.mode & 0o777).toString(8)} ${Math.floor(st.mtimeMs / 1000)} ${await readFile(full, 'utf8')}`;
    }
  }
  await walk(root, '');
  return out;
}

describe('synchronizing through the contract: server list roles, sets, ${VARS}, plan, apply, restore', () => {
  let primary: SshdServer;
  let s1: SshdServer;
  let s2: SshdServer;
  let app: ComposedApp;
  let cleanup: () => Promise<void>;
  const root = (s: SshdServer) => join(s.dataRoot, 'conf');

  beforeAll(async () => {
    [primary, s1, s2] = await Promise.all([startSshd(), startSshd(), startSshd()]);
    const tmp = await makeTempDir();
    cleanup = tmp.cleanup;
    app = compose({ dataDir: join(tmp.dir, 'store'), shell: 'cli', log: () => undefined });
    // The same set lives at a different path on each server: ${CONFIG_ROOT}.
    await provisionServers(app, [
      { name: 'primary', sshd: primary, role: 'primary', vars: { CONFIG_ROOT: root(primary) } },
      { name: 'second-1', sshd: s1, role: 'secondary', vars: { CONFIG_ROOT: root(s1) } },
      { name: 'second-2', sshd: s2, role: 'secondary', vars: { CONFIG_ROOT: root(s2) } },
    ]);
    await mkdir(join(root(primary), 'sub'), { recursive: true });
    await writeFile(join(root(primary), 'app.conf'), 'port=8080\n');
    await writeFile(join(root(primary), 'sub', 'users.ini'), '[users]\nalice\n', { mode: 0o600 });
    await writeFile(join(root(primary), 'site.lic'), 'licensed to primary');
    await mkdir(root(s1), { recursive: true });
    await writeFile(join(root(s1), 'app.conf'), 'port=1\n');
    await writeFile(join(root(s1), 'stale.conf'), 'old');
    await writeFile(join(root(s1), 'site.lic'), 'licensed to s1');
    const old = new Date('2025-01-01T00:00:00Z');
    await utimes(join(root(s1), 'app.conf'), old, old);
  });
  afterAll(async () => {
    await app?.dispose();
    await Promise.all([primary, s1, s2].map((s) => s?.stop()));
    await cleanup?.();
  });

  it('plans the primary to every secondary, applies, and restores from the backup', async () => {
    const { set } = await rpc(app, 'sets.save', {
      set: { name: 'app-config', items: [{ path: '${CONFIG_ROOT}' }] },
    });
    const plan = await rpc(app, 'sync.plan', { setId: set.id });
    expect(plan.targets.map((t) => t.serverId).length).toBe(2);
    const t1 = plan.targets.find(
      (t) => t.ok && t.item === '${CONFIG_ROOT}' && t.summary?.counts.delete === 1,
    );
    expect(t1?.summary?.counts).toMatchObject({ create: 2, update: 1, delete: 1 });
    const page = await rpc(app, 'sync.entries', {
      planId: plan.planId,
      targetId: t1?.targetId ?? '',
      actions: ['delete'],
    });
    expect(page.entries.map((e) => e.path)).toEqual(['stale.conf']);

    const { runId } = await rpc(app, 'sync.apply', { planId: plan.planId });
    const record = await rpc(app, 'sync.wait', { runId });
    expect(record.reports.map((r) => r.status)).toEqual(['completed', 'completed']);

    const want = await tree(root(primary));
    delete want['site.lic'];
    for (const s of [s1, s2]) {
      const got = await tree(root(s));
      const lic = got['site.lic'];
      delete got['site.lic'];
      expect(got).toEqual(want);
      // Licenses are never synchronized: s1 keeps its own, s2 gets none.
      if (s === s1) expect(lic).toMatch(/licensed to s1$/);
      else expect(lic).toBeUndefined();
    }

    const s1Id = plan.targets.find((t) => t.targetId === t1?.targetId)?.serverId ?? '';
    const restored = await rpc(app, 'sync.restore', { serverId: s1Id, setName: 'app-config', runId });
    expect(restored.errors).toEqual([]);
    expect(await readFile(join(root(s1), 'app.conf'), 'utf8')).toBe('port=1\n');
    expect(await readFile(join(root(s1), 'stale.conf'), 'utf8')).toBe('old');
    await expect(stat(join(root(s1), 'sub'))).rejects.toThrow();

    const runs = await rpc(app, 'sync.runs', {});
    expect(runs.runs.map((r) => r.runId)).toContain(runId);
  });

  it('never makes the primary or a Not Selected server a destination', async () => {
    const { sets } = await rpc(app, 'sets.list', {});
    const setId = sets[0]?.id ?? '';
    const list = await rpc(app, 'servers.list', {});
    const primaryId = list.committed.find((s) => s.role === 'primary')?.id ?? '';
    const secondId = list.committed.find((s) => s.name === 'second-2')?.id ?? '';
    await expect(rpc(app, 'sync.plan', { setId, destinationServerIds: [primaryId] })).rejects.toThrow(
      /PRIMARY_AS_DESTINATION/,
    );
    await rpc(app, 'servers.setRole', { id: secondId, role: 'not-selected' });
    await rpc(app, 'servers.commit', {});
    await expect(rpc(app, 'sync.plan', { setId, destinationServerIds: [secondId] })).rejects.toThrow(
      /NOT_SELECTED/,
    );
    const plan = await rpc(app, 'sync.plan', { setId });
    expect(plan.targets.map((t) => t.serverId)).not.toContain(secondId);
  });

  it('names a missing path variable instead of guessing a root', async () => {
    const { set } = await rpc(app, 'sets.save', { set: { name: 'other', items: [{ path: '${NOPE}/x' }] } });
    await expect(rpc(app, 'sync.plan', { setId: set.id })).rejects.toThrow(/no path variable \$\{NOPE\}/);
  });
});
