import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compose, type ComposedApp } from '../../../src-main/compose.js';
import { startSshd, type SshdServer } from '../../support/sshd.js';
import { makeTempDir } from '../../support/temp.js';
import { provisionServers, rpc } from '../../support/app.js';

// A restore is a run: it leaves a path edited after the run alone (unless told to overwrite), backs
// up what it replaces, is listed with the runs, and can itself be restored.
describe('sync.restore as a run of its own', () => {
  let s: SshdServer;
  let app: ComposedApp;
  let cleanup: () => Promise<void>;
  let src: string;
  let dst: string;
  let serverId: string;

  beforeAll(async () => {
    s = await startSshd();
    const tmp = await makeTempDir();
    cleanup = tmp.cleanup;
    src = join(tmp.dir, 'src');
    dst = join(s.dataRoot, 'dst');
    await mkdir(src, { recursive: true });
    await mkdir(dst, { recursive: true });
    for (const f of ['a', 'b', 'c']) {
      await writeFile(join(src, `${f}.conf`), `new ${f}\n`);
      await writeFile(join(dst, `${f}.conf`), `old ${f} (longer)\n`);
    }
    app = compose({ dataDir: join(tmp.dir, 'store'), shell: 'cli', log: () => undefined });
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

  const read = (f: string) => readFile(join(dst, `${f}.conf`), 'utf8');

  it('leaves an edit made after the run, backs up what it replaces, and is restorable in turn', async () => {
    const { set } = await rpc(app, 'sets.save', { set: { name: 'main', items: [{ path: '${R}' }] } });
    const plan = await rpc(app, 'sync.plan', { setId: set.id });
    const { runId } = await rpc(app, 'sync.apply', { planId: plan.planId });
    expect((await rpc(app, 'sync.wait', { runId })).reports[0]?.status).toBe('completed');
    await writeFile(join(dst, 'b.conf'), 'edited by hand after the run\n');

    const r = await rpc(app, 'sync.restore', { serverId, setName: 'main', runId });
    expect(r).toMatchObject({ restored: 2, removed: 0, errors: [] });
    expect(r.left?.map((l) => l.path)).toEqual(['b.conf']);
    expect([await read('a'), await read('b'), await read('c')]).toEqual([
      'old a (longer)\n',
      'edited by hand after the run\n',
      'old c (longer)\n',
    ]);
    const restoreRun = r.runId ?? '';
    const { runs } = await rpc(app, 'sync.runs', {});
    const listed = runs.find((x) => x.runId === restoreRun);
    expect(listed?.reports[0]?.message).toMatch(
      new RegExp(`Restore of run ${runId}: 2 put back, 0 removed, 1 changed`),
    );

    // Restoring the restore brings back what it replaced (the run's new bytes); the edit stays.
    const again = await rpc(app, 'sync.restore', { serverId, setName: 'main', runId: restoreRun });
    expect(again).toMatchObject({ restored: 2, errors: [] });
    expect([await read('a'), await read('b'), await read('c')]).toEqual([
      'new a\n',
      'edited by hand after the run\n',
      'new c\n',
    ]);

    // Told to overwrite, the first restore replaces the edit too.
    const forced = await rpc(app, 'sync.restore', { serverId, setName: 'main', runId, overwrite: true });
    expect(forced).toMatchObject({ restored: 3, errors: [], left: [] });
    expect(await read('b')).toBe('old b (longer)\n');
    // ... and the edit is in that restore's backup, so it is not lost.
    const back = await rpc(app, 'sync.restore', { serverId, setName: 'main', runId: forced.runId ?? '' });
    expect(back.errors).toEqual([]);
    expect(await read('b')).toBe('edited by hand after the run\n');
  });
});
