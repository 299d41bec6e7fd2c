import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { compose, type ComposedApp } from '../../../src-main/compose.js';
import { rootStateDir } from '../../../src-main/engine/state-dir.js';
import { legacyStateDirOf } from '../../../src-main/services/sync/run-paths.js';
import { startSshd, type SshdServer } from '../../support/sshd.js';
import { makeTempDir } from '../../support/temp.js';
import { provisionServers, rpc } from '../../support/app.js';
import { applyAndKillMidSwap } from '../../support/killed-apply.js';
import { snapshot } from '../engine/tree.js';

// A run killed half-way through its swap leaves the destination part old, part new (whole files only).
// The app must not plan over that tree: it says so, and `sync.recover` ends the run from its journal.
describe('a destination with an interrupted run', () => {
  let s: SshdServer;
  let app: ComposedApp;
  let cleanup: () => Promise<void>;
  let src: string;
  let dst: string;
  let serverId: string;
  let storeBase: string;
  /**
   * The server's state folder, as every store of this login uses it (`~/.configsync` there): one of
   * this file's own, so that no other test's recovery on the same login takes this file's runs.
   */
  let stateDir: string;

  beforeAll(async () => {
    s = await startSshd();
    stateDir = join(s.baseDir, 'state');
    const tmp = await makeTempDir();
    cleanup = tmp.cleanup;
    storeBase = tmp.dir;
    src = join(tmp.dir, 'src');
    dst = join(s.dataRoot, 'dst');
    await mkdir(src, { recursive: true });
    await mkdir(dst, { recursive: true });
    for (let i = 0; i < 400; i++) {
      await writeFile(join(src, `f${i}.conf`), `new ${i}\n`);
      await writeFile(join(dst, `f${i}.conf`), `old ${i} (an older, longer version)\n`);
    }
    app = compose({
      dataDir: join(tmp.dir, 'store'),
      shell: 'cli',
      log: () => undefined,
      stateDirOf: () => stateDir,
    });
    await rpc(app, 'servers.edit', { id: 'local', patch: { vars: { R: src } } });
    await rpc(app, 'servers.setRole', { id: 'local', role: 'primary' });
    [serverId] = (await provisionServers(app, [
      { name: 'dest', sshd: s, role: 'secondary', vars: { R: dst } },
    ])) as [string];
  });
  afterAll(async () => {
    await app?.dispose();
    await s?.stop();
    await cleanup?.();
  });

  it('is reported instead of planned, recovers from its journal, and then syncs', async () => {
    // Killed in another process, with a store of its own.
    await applyAndKillMidSwap(s, { src, dst, stateDir });
    const rootState = rootStateDir(stateDir, dst);
    const journals = (await readdir(join(rootState, 'journal'))).filter((n) => n.endsWith('.json'));
    expect(journals).toHaveLength(1);
    const runId = (journals[0] ?? '').replace(/\.json$/, '');
    const contents = await Promise.all(
      (await readdir(dst)).filter((n) => n.endsWith('.conf')).map((n) => readFile(join(dst, n), 'utf8')),
    );
    expect(contents.every((c) => /^(old \d+ \(an older, longer version\)|new \d+)\n$/.test(c))).toBe(true);
    expect(contents.filter((c) => c.startsWith('new')).length).toBeGreaterThan(0);
    expect(contents.filter((c) => c.startsWith('old')).length).toBeGreaterThan(0);

    const mid = await snapshot(dst);
    const { set } = await rpc(app, 'sets.save', { set: { name: 'main', items: [{ path: '${R}' }] } });
    const refused = await rpc(app, 'sync.plan', { setId: set.id });
    expect(refused.targets[0]).toMatchObject({ ok: false, code: 'INTERRUPTED_RUN' });
    expect(refused.targets[0]?.message).toContain(runId);

    // A second store (its own data folder and server entry for the same host) sees the same run.
    const other = compose({
      dataDir: join(storeBase, 'store2'),
      shell: 'cli',
      log: () => undefined,
      stateDirOf: () => stateDir,
    });
    try {
      await rpc(other, 'servers.edit', { id: 'local', patch: { vars: { R: src } } });
      await rpc(other, 'servers.setRole', { id: 'local', role: 'primary' });
      await provisionServers(other, [{ name: 'dest-too', sshd: s, role: 'secondary', vars: { R: dst } }]);
      const { set: set2 } = await rpc(other, 'sets.save', {
        set: { name: 'main', items: [{ path: '${R}' }] },
      });
      const seen = await rpc(other, 'sync.plan', { setId: set2.id });
      expect(seen.targets[0]).toMatchObject({ ok: false, code: 'INTERRUPTED_RUN' });
      expect(seen.targets[0]?.message).toMatch(
        new RegExp(`${runId} \\(started .* by store .* pid \\d+; stopped while swapping\\)`),
      );
    } finally {
      await other.dispose();
    }

    // The killed process left its lock: broken only when the user says so.
    await expect(rpc(app, 'sync.recover', { serverId, mode: 'complete' })).rejects.toMatchObject({
      code: 'DESTINATION_LOCKED',
    });
    expect(await snapshot(dst)).toEqual(mid);
    const { recovered } = await rpc(app, 'sync.recover', { serverId, mode: 'complete', breakLock: true });
    // Recover ends every interrupted run on the host (under this login's state folder): other roots'
    // runs may be there too when other tests share the host.
    expect(recovered).toContainEqual(
      expect.objectContaining({ runId, outcome: 'completed', errors: [], left: [] }),
    );
    for (let i = 0; i < 400; i++) expect(await readFile(join(dst, `f${i}.conf`), 'utf8')).toBe(`new ${i}\n`);
    expect((await readdir(dst)).filter((n) => n.startsWith('.configsync'))).toEqual([]);

    const plan = await rpc(app, 'sync.plan', { setId: set.id });
    expect(plan.targets[0]).toMatchObject({ ok: true });
    const again = (await rpc(app, 'sync.recover', { serverId, mode: 'complete' })).recovered;
    expect(again.map((r) => r.runId)).not.toContain(runId);
  });

  it('reads an unfinished run journaled in the older per-entry layout, and recovers it', async () => {
    for (let i = 0; i < 400; i++)
      await writeFile(join(dst, `f${i}.conf`), `old ${i} (an older, longer version)\n`);
    // An older version kept journals and backups per server entry: the run's state is moved there.
    const elsewhere = join(storeBase, 'old-state');
    await applyAndKillMidSwap(s, { src, dst, stateDir: elsewhere });
    const legacy = legacyStateDirOf(serverId).replace(/^~/, homedir());
    await rm(legacy, { recursive: true, force: true });
    await mkdir(legacy, { recursive: true });
    const moved = rootStateDir(elsewhere, dst);
    await rename(join(moved, 'journal'), join(legacy, 'journal'));
    await rename(join(moved, 'backups'), join(legacy, 'backups'));
    await rm(elsewhere, { recursive: true, force: true });
    const [name] = (await readdir(join(legacy, 'journal'))).filter((n) => n.endsWith('.json'));
    const runId = (name ?? '').replace(/\.json$/, '');
    // As that version wrote it: the journal names its backup folder there.
    const head = JSON.parse(await readFile(join(legacy, 'journal', name ?? ''), 'utf8')) as Record<
      string,
      unknown
    >;
    const backupDir = join(legacy, 'backups/main', runId);
    await writeFile(join(legacy, 'journal', name ?? ''), JSON.stringify({ ...head, backupDir }));

    const { sets } = await rpc(app, 'sets.list', {});
    const setId = sets.find((x) => x.name === 'main')?.id ?? '';
    const refused = await rpc(app, 'sync.plan', { setId });
    expect(refused.targets[0]).toMatchObject({ ok: false, code: 'INTERRUPTED_RUN' });
    expect(refused.targets[0]?.message).toContain(runId);
    const { recovered } = await rpc(app, 'sync.recover', { serverId, mode: 'rollback' });
    expect(recovered).toContainEqual(
      expect.objectContaining({ runId, outcome: 'rolled-back', errors: [], left: [] }),
    );
    for (let i = 0; i < 400; i++)
      expect(await readFile(join(dst, `f${i}.conf`), 'utf8')).toBe(`old ${i} (an older, longer version)\n`);
    expect((await rpc(app, 'sync.plan', { setId })).targets[0]).toMatchObject({ ok: true });
    await rm(legacy, { recursive: true, force: true });
  });
});
