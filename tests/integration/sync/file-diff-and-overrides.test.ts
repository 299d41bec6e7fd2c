import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, readFile, writeFile, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { compose, type ComposedApp } from '../../../src-main/compose.js';
import { FILE_DIFF_LIMIT } from '../../../src-shared/contract/methods/sync.js';
import { startSshd, type SshdServer } from '../../support/sshd.js';
import { makeTempDir } from '../../support/temp.js';
import { provisionServers, rpc } from '../../support/app.js';

describe('sync.fileDiff and the per-run mode and compare overrides of sync.plan', () => {
  let primary: SshdServer;
  let second: SshdServer;
  let app: ComposedApp;
  let cleanup: () => Promise<void>;
  let setId = '';
  const root = (s: SshdServer) => join(s.dataRoot, 'conf');

  beforeAll(async () => {
    [primary, second] = await Promise.all([startSshd(), startSshd()]);
    const tmp = await makeTempDir();
    cleanup = tmp.cleanup;
    app = compose({ dataDir: join(tmp.dir, 'store'), shell: 'cli', log: () => undefined });
    await provisionServers(app, [
      { name: 'primary', sshd: primary, role: 'primary', vars: { CONFIG_ROOT: root(primary) } },
      { name: 'second', sshd: second, role: 'secondary', vars: { CONFIG_ROOT: root(second) } },
    ]);
    await mkdir(root(primary), { recursive: true });
    await mkdir(root(second), { recursive: true });
    await writeFile(join(root(primary), 'app.conf'), 'port=8080\nhost=a\n');
    await writeFile(join(root(second), 'app.conf'), 'port=1\nhost=a\n');
    await utimes(join(root(second), 'app.conf'), new Date('2025-01-01'), new Date('2025-01-01'));
    await writeFile(join(root(primary), 'logo.bin'), Buffer.from([1, 2, 0, 3, 255]));
    await writeFile(join(root(primary), 'big.conf'), 'x'.repeat(FILE_DIFF_LIMIT + 1));
    await writeFile(join(root(primary), 'secret-outside-plan.conf'), 'never read');
    await writeFile(join(root(second), 'extra.conf'), 'only here');
    const { set } = await rpc(app, 'sets.save', {
      set: { name: 'diffs', items: [{ path: '${CONFIG_ROOT}' }], exclude: ['secret-*'] },
    });
    setId = set.id;
  });
  afterAll(async () => {
    await app?.dispose();
    await Promise.all([primary, second].map((s) => s?.stop()));
    await cleanup?.();
  });

  it('gives both versions of a changed text file, names binary, large and absent sides', async () => {
    const plan = await rpc(app, 'sync.plan', { setId });
    const targetId = plan.targets[0]?.targetId ?? '';
    const diff = (path: string) => rpc(app, 'sync.fileDiff', { planId: plan.planId, targetId, path });

    const conf = await diff('app.conf');
    expect(conf.source).toEqual({ kind: 'text', size: 17, text: 'port=8080\nhost=a\n' });
    expect(conf.destination).toEqual({ kind: 'text', size: 14, text: 'port=1\nhost=a\n' });
    expect((await diff('logo.bin')).source).toEqual({ kind: 'binary', size: 5 });
    expect((await diff('logo.bin')).destination).toEqual({ kind: 'absent' });
    expect((await diff('big.conf')).source).toEqual({
      kind: 'too-large',
      size: FILE_DIFF_LIMIT + 1,
      limit: FILE_DIFF_LIMIT,
    });
    expect((await diff('extra.conf')).destination).toMatchObject({ kind: 'text', text: 'only here' });
  });

  it('reads only paths the plan lists', async () => {
    const plan = await rpc(app, 'sync.plan', { setId });
    const targetId = plan.targets[0]?.targetId ?? '';
    for (const path of ['secret-outside-plan.conf', '../conf/app.conf', 'app'])
      await expect(rpc(app, 'sync.fileDiff', { planId: plan.planId, targetId, path })).rejects.toThrow(
        /NOT_IN_PLAN/,
      );
    await expect(rpc(app, 'sync.fileDiff', { planId: 'nope', targetId, path: 'app.conf' })).rejects.toThrow(
      /NOT_IN_PLAN/,
    );
  });

  it('plans Easy mode for one run without changing the set, and Strict by default', async () => {
    const easy = await rpc(app, 'sync.plan', { setId, mode: 'update', compare: 'checksum' });
    expect(easy.targets[0]?.summary?.counts).toMatchObject({ delete: 0 });
    const strict = await rpc(app, 'sync.plan', { setId });
    expect(strict.targets[0]?.summary?.counts).toMatchObject({ delete: 1 });
    const { sets } = await rpc(app, 'sets.list', {});
    expect(sets[0]).toMatchObject({ mode: 'mirror', compare: 'time-size' });

    const { runId } = await rpc(app, 'sync.apply', { planId: easy.planId });
    const record = await rpc(app, 'sync.wait', { runId });
    expect(record.reports.map((r) => r.status)).toEqual(['completed']);
    // The plan said where the backup would be kept; the run kept it there.
    const serverId = easy.targets[0]?.serverId ?? '';
    const folder = easy.backupFolders[serverId] ?? '';
    expect(folder).toMatch(/^~\/\.configsync\/roots\/[0-9a-f]{20}\/backups\/diffs\/$/);
    expect(record.reports[0]?.backupDir).toContain(folder.slice(1));
    expect(await readFile(join(root(second), 'extra.conf'), 'utf8')).toBe('only here');
    expect(await readFile(join(root(second), 'app.conf'), 'utf8')).toBe('port=8080\nhost=a\n');
  });
});
