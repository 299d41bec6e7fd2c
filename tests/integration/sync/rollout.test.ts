import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compose, type ComposedApp } from '../../../src-main/compose.js';
import { startSshd, type SshdServer } from '../../support/sshd.js';
import { makeTempDir } from '../../support/temp.js';
import { provisionServers, rpc } from '../../support/app.js';

/** Every file under a root with its bytes and mtime, as `find` sees it: "untouched" is this unchanged. */
function snapshot(root: string): string {
  return execFileSync('find', [root, '-printf', '%P %s %T@ %m\\n'], { encoding: 'utf8' })
    .split('\n')
    .sort()
    .join('\n');
}

describe('roll-out order: canary first, stop after failures (real sshd destinations)', () => {
  let primary: SshdServer;
  let dests: SshdServer[];
  let app: ComposedApp;
  let cleanup: () => Promise<void>;
  let ids: string[];
  const root = (s: SshdServer) => join(s.dataRoot, 'conf');
  /** Reports name a destination by its server id. */
  const nameOf = (id: string) => (ids.indexOf(id) > 0 ? `second-${ids.indexOf(id)}` : id);

  beforeAll(async () => {
    [primary, ...dests] = await Promise.all([
      startSshd(),
      startSshd(),
      startSshd(),
      startSshd(),
      startSshd(),
    ]);
    const tmp = await makeTempDir();
    cleanup = tmp.cleanup;
    app = compose({ dataDir: join(tmp.dir, 'store'), shell: 'cli', log: () => undefined });
    ids = await provisionServers(app, [
      { name: 'primary', sshd: primary, role: 'primary', vars: { CONFIG_ROOT: root(primary) } },
      ...dests.map((s, i) => ({
        name: `second-${i + 1}`,
        sshd: s,
        role: 'secondary' as const,
        vars: { CONFIG_ROOT: root(s) },
      })),
    ]);
    await mkdir(root(primary), { recursive: true });
    for (let i = 0; i < 5; i++) await writeFile(join(root(primary), `f${i}.conf`), `v2 ${i}\n`);
    for (const s of dests) {
      await mkdir(root(s), { recursive: true });
      // v1 is as long as v2: an hour older, so that no clock tick can make them look the same.
      const older = new Date(Date.now() - 3_600_000);
      for (let i = 0; i < 5; i++) {
        await writeFile(join(root(s), `f${i}.conf`), `v1 ${i}\n`);
        await utimes(join(root(s), `f${i}.conf`), older, older);
      }
    }
  });
  afterAll(async () => {
    await app?.dispose();
    await Promise.all([primary, ...dests].map((s) => s?.stop()));
    await cleanup?.();
  });

  it('canary: the first destination fails, so the others are not started and stay untouched', async () => {
    const { set } = await rpc(app, 'sets.save', {
      set: { name: 'canary', items: [{ path: '${CONFIG_ROOT}' }], rollout: { order: 'canary' } },
    });
    expect(set.rollout).toEqual({ order: 'canary', parallel: 4, stopAfterFailures: 0 });
    const plan = await rpc(app, 'sync.plan', { setId: set.id });
    expect(plan.targets.map((t) => t.ok)).toEqual([true, true, true, true]);
    // The canary is the first destination; its folder is made immutable (chattr +i) between the plan
    // and the apply, so nothing can be renamed into it there: its apply fails.
    expect(plan.targets[0]?.serverId).toBe(ids[1]);
    const canary = dests[0] as SshdServer;
    execFileSync('chattr', ['+i', root(canary)]);
    const others = dests.slice(1);
    const before = others.map((s) => snapshot(root(s)));
    const { runId } = await rpc(app, 'sync.apply', { planId: plan.planId });
    const record = await rpc(app, 'sync.wait', { runId }).finally(() =>
      execFileSync('chattr', ['-i', root(canary)]),
    );
    const byName = new Map(record.reports.map((r) => [nameOf(r.destination), r]));
    expect(byName.get('second-1')?.status).toMatch(/^(failed|completed-with-errors)$/);
    for (const n of ['second-2', 'second-3', 'second-4']) {
      expect(byName.get(n)?.status).toBe('cancelled');
      expect(byName.get(n)?.message).toMatch(
        /canary ".*" failed, so the other destinations were not started/,
      );
    }
    expect(others.map((s) => snapshot(root(s)))).toEqual(before);
    // For the next cases the first destination is down.
    await canary.halt();
  });

  it('one at a time, stop after 1 failure: the destination after the failed one is not started', async () => {
    const { set } = await rpc(app, 'sets.save', {
      set: {
        name: 'serial',
        items: [{ path: '${CONFIG_ROOT}' }],
        rollout: { order: 'one-at-a-time', stopAfterFailures: 1 },
      },
    });
    const plan = await rpc(app, 'sync.plan', { setId: set.id });
    // second-1 is down since the first test: unreachable at plan time, and that is the first failure.
    expect(plan.targets.map((t) => [t.serverId, t.ok])).toEqual(ids.slice(1).map((id, i) => [id, i > 0]));
    const before = dests.map((s) => snapshot(root(s)));
    const { runId } = await rpc(app, 'sync.apply', { planId: plan.planId });
    const record = await rpc(app, 'sync.wait', { runId });
    const byName = new Map(record.reports.map((r) => [nameOf(r.destination), r.status]));
    expect([...byName.entries()].sort()).toEqual([
      ['second-1', 'unreachable'],
      ['second-2', 'cancelled'],
      ['second-3', 'cancelled'],
      ['second-4', 'cancelled'],
    ]);
    expect(dests.map((s) => snapshot(root(s)))).toEqual(before);
  });

  it('all at once with the failed one: the others are applied', async () => {
    const { sets } = await rpc(app, 'sets.list', {});
    const set = sets.find((s) => s.name === 'serial');
    await rpc(app, 'sets.save', {
      set: { ...set, id: set?.id, rollout: { order: 'all', parallel: 2 } } as never,
    });
    const plan = await rpc(app, 'sync.plan', { setId: set?.id ?? '' });
    const { runId } = await rpc(app, 'sync.apply', { planId: plan.planId });
    const record = await rpc(app, 'sync.wait', { runId });
    const byName = new Map(record.reports.map((r) => [nameOf(r.destination), r.status]));
    expect([...byName.entries()].sort()).toEqual([
      ['second-1', 'unreachable'],
      ['second-2', 'completed'],
      ['second-3', 'completed'],
      ['second-4', 'completed'],
    ]);
  });
});
