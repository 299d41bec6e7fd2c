import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { compose, type ComposedApp } from '../../../src-main/compose.js';
import { stateDirOf } from '../../../src-main/services/sync/run-paths.js';
import { startSshd, type SshdServer } from '../../support/sshd.js';
import { makeTempDir } from '../../support/temp.js';
import { provisionServers, rpc } from '../../support/app.js';
import { applyAndKillMidSwap } from '../../support/killed-apply.js';

// A run killed half-way through its swap leaves the destination part old, part new (whole files only).
// The app must not plan over that tree: it says so, and `sync.recover` ends the run from its journal.
describe('a destination with an interrupted run', () => {
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
    for (let i = 0; i < 400; i++) {
      await writeFile(join(src, `f${i}.conf`), `new ${i}\n`);
      await writeFile(join(dst, `f${i}.conf`), `old ${i} (an older, longer version)\n`);
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

  it('is reported instead of planned, recovers from its journal, and then syncs', async () => {
    // The same state folder the app uses for this server entry, as the killed process would have had it.
    const stateDir = stateDirOf(serverId).replace(/^~/, homedir());
    await applyAndKillMidSwap(s, { src, dst, stateDir });
    const journals = (await readdir(join(stateDir, 'journal'))).filter((n) => n.endsWith('.json'));
    expect(journals).toHaveLength(1);
    const runId = (journals[0] ?? '').replace(/\.json$/, '');
    const contents = await Promise.all(
      (await readdir(dst)).filter((n) => n.endsWith('.conf')).map((n) => readFile(join(dst, n), 'utf8')),
    );
    expect(contents.every((c) => /^(old \d+ \(an older, longer version\)|new \d+)\n$/.test(c))).toBe(true);
    expect(contents.filter((c) => c.startsWith('new')).length).toBeGreaterThan(0);
    expect(contents.filter((c) => c.startsWith('old')).length).toBeGreaterThan(0);

    const { set } = await rpc(app, 'sets.save', { set: { name: 'main', items: [{ path: '${R}' }] } });
    const refused = await rpc(app, 'sync.plan', { setId: set.id });
    expect(refused.targets[0]).toMatchObject({ ok: false, code: 'INTERRUPTED_RUN' });
    expect(refused.targets[0]?.message).toContain(runId);

    const { recovered } = await rpc(app, 'sync.recover', { serverId, mode: 'complete' });
    expect(recovered).toEqual([{ runId, outcome: 'completed', errors: [] }]);
    for (let i = 0; i < 400; i++) expect(await readFile(join(dst, `f${i}.conf`), 'utf8')).toBe(`new ${i}\n`);
    expect((await readdir(dst)).filter((n) => n.startsWith('.configsync'))).toEqual([]);

    const plan = await rpc(app, 'sync.plan', { setId: set.id });
    expect(plan.targets[0]).toMatchObject({ ok: true });
    expect((await rpc(app, 'sync.recover', { serverId, mode: 'complete' })).recovered).toEqual([]);
  });
});
