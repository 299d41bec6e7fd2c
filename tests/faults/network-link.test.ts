import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { LocalEndpoint } from '../../src-main/transport/local-endpoint.js';
import { openSsh, type SshConnection } from '../../src-main/transport/ssh-connection.js';
import { SshEndpoint } from '../../src-main/transport/ssh-endpoint.js';
import { makeTree, type Spec } from '../integration/engine/tree.js';
import { makeNetns, netnsSupport, startSshdInNetns, type Netns, type NsSshd } from '../support/netns.js';
import { makeTempDir } from '../support/temp.js';
import { planAndApply, settle } from './engine-run.js';
import { expectNothingLost, snapshot } from './nothing-lost.js';

const OLD = 1_600_000_000_000;
const NEW = 1_700_000_000_000;

/**
 * An sshd inside its own network namespace, reached over a veth pair that the test shapes or cuts.
 * netem (delay and loss) is not in every kernel: without it the slow link is a rate limit (tbf) only.
 */
describe('a server behind its own link (network namespace)', () => {
  let support: { netns: string | null; netem: string | null };
  let ns: Netns | null = null;
  let sshd: NsSshd | null = null;
  let tmp: { dir: string; cleanup: () => Promise<void> };
  const conns: SshConnection[] = [];
  beforeAll(async () => {
    tmp = await makeTempDir();
    support = await netnsSupport();
    if (support.netns) return;
    ns = await makeNetns();
    sshd = await startSshdInNetns(ns);
  });
  afterAll(async () => {
    for (const c of conns) c.close();
    await sshd?.stop();
    await ns?.destroy();
    await tmp?.cleanup();
  });
  const open = async (keepaliveIntervalMs?: number) => {
    const s = sshd as NsSshd;
    const c = await openSsh({
      host: s.host,
      port: s.port,
      username: s.user,
      auth: { kind: 'key', privateKey: s.clientKey.privateKey },
      pinnedHostKey: { algorithm: s.hostKeyAlgorithm, fingerprint: s.hostKeyFingerprint },
      contactTimeoutMs: 5000,
      ...(keepaliveIntervalMs ? { keepaliveIntervalMs } : {}),
    });
    conns.push(c);
    return c;
  };
  function spec(prefix: string, size: number): Spec {
    const out: Spec = { 'blob.bin': { content: Buffer.alloc(size, 3), mtimeMs: NEW } };
    for (let i = 0; i < 30; i++)
      out[`etc/f${i}.conf`] = { content: `${prefix} ${i}\n`, mtimeMs: prefix === 'new' ? NEW : OLD };
    return out;
  }

  it('[slow] a slow link (4 Mbit/s; netem delay/loss when the kernel has it): correct result, no false timeout', async (ctx) => {
    if (support.netns) ctx.skip(support.netns);
    const n = ns as Netns;
    if (support.netem === null) await n.impair('100ms', '5%', '4mbit');
    else await n.limitRate('4mbit'); // and the report says netem was missing: support.netem
    const src = join(tmp.dir, 'slow-src');
    const dst = join((sshd as NsSshd).dataRoot, 'slow');
    await makeTree(src, spec('new', 1_500_000));
    await makeTree(dst, spec('old', 1000));
    const c = { src, dst, before: await snapshot(dst), source: await snapshot(src) };
    for (const bulk of [true, false]) {
      const report = await planAndApply(
        new LocalEndpoint(),
        src,
        new SshEndpoint(await open(), { fastPath: bulk }),
        dst,
        {
          stateDir: join((sshd as NsSshd).baseDir, `state-slow-${bulk}`),
          bulk,
        },
      );
      expect(report.status).toBe('completed');
      expect(await snapshot(dst)).toEqual(c.source);
      await expectNothingLost({ ...c, backupDirs: [report.backupDir] });
      await makeTree(src, {
        'blob.bin': { content: Buffer.alloc(1_500_000, bulk ? 4 : 5), mtimeMs: NEW + 60_000 },
      });
      c.source = await snapshot(src);
      c.before = await snapshot(dst);
    }
  });

  it('the link cut mid-transfer (packets dropped, no reset): a clear error within the keepalive window, nothing lost', async (ctx) => {
    if (support.netns) ctx.skip(support.netns);
    const s = sshd as NsSshd;
    const src = join(tmp.dir, 'cut-src');
    const dst = join(s.dataRoot, 'cut');
    await makeTree(src, spec('new', 8_000_000));
    await makeTree(dst, spec('old', 1000));
    const c = { src, dst, before: await snapshot(dst), source: await snapshot(src) };
    const conn = await open(1000);
    let cutAt = 0;
    const report = await settle(
      planAndApply(new LocalEndpoint(), src, new SshEndpoint(conn, { fastPath: true }), dst, {
        stateDir: join(s.baseDir, 'state-cut'),
        onProgress: (p) => {
          if (p.phase === 'transferring' && p.bytesDone > 500_000 && cutAt === 0) {
            cutAt = Date.now();
            void (ns as Netns).linkDown();
          }
        },
      }),
    );
    expect(cutAt).toBeGreaterThan(0);
    // Keepalive every 1 s, three missed probes: the run must end within a few intervals, not hang.
    expect(Date.now() - cutAt).toBeLessThan(10_000);
    expect(report.status).toBe('failed');
    expect(report.message).toMatch(/connection .*(lost|closed)|keepalive/i);
    expect(report.applied).toEqual([]);
    await expectNothingLost({ ...c, backupDirs: [report.backupDir] });
    expect(await snapshot(dst)).toEqual(c.before);
  });
});
