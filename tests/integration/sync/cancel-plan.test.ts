import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { compose, type ComposedApp } from '../../../src-main/compose.js';
import { SyncService } from '../../../src-main/services/sync/sync-service.js';
import { SshEndpoint } from '../../../src-main/transport/ssh-endpoint.js';
import type { Endpoint } from '../../../src-main/transport/endpoint.js';
import { syncPlanInput } from '../../../src-shared/contract/schemas/sync.js';
import { startSshd, type SshdServer } from '../../support/sshd.js';
import { makeTempDir } from '../../support/temp.js';
import { provisionServers, rpc } from '../../support/app.js';
import { connect } from '../engine/tree.js';

/** Established TCP connections to one of these local ports, as the kernel sees them. */
function establishedTo(ports: ReadonlyArray<number>): number {
  const out = execFileSync('ss', ['-Htn', 'state', 'established'], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((line) => ports.some((p) => new RegExp(`\\s127\\.0\\.0\\.1:${p}\\s`).test(` ${line} `))).length;
}

describe('stopping a plan while it is computed', () => {
  let primary: SshdServer;
  let second: SshdServer;
  let tmp: { dir: string; cleanup: () => Promise<void> };
  let app: ComposedApp;
  const root = (s: SshdServer) => join(s.dataRoot, 'conf');

  beforeAll(async () => {
    [primary, second] = await Promise.all([startSshd(), startSshd()]);
    tmp = await makeTempDir();
    // Enough files that a scan is still going when the cancel arrives.
    await mkdir(root(primary), { recursive: true });
    await mkdir(root(second), { recursive: true });
    execFileSync(
      'sh',
      [
        '-c',
        'for d in $(seq -f "d%02g" 1 20); do mkdir "$d"; seq -f "$d/f%04g.conf" 1 1000; done | xargs touch',
      ],
      { cwd: root(primary) },
    );
    app = compose({ dataDir: join(tmp.dir, 'store'), shell: 'cli', log: () => undefined });
    await provisionServers(app, [
      { name: 'primary', sshd: primary, role: 'primary', vars: { CONFIG_ROOT: root(primary) } },
      { name: 'second-1', sshd: second, role: 'secondary', vars: { CONFIG_ROOT: root(second) } },
    ]);
  });
  afterAll(async () => {
    await app?.dispose();
    await Promise.all([primary?.stop(), second?.stop()]);
    await tmp?.cleanup();
  });

  it('SyncService.plan: an abort during the scans fails with PLAN_CANCELLED and closes every connection it opened', async () => {
    const servers: Record<string, SshdServer> = { primary, second };
    const opened: Array<{ id: string; closed: boolean }> = [];
    const controller = new AbortController();
    const service = new SyncService({
      connect: async (id) => {
        const s = servers[id];
        if (!s) throw new Error(`unknown server ${id}`);
        const endpoint: Endpoint = new SshEndpoint(await connect(s), { fastPath: true, label: id });
        const seen = { id, closed: false };
        opened.push(seen);
        const close = endpoint.close.bind(endpoint);
        endpoint.close = () => {
          seen.closed = true;
          close();
        };
        // The destination is reached once the source is being scanned: stop right then.
        if (id === 'second') queueMicrotask(() => controller.abort());
        return endpoint;
      },
      resolvePath: (id, path) => path.replace('${ROOT}', servers[id]?.dataRoot ?? ''),
      stateDir: (id) => join(servers[id]?.baseDir ?? '', 'state'),
      logsDir: join(tmp.dir, 'logs-service'),
    });
    try {
      const planning = service.plan(
        syncPlanInput.parse({
          set: { id: 's', name: 'big', items: [{ path: '${ROOT}/conf' }] },
          sourceServerId: 'primary',
          destinationServerIds: ['second'],
        }),
        { signal: controller.signal },
      );
      await expect(planning).rejects.toMatchObject({ code: 'PLAN_CANCELLED' });
      expect(opened.map((o) => o.id).sort()).toEqual(['primary', 'second']);
      expect(opened.every((o) => o.closed)).toBe(true);
      await vi.waitFor(() => expect(establishedTo([primary.port, second.port])).toBe(0), { timeout: 5000 });
    } finally {
      service.dispose();
    }
  });

  it('sync.cancelPlan through the contract: the plan call fails with PLAN_CANCELLED and leaves no connection open', async () => {
    const { set } = await rpc(app, 'sets.save', {
      set: { name: 'big-set', items: [{ path: '${CONFIG_ROOT}' }] },
    });
    const planning = rpc(app, 'sync.plan', { setId: set.id, planRequestId: 'req-1' });
    const stopped = await rpc(app, 'sync.cancelPlan', { planRequestId: 'req-1' });
    expect(stopped.cancelled).toBe(true);
    await expect(planning).rejects.toMatchObject({ code: 'PLAN_CANCELLED' });
    await expect(planning).rejects.toThrow(/Comparing was stopped/);
    await vi.waitFor(() => expect(establishedTo([primary.port, second.port])).toBe(0), { timeout: 5000 });

    // A cancel that comes before its plan is honoured when the plan arrives; a plan left alone completes.
    expect((await rpc(app, 'sync.cancelPlan', { planRequestId: 'req-2' })).cancelled).toBe(false);
    await expect(rpc(app, 'sync.plan', { setId: set.id, planRequestId: 'req-2' })).rejects.toMatchObject({
      code: 'PLAN_CANCELLED',
    });
    const plan = await rpc(app, 'sync.plan', { setId: set.id, planRequestId: 'req-3' });
    expect(plan.targets[0]?.summary?.counts.create).toBe(20_020);
    // A kept plan holds its connections until it is applied: the count above does see them.
    expect(establishedTo([primary.port, second.port])).toBeGreaterThan(0);
    expect((await rpc(app, 'sync.cancelPlan', { planRequestId: 'req-3' })).cancelled).toBe(false);
  }, 60_000);
});
