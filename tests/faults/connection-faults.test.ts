import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { applyAll, planAll, type FanOutTarget } from '../../src-main/engine/fan-out.js';
import { DEFAULT_EXCLUDES } from '../../src-main/engine/filters.js';
import { findInterrupted, recover } from '../../src-main/engine/recover.js';
import { journalPath } from '../../src-main/engine/journal.js';
import { rootStateDir } from '../../src-main/engine/state-dir.js';
import { LocalEndpoint } from '../../src-main/transport/local-endpoint.js';
import type { SshConnection } from '../../src-main/transport/ssh-connection.js';
import { SshEndpoint } from '../../src-main/transport/ssh-endpoint.js';
import { connect, makeTree, type Spec } from '../integration/engine/tree.js';
import { startSshd, type SshdServer } from '../support/sshd.js';
import { makeTempDir } from '../support/temp.js';
import { MIRROR, planAndApply } from './engine-run.js';
import { expectNothingLost, fence, leftovers, snapshot } from './nothing-lost.js';
import { killConnections } from './sshd-children.js';

const OLD = 1_600_000_000_000;
const NEW = 1_700_000_000_000;

function sourceSpec(): Spec {
  const spec: Spec = { 'data/big.bin': { content: Buffer.alloc(24_000_000, 5), mtimeMs: NEW } };
  for (let i = 0; i < 10; i++) spec[`conf/f${i}.cfg`] = { content: `new ${i}\n`, mtimeMs: NEW };
  return spec;
}
function destSpec(): Spec {
  const spec: Spec = {
    'data/big.bin': { content: Buffer.alloc(1000, 1), mtimeMs: OLD },
    'extra.txt': 'extra',
  };
  for (let i = 0; i < 10; i++) spec[`conf/f${i}.cfg`] = { content: `old ${i}\n`, mtimeMs: OLD };
  return spec;
}

