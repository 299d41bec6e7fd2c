import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { SyncService, type SyncProgressEvent } from '../../../src-main/services/sync/sync-service.js';
import { SshEndpoint } from '../../../src-main/transport/ssh-endpoint.js';
import {
  syncApplyInput,
  syncEntriesInput,
  syncPlanInput,
  syncPlanOutput,
  runRecord,
} from '../../../src-shared/contract/schemas/sync.js';
import { makeTempDir } from '../../support/temp.js';
import { startSshd, type SshdServer } from '../../support/sshd.js';
import { connect, makeTree, snapshot } from './tree.js';

describe('SyncService against real sshd', () => {
  let a: SshdServer;
  let b: SshdServer;
  let tmp: { dir: string; cleanup: () => Promise<void> };
  let service: SyncService;
  const progress: SyncProgressEvent[] = [];
  beforeAll(async () => {
    [a, b] = await Promise.all([startSshd(), startSshd()]);
    tmp = await makeTempDir();
    const servers: Record<string, SshdServer> = { primary: a, second: b };
    service = new SyncService({
      connect: async (id) => {
        const s = servers[id];
        if (!s) throw new Error(`unknown server ${id}`);
        return new SshEndpoint(await connect(s), { fastPath: true, label: id });
      },
      resolvePath: (id, path) => path.replace('${ROOT}', servers[id]?.dataRoot ?? ''),
      stateDir: (id) => join(servers[id]?.baseDir ?? '', 'state'),
      logsDir: join(tmp.dir, 'logs'),
      onProgress: (e) => progress.push(e),
    });
  });
  afterAll(async () => {
    service?.dispose();
    await Promise.all([a?.stop(), b?.stop()]);
    await tmp?.cleanup();
  });

  it('plans, pages, applies with progress and a run log, lists the run and restores it', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 30; i++) files[`etc/f${String(i).padStart(2, '0')}.conf`] = `value ${i}\n`;
    await makeTree(join(a.dataRoot, 'cfg'), { ...files, 'keep.lic': 'primary license' });
    await makeTree(join(b.dataRoot, 'cfg'), {
      'etc/f00.conf': 'old',
      'junk.txt': 'x',
      'keep.lic': 'secondary license',
    });
    // Folders made a moment apart can differ by more than the time tolerance on a loaded machine:
    // the destination's get the source's times, so the one folder difference is none.
    // (touch -r copies them to the nanosecond; the set compares times exactly.)
    for (const dir of ['cfg/etc', 'cfg'])
      execFileSync('touch', ['-r', join(a.dataRoot, dir), join(b.dataRoot, dir)]);
    const before = await snapshot(join(b.dataRoot, 'cfg'));

    const planned = syncPlanOutput.parse(
      await service.plan(
        syncPlanInput.parse({
          set: { id: 's1', name: 'main', items: [{ path: '${ROOT}/cfg' }] },
          sourceServerId: 'primary',
          destinationServerIds: ['second'],
        }),
      ),
    );
    expect(planned.targets).toHaveLength(1);
    const t = planned.targets[0];
    expect(t?.ok).toBe(true);
    expect(t?.summary?.counts).toMatchObject({ create: 29, update: 1, delete: 1 });
    expect(t?.guards).toEqual([]);

    const page = service.entries(
      syncEntriesInput.parse({
        planId: planned.planId,
        targetId: t?.targetId,
        offset: 5,
        limit: 10,
        actions: ['create'],
      }),
    );
    expect(page.total).toBe(29);
    expect(page.entries).toHaveLength(10);
    expect(page.entries[0]?.path).toBe('etc/f06.conf');
    expect(
      service
        .entries(syncEntriesInput.parse({ planId: planned.planId, targetId: t?.targetId, search: 'JUNK' }))
        .entries.map((e) => e.action),
    ).toEqual(['delete']);

    const record = runRecord.parse(await service.apply(syncApplyInput.parse({ planId: planned.planId })));
    expect(record.state).toBe('finished');
    expect(record.reports.map((r) => r.status)).toEqual(['completed']);
    const after = await snapshot(join(b.dataRoot, 'cfg'));
    expect(after['keep.lic']).toBe(before['keep.lic']);
    expect(after['junk.txt']).toBeUndefined();
    expect(after['etc/f29.conf']).toBe((await snapshot(join(a.dataRoot, 'cfg')))['etc/f29.conf']);
    expect(progress.some((p) => p.phase === 'transferring' && p.targetId === t?.targetId)).toBe(true);
    expect(progress.at(-1)?.phase).toBe('done');
    const log = await fs.readFile(join(tmp.dir, 'logs', `${record.runId}.log`), 'utf8');
    expect(log).toMatch(/"event":"report"/);
    expect((await service.listRuns()).map((r) => r.runId)).toContain(record.runId);
    expect(service.cancel({ runId: record.runId })).toEqual({ cancelled: false });

    const restored = await service.restore({ serverId: 'second', setName: 'main', runId: record.runId });
    expect(restored.errors).toEqual([]);
    expect(await snapshot(join(b.dataRoot, 'cfg'))).toEqual(before);
    expect(() =>
      service.entries(syncEntriesInput.parse({ planId: planned.planId, targetId: t?.targetId })),
    ).toThrow(/no longer available/);
  });
});
