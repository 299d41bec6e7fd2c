import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { applyAll, planAll, type FanOutTarget } from '../../../src-main/engine/fan-out.js';
import { DEFAULT_EXCLUDES } from '../../../src-main/engine/filters.js';
import { rootStateDir } from '../../../src-main/engine/state-dir.js';
import { LocalEndpoint } from '../../../src-main/transport/local-endpoint.js';
import type { SshConnection } from '../../../src-main/transport/ssh-connection.js';
import { SshEndpoint } from '../../../src-main/transport/ssh-endpoint.js';
import { makeTempDir } from '../../support/temp.js';
import { startSshd, type SshdServer } from '../../support/sshd.js';
import { connect, makeTree, snapshot } from './tree.js';

describe('fan-out to three destinations, one of them silent', () => {
  let b: SshdServer;
  let c: SshdServer;
  let silent: Server;
  let silentPort: number;
  let tmp: { dir: string; cleanup: () => Promise<void> };
  const conns: SshConnection[] = [];
  beforeAll(async () => {
    [b, c] = await Promise.all([startSshd(), startSshd()]);
    // Accepts TCP and never speaks: a hung or firewalled host.
    silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    silentPort = (silent.address() as { port: number }).port;
    tmp = await makeTempDir();
  });
  afterAll(async () => {
    for (const conn of conns) conn.close();
    await Promise.all([b?.stop(), c?.stop()]);
    silent?.close();
    await tmp?.cleanup();
  });

  it('skips the unreachable destination within its timeout and completes the other two', async () => {
    const src = join(tmp.dir, 'src');
    await makeTree(src, { 'a.conf': 'A', 'dir/b.conf': 'B', 'x.lic': 'license' });
    const target = (s: SshdServer): FanOutTarget => ({
      id: `srv-${s.port}`,
      label: `127.0.0.1:${s.port}`,
      root: join(s.dataRoot, 'cfg'),
      stateDir: join(s.baseDir, 'state'),
      connect: async () => {
        const conn = await connect(s, 800);
        conns.push(conn);
        return new SshEndpoint(conn, { fastPath: true, label: `127.0.0.1:${s.port}` });
      },
    });
    const dead: FanOutTarget = {
      id: 'silent',
      label: `127.0.0.1:${silentPort}`,
      root: '/nowhere',
      connect: async () =>
        new SshEndpoint(await connect({ ...b, port: silentPort }, 800), { fastPath: true }),
    };
    const source = new LocalEndpoint();
    const planned = await planAll(source, src, [target(b), dead, target(c)], {
      planOptions: { mode: 'mirror', compare: 'time-size', toleranceMs: 2000 },
      filter: { exclude: DEFAULT_EXCLUDES },
    });
    expect(planned.targets.map((t) => t.ok)).toEqual([true, false, true]);
    const failed = planned.targets[1];
    expect(failed && !failed.ok && failed.code).toBe('TIMEOUT');
    const seen = new Set<string>();
    const reports = await applyAll(source, planned.targets, {
      setName: 'main',
      onProgress: (id) => seen.add(id),
    });
    expect(reports.map((r) => [r.targetId, r.status])).toEqual([
      [`srv-${b.port}`, 'completed'],
      ['silent', 'unreachable'],
      [`srv-${c.port}`, 'completed'],
    ]);
    expect(reports[1]?.message).toMatch(/did not answer/);
    expect(new Set(reports.map((r) => r.runId)).size).toBe(1);
    expect([...seen].sort()).toEqual([`srv-${b.port}`, `srv-${c.port}`].sort());
    const want = await snapshot(src, (p) => p.endsWith('.lic'));
    expect(await snapshot(join(b.dataRoot, 'cfg'))).toEqual(want);
    expect(await snapshot(join(c.dataRoot, 'cfg'))).toEqual(want);
    for (const s of [b, c])
      expect(
        await snapshot(join(rootStateDir(join(s.baseDir, 'state'), join(s.dataRoot, 'cfg')), 'journal')),
      ).toHaveProperty([`${reports[0]?.runId}.json`]);
  });
});
