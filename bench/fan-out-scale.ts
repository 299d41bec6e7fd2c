/**
 * ConfigSync's own fan-out to N destinations (default 10, 25, 50) on loopback sshd servers: one set of
 * 200 small files from "This computer", an initial sync and a no-change plan, timed through the
 * contract as the app runs them. `npx tsx bench/fan-out-scale.ts [N…]`. The servers share this
 * machine's cores and disk with the source, so the figures are an upper bound for real fleets.
 */
import { execFileSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { compose } from '../src-main/compose.js';
import { startSshd, type SshdServer } from '../tests/support/sshd.js';
import { makeTempDir } from '../tests/support/temp.js';
import { provisionServers, rpc } from '../tests/support/app.js';

async function measure(
  n: number,
  parallel: number,
): Promise<{ initial: number; noChange: number; rss: number }> {
  const tmp = await makeTempDir('configsync-fanout-');
  const servers: SshdServer[] = [];
  try {
    for (let i = 0; i < n; i += 10)
      servers.push(...(await Promise.all(Array.from({ length: Math.min(10, n - i) }, () => startSshd()))));
    const src = join(tmp.dir, 'src');
    await mkdir(src);
    execFileSync(
      'sh',
      [
        '-c',
        'for d in 1 2 3 4; do mkdir d$d; for f in $(seq 1 50); do echo "d$d f$f x=1" > d$d/f$f.conf; done; done',
      ],
      { cwd: src },
    );
    const app = compose({ dataDir: join(tmp.dir, 'store'), shell: 'cli', log: () => undefined });
    await rpc(app, 'servers.edit', { id: 'local', patch: { vars: { CONFIG_ROOT: src } } });
    await rpc(app, 'servers.setRole', { id: 'local', role: 'primary' });
    await provisionServers(
      app,
      servers.map((s, i) => ({
        name: `d${i}`,
        sshd: s,
        role: 'secondary' as const,
        vars: { CONFIG_ROOT: join(s.dataRoot, 'conf') },
        timeoutSec: 30,
      })),
    );
    const { set } = await rpc(app, 'sets.save', {
      set: { name: 'bench', items: [{ path: '${CONFIG_ROOT}' }], rollout: { order: 'all', parallel } },
    });
    const t0 = performance.now();
    const plan = await rpc(app, 'sync.plan', { setId: set.id });
    const { runId } = await rpc(app, 'sync.apply', { planId: plan.planId });
    const record = await rpc(app, 'sync.wait', { runId });
    const initial = (performance.now() - t0) / 1000;
    const bad = record.reports.filter((r) => r.status !== 'completed');
    if (bad.length > 0) throw new Error(`${bad.length} destinations did not complete: ${bad[0]?.message}`);
    const t1 = performance.now();
    await rpc(app, 'sync.plan', { setId: set.id });
    const noChange = (performance.now() - t1) / 1000;
    await app.dispose();
    return { initial, noChange, rss: process.memoryUsage().rss / 1e6 };
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    await tmp.cleanup();
  }
}

const counts = process.argv
  .slice(2)
  .map(Number)
  .filter((x) => x > 0);
for (const n of counts.length > 0 ? counts : [10, 25, 50]) {
  const r = await measure(n, 8);
  console.log(
    `${n} destinations (8 at once): initial ${r.initial.toFixed(2)} s, no-change plan ${r.noChange.toFixed(2)} s, rss ${r.rss.toFixed(0)} MB`,
  );
}
