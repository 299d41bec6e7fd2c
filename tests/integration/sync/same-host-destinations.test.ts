import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compose, type ComposedApp } from '../../../src-main/compose.js';
import { startSshd, type SshdServer } from '../../support/sshd.js';
import { makeTempDir } from '../../support/temp.js';
import { provisionServers, rpc } from '../../support/app.js';

// Two server entries can be one machine (two roots on one host): their journals and backups must not mix.
describe('two destinations on one host', () => {
  let primary: SshdServer;
  let host: SshdServer;
  let app: ComposedApp;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    [primary, host] = await Promise.all([startSshd(), startSshd()]);
    const tmp = await makeTempDir();
    cleanup = tmp.cleanup;
    app = compose({ dataDir: join(tmp.dir, 'store'), shell: 'cli', log: () => undefined });
    await provisionServers(app, [
      { name: 'p', sshd: primary, role: 'primary', vars: { R: join(primary.dataRoot, 'r') } },
      { name: 'a', sshd: host, role: 'secondary', vars: { R: join(host.dataRoot, 'a') } },
      { name: 'b', sshd: host, role: 'secondary', vars: { R: join(host.dataRoot, 'b') } },
    ]);
    await mkdir(join(primary.dataRoot, 'r'), { recursive: true });
    await writeFile(join(primary.dataRoot, 'r', 'x.conf'), 'new');
    for (const d of ['a', 'b']) {
      await mkdir(join(host.dataRoot, d), { recursive: true });
      await writeFile(join(host.dataRoot, d, 'x.conf'), `old ${d}`);
    }
  });
  afterAll(async () => {
    await app?.dispose();
    await Promise.all([primary?.stop(), host?.stop()]);
    await cleanup?.();
  });

  it('keeps a backup per entry, so restoring each brings back its own old bytes', async () => {
    const { set } = await rpc(app, 'sets.save', { set: { name: 'same-host', items: [{ path: '${R}' }] } });
    const plan = await rpc(app, 'sync.plan', { setId: set.id });
    const { runId } = await rpc(app, 'sync.apply', { planId: plan.planId });
    const record = await rpc(app, 'sync.wait', { runId });
    expect(record.reports.map((r) => r.status)).toEqual(['completed', 'completed']);
    for (const d of ['a', 'b']) expect(await readFile(join(host.dataRoot, d, 'x.conf'), 'utf8')).toBe('new');
    const ids = new Set(plan.targets.map((t) => t.serverId));
    for (const serverId of ids) {
      const r = await rpc(app, 'sync.restore', { serverId, setName: 'same-host', runId });
      expect(r.errors).toEqual([]);
      expect(r.restored).toBe(1);
    }
    for (const d of ['a', 'b'])
      expect(await readFile(join(host.dataRoot, d, 'x.conf'), 'utf8')).toBe(`old ${d}`);
  });
});