describe('connection faults', () => {
  let tmp: { dir: string; cleanup: () => Promise<void> };
  const servers: SshdServer[] = [];
  const conns: SshConnection[] = [];
  let silent: Server;
  let silentPort: number;
  beforeAll(async () => {
    tmp = await makeTempDir();
    servers.push(...(await Promise.all(Array.from({ length: 4 }, () => startSshd()))));
    // Accepts TCP and never speaks: a blackholed host.
    silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    silentPort = (silent.address() as { port: number }).port;
  });
  afterAll(async () => {
    for (const c of conns) c.close();
    await Promise.all(servers.map((s) => s.stop()));
    silent?.close();
    await tmp?.cleanup();
  });
  const open = async (s: SshdServer, timeoutMs = 5000) => {
    const c = await connect(s, timeoutMs);
    conns.push(c);
    return c;
  };

  for (const bulk of [true, false])
    it(`the session killed mid-transfer (${bulk ? 'tar fast path' : 'per-file SFTP'}): a clear error at once, no half file, recover and the next run complete`, async () => {
      const s = servers[0] as SshdServer;
      const tag = bulk ? 'bulk' : 'sftp';
      const src = join(tmp.dir, `drop-src-${tag}`);
      const dst = join(s.dataRoot, `drop-${tag}`, 'conf');
      const stateDir = join(s.baseDir, `drop-state-${tag}`);
      await makeTree(src, sourceSpec());
      await makeTree(dst, destSpec());
      const c = { src, dst, before: await snapshot(dst), source: await snapshot(src) };
      const around = await fence(join(s.dataRoot, `drop-${tag}`), (p) => p === 'conf');
      const conn = await open(s);
      let killedAt = 0;
      const report = await planAndApply(
        new LocalEndpoint(),
        src,
        new SshEndpoint(conn, { fastPath: bulk }),
        dst,
        {
          stateDir,
          bulk,
          onProgress: (p) => {
            if (p.phase === 'transferring' && p.bytesDone > 2_000_000 && killedAt === 0) {
              killedAt = Date.now();
              void killConnections(s.pid);
            }
          },
        },
      );
      expect(killedAt).toBeGreaterThan(0);
      // A dropped TCP session is seen at once; a silent peer would take the keepalive window (3 × 5 s).
      expect(Date.now() - killedAt).toBeLessThan(15_000);
      expect(report.status).toBe('failed');
      expect(report.message).toMatch(/connection .*(lost|closed)/i);
      expect(report.applied).toEqual([]);
      await expectNothingLost({ ...c, backupDirs: [report.backupDir], outside: [around] });
      expect(await snapshot(dst)).toEqual(c.before);

      const ssh = new SshEndpoint(await open(s), { fastPath: bulk });
      const stuck = await findInterrupted(ssh, rootStateDir(stateDir, dst));
      expect(stuck.map((j) => j.runId)).toEqual([report.runId]);
      const r = await recover(ssh, journalPath(rootStateDir(stateDir, dst), report.runId));
      expect(r.outcome).toBe('rolled-back');
      expect(await leftovers(dst)).toEqual([]);
      const again = await planAndApply(new LocalEndpoint(), src, ssh, dst, { stateDir, bulk });
      expect(again.status).toBe('completed');
      expect(await snapshot(dst)).toEqual(c.source);
      await expectNothingLost({ ...c, backupDirs: [again.backupDir], outside: [around] });
    });

  it('one blackholed host among five: it fails at its 1 s contact timeout, the other four finish', async () => {
    const src = join(tmp.dir, 'fan-src');
    await makeTree(src, {
      'a.conf': { content: 'A', mtimeMs: NEW },
      'sub/b.conf': { content: 'B', mtimeMs: NEW },
    });
    const source = await snapshot(src);
    const befores = new Map<string, Record<string, string>>();
    const target = (s: SshdServer): FanOutTarget => ({
      id: `srv-${s.port}`,
      label: `127.0.0.1:${s.port}`,
      root: join(s.dataRoot, 'fan'),
      stateDir: join(s.baseDir, 'fan-state'),
      connect: async () => new SshEndpoint(await open(s, 1000), { fastPath: true }),
    });
    for (const s of servers) {
      await makeTree(join(s.dataRoot, 'fan'), {
        'a.conf': { content: 'old', mtimeMs: OLD },
        'gone.conf': 'x',
      });
      befores.set(`srv-${s.port}`, await snapshot(join(s.dataRoot, 'fan')));
    }
    let deadMs = -1;
    const dead: FanOutTarget = {
      id: 'blackhole',
      label: `127.0.0.1:${silentPort}`,
      root: '/nowhere',
      connect: async () => {
        const t0 = Date.now();
        try {
          return new SshEndpoint(await connect({ ...(servers[0] as SshdServer), port: silentPort }, 1000), {
            fastPath: true,
          });
        } finally {
          deadMs = Date.now() - t0;
        }
      },
    };
    const targets = [
      target(servers[0] as SshdServer),
      target(servers[1] as SshdServer),
      dead,
      target(servers[2] as SshdServer),
      target(servers[3] as SshdServer),
    ];
    const planned = await planAll(new LocalEndpoint(), src, targets, {
      planOptions: MIRROR,
      filter: { exclude: DEFAULT_EXCLUDES },
      concurrency: 5,
    });
    expect(deadMs).toBeGreaterThanOrEqual(900);
    expect(deadMs).toBeLessThan(3000);
    const reports = await applyAll(new LocalEndpoint(), planned.targets, { setName: 'main', concurrency: 5 });
    expect(reports.map((r) => r.status)).toEqual([
      'completed',
      'completed',
      'unreachable',
      'completed',
      'completed',
    ]);
    expect(reports[2]?.message).toMatch(/did not answer within 1 s/);
    for (const r of reports) {
      if (r.targetId === 'blackhole') continue;
      const s = servers.find((x) => `srv-${x.port}` === r.targetId) as SshdServer;
      const dst = join(s.dataRoot, 'fan');
      expect(await snapshot(dst)).toEqual(source);
      await expectNothingLost({
        dst,
        before: befores.get(r.targetId) ?? {},
        src,
        source,
        backupDirs: [r.backupDir],
      });
    }
  });

  it('sshd with MaxSessions 2 under many parallel operations: all queued and done, no channel left open', async () => {
    const s = await startSshd({ maxSessions: 2 });
    servers.push(s);
    const conn = await open(s); // the app's default channel bound (8) is above this server's limit
    const src = join(tmp.dir, 'ms-src');
    const spec: Spec = {};
    for (let i = 0; i < 30; i++)
      spec[`d${i % 3}/f${i}.conf`] = { content: `v${i}\n`.repeat(i + 1), mtimeMs: NEW };
    await makeTree(src, spec);
    const source = await snapshot(src);
    const roots = [0, 1, 2, 3].map((i) => join(s.dataRoot, `ms${i}`));
    for (const r of roots)
      await makeTree(r, { 'd0/f0.conf': { content: 'old', mtimeMs: OLD }, 'x.txt': 'x' });
    const ssh = (bulk: boolean) => new SshEndpoint(conn, { fastPath: bulk });
    const work = [
      ...roots.map((r, i) =>
        planAndApply(new LocalEndpoint(), src, ssh(i % 2 === 0), r, {
          stateDir: join(s.baseDir, `ms-state${i}`),
          bulk: i % 2 === 0,
        }),
      ),
      ...Array.from({ length: 24 }, (_, i) => conn.exec(`echo ${i}`).then((r) => r.stdout.toString().trim())),
    ];
    const results = await Promise.all(work);
    for (const r of results.slice(0, roots.length))
      expect((r as { status: string }).status).toBe('completed');
    expect(results.slice(roots.length)).toEqual(Array.from({ length: 24 }, (_, i) => String(i)));
    for (const r of roots) expect(await snapshot(r)).toEqual(source);
    // Only the connection's SFTP session may still hold a slot; every exec channel was released.
    expect(conn.openChannels).toBeLessThanOrEqual(1);
    expect((conn.client as unknown as { _chanMgr: { _count: number } })._chanMgr._count).toBeLessThanOrEqual(
      1,
    );
    expect((await conn.exec('echo still')).stdout.toString().trim()).toBe('still');
  });
});
