import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compose, type ComposedApp } from '../../../src-main/compose.js';
import { readJournal, journalPath } from '../../../src-main/engine/journal.js';
import { readManifest } from '../../../src-main/engine/backup.js';
import { rootStateDir } from '../../../src-main/engine/state-dir.js';
import { LocalEndpoint } from '../../../src-main/transport/local-endpoint.js';
import { startSshd, type SshdServer } from '../../support/sshd.js';
import { makeTempDir } from '../../support/temp.js';
import { provisionServers, rpc } from '../../support/app.js';
import { applyAndKillMidSwap } from '../../support/killed-apply.js';

const OLD = (i: number) => `old ${i} (an older, longer version)\n`;
const NEW = (i: number) => `new ${i}\n`;

// A recovery (complete or roll back) is a run of its own, as a restore is: a record in the runs list
// and History saying what it put in place, left and backed up, restorable in turn; the recovered
// run's journal names it. A restore's journal lists what it put back, removed and left.
describe('recover and restore leave records', () => {
  let s: SshdServer;
  let app: ComposedApp;
  let cleanup: () => Promise<void>;
  let src: string;
  let dst: string;
  let serverId: string;
  let setId: string;
  /** The server's state folder: one of this file's own (see interrupted-run-recovery.test.ts). */
  let stateDir: string;

  beforeAll(async () => {
    s = await startSshd();
    stateDir = join(s.baseDir, 'state');
    const tmp = await makeTempDir();
    cleanup = tmp.cleanup;
    src = join(tmp.dir, 'src');
    dst = join(s.dataRoot, 'dst');
    await mkdir(src, { recursive: true });
    await mkdir(dst, { recursive: true });
    for (let i = 0; i < 40; i++) await writeFile(join(src, `f${i}.conf`), NEW(i));
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
    ({
      set: { id: setId },
    } = await rpc(app, 'sets.save', { set: { name: 'main', items: [{ path: '${R}' }] } }));
  });
  afterAll(async () => {
    await app?.dispose();
    await s?.stop();
    await cleanup?.();
  });

  const read = (i: number) => readFile(join(dst, `f${i}.conf`), 'utf8');
  const all = () => Promise.all(Array.from({ length: 40 }, (_x, i) => read(i)));

  /** A run killed mid-swap over old files; returns its id and one file it had not reached yet. */
  async function killed(): Promise<{ runId: string; notYet: number }> {
    for (let i = 0; i < 40; i++) await writeFile(join(dst, `f${i}.conf`), OLD(i));
    const rootState = rootStateDir(stateDir, dst);
    const before = new Set(await readdir(join(rootState, 'journal')).catch(() => [] as string[]));
    await applyAndKillMidSwap(s, { src, dst, stateDir });
    const name = (await readdir(join(rootState, 'journal'))).find(
      (n) => n.endsWith('.json') && !before.has(n),
    );
    const runId = (name ?? '').replace(/\.json$/, '');
    const contents = await all();
    const notYet = contents.findIndex((c, i) => c === OLD(i));
    expect(notYet).toBeGreaterThanOrEqual(0);
    return { runId, notYet };
  }

  it('a completion with overwrite is a run: listed, in History, its backup restorable and aware of a later edit', async () => {
    const { runId, notYet } = await killed();
    // An admin edits a file the run had not reached yet, by rename, as editors do.
    await writeFile(join(dst, 'edit.tmp'), 'fixed by hand\n');
    await rename(join(dst, 'edit.tmp'), join(dst, `f${notYet}.conf`));

    const { recovered } = await rpc(app, 'sync.recover', {
      serverId,
      mode: 'complete',
      breakLock: true,
      overwrite: true,
    });
    expect(recovered).toHaveLength(1);
    const r = recovered[0];
    expect(r).toMatchObject({ runId, outcome: 'completed', errors: [], setName: 'main' });
    expect(r?.written).toBeGreaterThan(0);
    const recoveryRunId = r?.recoveryRunId ?? '';
    expect(recoveryRunId).toMatch(/^\d{8}T\d{6}/);
    expect(await all()).toEqual(Array.from({ length: 40 }, (_x, i) => NEW(i)));

    // The recovered run's journal names the recovery.
    const rootState = rootStateDir(stateDir, dst);
    const j = await readJournal(new LocalEndpoint(), journalPath(rootState, runId));
    expect(j.phase).toBe('done');
    expect(j.message).toBe(`recovered: completed by run ${recoveryRunId}`);

    // Its own record in the runs list, with what it wrote and where it backed up the edit.
    const { runs } = await rpc(app, 'sync.runs', {});
    const listed = runs.find((x) => x.runId === recoveryRunId);
    expect(listed?.setName).toBe('main');
    expect(listed?.reports[0]?.message).toBe(
      `Recovery of run ${runId}: completed: ${r?.written} put in place, 0 removed.`,
    );
    const backupDir = listed?.reports[0]?.backupDir ?? '';
    expect(backupDir).toBe(join(rootState, 'backups/main', recoveryRunId));
    const m = await readManifest(new LocalEndpoint(), backupDir);
    expect(m.entries.map((e) => e.path)).toEqual([`f${notYet}.conf`]);
    // What the recovery left there is recorded (the run's own write, with its hash).
    expect(m.after).toEqual([
      {
        path: `f${notYet}.conf`,
        seen: expect.objectContaining({ type: 'file', size: NEW(notYet).length, hash: expect.any(String) }),
      },
    ]);

    // ... and in History, the recovered run marked.
    const { records } = await rpc(app, 'history.list', {});
    const line = records.find((x) => x.id === recoveryRunId);
    expect(line).toMatchObject({ kind: 'recover', recovers: runId, setId });
    expect(line?.destinations[0]).toMatchObject({ serverId, status: 'ok' });
    expect(line?.destinations[0]?.message).toBe(`Recovery of run ${runId}: completed.`);

    // Restoring the recovery brings back the edit it overwrote.
    const back = await rpc(app, 'sync.restore', { serverId, setName: 'main', runId: recoveryRunId });
    expect(back).toMatchObject({ restored: 1, removed: 0, errors: [], left: [] });
    expect(await read(notYet)).toBe('fixed by hand\n');
  });

  it('a later edit after a completion with overwrite is left by a restore of the recovery (its after record)', async () => {
    const { notYet } = await killed();
    await writeFile(join(dst, `f${notYet}.conf`), 'fixed by hand\n');
    const { recovered } = await rpc(app, 'sync.recover', {
      serverId,
      mode: 'complete',
      breakLock: true,
      overwrite: true,
    });
    const recoveryRunId = recovered[0]?.recoveryRunId ?? '';
    expect(await read(notYet)).toBe(NEW(notYet));
    // Edited again after the recovery, keeping the size: the restore must not put the old edit over it.
    const later = `NEW ${notYet}\n`;
    expect(later.length).toBe(NEW(notYet).length);
    await writeFile(join(dst, `f${notYet}.conf`), later);
    const back = await rpc(app, 'sync.restore', { serverId, setName: 'main', runId: recoveryRunId });
    expect(back).toMatchObject({ restored: 0, errors: [] });
    expect(back.left?.map((l) => l.path)).toEqual([`f${notYet}.conf`]);
    expect(await read(notYet)).toBe(later);
  });

  it('a roll-back is a run that backs up what it replaced: restoring it brings the run forward again', async () => {
    const { runId } = await killed();
    const { recovered } = await rpc(app, 'sync.recover', { serverId, mode: 'rollback', breakLock: true });
    expect(recovered[0]).toMatchObject({ runId, outcome: 'rolled-back', errors: [], left: [] });
    const written = recovered[0]?.written ?? 0;
    expect(written).toBe(40);
    expect(await all()).toEqual(Array.from({ length: 40 }, (_x, i) => OLD(i)));
    const recoveryRunId = recovered[0]?.recoveryRunId ?? '';
    const { runs } = await rpc(app, 'sync.runs', {});
    const rep = runs.find((x) => x.runId === recoveryRunId)?.reports[0];
    expect(rep?.message).toBe(`Recovery of run ${runId}: rolled back: ${written} put back, 0 removed.`);
    expect(rep?.filesWritten).toBe(written);
    const { records } = await rpc(app, 'history.list', {});
    expect(records.find((x) => x.id === recoveryRunId)).toMatchObject({ kind: 'recover', recovers: runId });

    const back = await rpc(app, 'sync.restore', { serverId, setName: 'main', runId: recoveryRunId });
    expect(back).toMatchObject({ restored: written, errors: [], left: [] });
    const now = await all();
    // What the killed run had put in place before it stopped (3 renames) is back; the rest as it found it.
    expect(now.filter((c, i) => c === NEW(i))).toHaveLength(3);
    expect(now.every((c, i) => c === NEW(i) || c === OLD(i))).toBe(true);
  });

  it("a restore's journal lists what it put back, removed and left", async () => {
    for (let i = 0; i < 40; i++) await writeFile(join(dst, `f${i}.conf`), OLD(i));
    await writeFile(join(src, 'extra.conf'), 'a new file\n');
    const plan = await rpc(app, 'sync.plan', { setId });
    const { runId } = await rpc(app, 'sync.apply', { planId: plan.planId });
    expect((await rpc(app, 'sync.wait', { runId })).reports[0]?.status).toBe('completed');
    await writeFile(join(dst, 'f3.conf'), 'edited after the run\n');

    const r = await rpc(app, 'sync.restore', { serverId, setName: 'main', runId });
    expect(r).toMatchObject({ restored: 39, removed: 1, errors: [] });
    const j = await readJournal(new LocalEndpoint(), journalPath(rootStateDir(stateDir, dst), r.runId ?? ''));
    expect(j.phase).toBe('done');
    expect(j.writes.map((w) => w.path).sort()).toEqual(
      Array.from({ length: 40 }, (_x, i) => `f${i}.conf`)
        .filter((p) => p !== 'f3.conf')
        .sort(),
    );
    expect(j.writes.find((w) => w.path === 'f0.conf')).toMatchObject({ type: 'file', mode: 0o644 });
    expect(j.deletes).toEqual([{ path: 'extra.conf', type: 'file' }]);
    expect(j.left?.map((l) => l.path)).toEqual(['f3.conf']);
    expect(j.backupDir).toBe(join(rootStateDir(stateDir, dst), 'backups/main', r.runId ?? ''));
    await rm(join(src, 'extra.conf'));
  });
});
