import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compose, type ComposedApp } from '../../../src-main/compose.js';
import { startSshd, type SshdServer } from '../../support/sshd.js';
import { makeTempDir } from '../../support/temp.js';
import { provisionServers, rpc } from '../../support/app.js';

describe('the Synchronization status through the contract (real sshd)', () => {
  let primary: SshdServer;
  let s1: SshdServer;
  let s2: SshdServer;
  let app: ComposedApp;
  let cleanup: () => Promise<void>;
  const root = (s: SshdServer) => join(s.dataRoot, 'conf');
  const changes: string[] = [];

  beforeAll(async () => {
    [primary, s1, s2] = await Promise.all([startSshd(), startSshd(), startSshd()]);
    const tmp = await makeTempDir();
    cleanup = tmp.cleanup;
    app = compose({ dataDir: join(tmp.dir, 'store'), shell: 'cli', log: () => undefined });
    app.events.subscribe((e) => {
      if (e.event === 'status.changed') changes.push((e.payload as { reason: string }).reason);
    });
    await provisionServers(app, [
      { name: 'prim', sshd: primary, role: 'primary', vars: { CONFIG_ROOT: root(primary) } },
      { name: 'sec-1', sshd: s1, role: 'secondary', vars: { CONFIG_ROOT: root(s1) } },
      { name: 'sec-2', sshd: s2, role: 'secondary', vars: { CONFIG_ROOT: root(s2) } },
    ]);
    await mkdir(root(primary), { recursive: true });
    await writeFile(join(root(primary), 'app.conf'), 'port=8080\n');
    await writeFile(join(root(primary), 'db.conf'), 'host=db\n');
  });
  afterAll(async () => {
    await app?.dispose();
    await Promise.all([primary, s1, s2].map((s) => s?.stop()));
    await cleanup?.();
  });

  const row = async (name: string) =>
    (await rpc(app, 'status.overview', {})).servers.find((s) => s.name === name);

  it("unknown before any check; in sync after a sync; drift after an edit behind the app's back; in sync again", async () => {
    const { set } = await rpc(app, 'sets.save', {
      set: { name: 'conf', items: [{ path: '${CONFIG_ROOT}' }] },
    });
    expect((await row('sec-1'))?.drift.state).toBe('unknown');

    const plan = await rpc(app, 'sync.plan', { setId: set.id });
    const { runId } = await rpc(app, 'sync.apply', { planId: plan.planId });
    await rpc(app, 'sync.wait', { runId });
    await app.automation.idle();
    const synced = await row('sec-1');
    expect(synced?.drift.state).toBe('in-sync');
    expect(synced?.lastSync).toMatchObject({ runId, setId: set.id, trigger: 'cli', status: 'ok' });
    expect(synced?.lastBackup).toMatchObject({ runId, setName: 'conf' });
    expect(changes).toContain('run');

    // Someone edits a file on sec-1 directly and adds one of their own.
    await writeFile(join(root(s1), 'app.conf'), 'port=1\n');
    await writeFile(join(root(s1), 'local-only.conf'), 'x\n');
    const checked = await rpc(app, 'status.checkNow', {});
    const byName = new Map(checked.servers.map((s) => [s.name, s]));
    expect(byName.get('sec-1')?.drift).toMatchObject({ state: 'differs', differences: 2 });
    expect(byName.get('sec-2')?.drift).toMatchObject({ state: 'in-sync', differences: 0 });
    expect(byName.get('prim')?.role).toBe('primary');
    expect(byName.get('sec-1')?.contact.ok).toBe(true);
    const health = byName.get('sec-1')?.health;
    expect(health?.checks.map((c) => [c.id, c.state])).toEqual([
      ['link', 'ok'],
      ['free-space', expect.stringMatching(/ok|warning/)],
      ['backups', 'ok'],
      ['errors', 'ok'],
    ]);
    expect(health?.checks.find((c) => c.id === 'free-space')?.message).toContain(root(s1));

    const again = await rpc(app, 'sync.plan', { setId: set.id });
    const run2 = await rpc(app, 'sync.apply', { planId: again.planId });
    await rpc(app, 'sync.wait', { runId: run2.runId });
    await app.automation.idle();
    const repaired = await row('sec-1');
    expect(repaired?.drift.state).toBe('in-sync');
    expect(repaired?.lastBackup).toMatchObject({ runId: run2.runId, setName: 'conf' });
    expect((await rpc(app, 'status.checkNow', {})).servers.find((s) => s.name === 'sec-1')?.drift.state).toBe(
      'in-sync',
    );
  });

  it('one run of a set at a time: a second apply while one runs is refused with RUN_IN_PROGRESS', async () => {
    const { sets } = await rpc(app, 'sets.list', {});
    const setId = sets[0]?.id ?? '';
    await writeFile(join(root(primary), 'more.conf'), 'more\n');
    const p1 = await rpc(app, 'sync.plan', { setId });
    const p2 = await rpc(app, 'sync.plan', { setId });
    const first = await rpc(app, 'sync.apply', { planId: p1.planId });
    await expect(rpc(app, 'sync.apply', { planId: p2.planId })).rejects.toThrow(/RUN_IN_PROGRESS/);
    await rpc(app, 'sync.wait', { runId: first.runId });
    await app.automation.idle();
  });

  it('offers to promote a secondary when the primary does not answer, and promotes it', async () => {
    await primary.halt();
    const overview = await rpc(app, 'status.checkNow', {});
    const prim = overview.servers.find((s) => s.name === 'prim');
    expect(prim?.contact.ok).toBe(false);
    expect(prim?.health.checks.find((c) => c.id === 'link')?.state).toBe('failed');
    expect(overview.servers.find((s) => s.name === 'sec-1')?.drift).toMatchObject({ state: 'unknown' });
    expect(overview.promote.offered).toBe(true);
    expect(overview.promote.reason).toMatch(/The primary "prim" did not answer/);
    const sec2 = overview.servers.find((s) => s.name === 'sec-2');
    expect(overview.promote.candidates).toContain(sec2?.serverId);

    const promoted = await rpc(app, 'servers.promote', { id: sec2?.serverId ?? '' });
    expect(promoted.message).toMatch(
      /"sec-2" becomes the primary.*"prim" becomes a secondary: the next synchronization overwrites/,
    );
    expect(promoted.previousPrimaryId).toBe(prim?.serverId);
    const roles = Object.fromEntries(promoted.state.committed.map((s) => [s.name, s.role]));
    expect(roles).toMatchObject({ prim: 'secondary', 'sec-1': 'secondary', 'sec-2': 'primary' });
    await expect(rpc(app, 'servers.promote', { id: sec2?.serverId ?? '' })).rejects.toThrow(
      /ALREADY_PRIMARY/,
    );
    expect(changes).toContain('promoted');
  });
});
