import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { apply } from '../../src-main/engine/apply.js';
import { journalPath } from '../../src-main/engine/journal.js';
import { readLock } from '../../src-main/engine/lock.js';
import { recover } from '../../src-main/engine/recover.js';
import { rootStateDir } from '../../src-main/engine/state-dir.js';
import { rootBusy } from '../../src-main/services/sync/interrupted-runs.js';
import { LocalEndpoint } from '../../src-main/transport/local-endpoint.js';
import type { SshConnection } from '../../src-main/transport/ssh-connection.js';
import { SshEndpoint } from '../../src-main/transport/ssh-endpoint.js';
import { connect, makeTree, type Spec } from '../integration/engine/tree.js';
import { applyAndFreezeMidSwap } from '../support/killed-apply.js';
import { startSshd, type SshdServer } from '../support/sshd.js';
import { makeTempDir } from '../support/temp.js';
import { planBetween, settle } from './engine-run.js';
import { expectNothingLost, leftovers, snapshot } from './nothing-lost.js';

const OLD = 1_600_000_000_000;
const NEW = 1_700_000_000_000;

describe('one destination root, several writers', () => {
  let s: SshdServer;
  let conn: SshConnection;
  let tmp: { dir: string; cleanup: () => Promise<void> };
  let n = 0;
  beforeAll(async () => {
    s = await startSshd();
    conn = await connect(s);
    tmp = await makeTempDir();
  });
  afterAll(async () => {
    conn?.close();
    await s?.stop();
    await tmp?.cleanup();
  });

  async function setup() {
    n++;
    const src = join(tmp.dir, `src${n}`);
    const dst = join(s.dataRoot, `dst${n}`);
    const source: Spec = {};
    const dest: Spec = { 'extra.conf': 'only on the destination' };
    for (let i = 0; i < 40; i++) {
      source[`etc/f${i}.conf`] = { content: `new ${i}\n`, mtimeMs: NEW };
      dest[`etc/f${i}.conf`] = { content: `old ${i} (longer)\n`, mtimeMs: OLD };
    }
    await makeTree(src, source);
    await makeTree(dst, dest);
    const stateDir = join(s.baseDir, `state${n}`);
    return { src, dst, stateDir, before: await snapshot(dst), source: await snapshot(src) };
  }

  it('two stores racing on one root: one runs, the other is refused by the lock (who, since when) and writes nothing', async () => {
    const c = await setup();
    const a = new SshEndpoint(conn, { fastPath: true });
    const b = new SshEndpoint(conn, { fastPath: true });
    // Both stores plan the same tree; store A's run is held after its third rename into place.
    const [planA, planB] = await Promise.all([
      planBetween(new LocalEndpoint(), c.src, a, c.dst),
      planBetween(new LocalEndpoint(), c.src, b, c.dst),
    ]);
    let gate: () => void = () => undefined;
    const held = new Promise<void>((r) => (gate = r));
    let reached: () => void = () => undefined;
    const atGate = new Promise<void>((r) => (reached = r));
    const rename = a.rename.bind(a);
    let renames = 0;
    a.rename = async (from, to) => {
      await rename(from, to);
      if (from.includes('/.configsync-staging-') && ++renames === 3) {
        reached();
        await held;
      }
    };
    const runA = apply(planA, new LocalEndpoint(), a, {
      setName: 'main',
      stateDir: c.stateDir,
      lock: { store: 'vm:/home/alice/store' },
    });
    await atGate;
    const mid = await snapshot(c.dst);
    const refused = await settle(
      apply(planB, new LocalEndpoint(), b, {
        setName: 'main',
        stateDir: c.stateDir,
        lock: { store: 'vm:/home/bob/store', breakStale: true },
      }),
    );
    expect(refused).toMatchObject({ status: 'failed', code: 'DESTINATION_LOCKED', applied: [] });
    expect(refused.message).toMatch(/store vm:\/home\/alice\/store .* holds it since \d{4}-/);
    expect(refused.message).toMatch(/its run is going on/);
    // B wrote nothing: the tree is as A left it at the gate, and B has no journal or backup.
    expect(await snapshot(c.dst)).toEqual(mid);
    const journals = await fs.readdir(join(rootStateDir(c.stateDir, c.dst), 'journal'));
    expect(journals.filter((x) => x.endsWith('.json'))).toHaveLength(1);
    gate();
    const done = await runA;
    expect(done.status).toBe('completed');
    expect(await snapshot(c.dst)).toEqual(c.source);
    await expectNothingLost({ ...c, backupDirs: [done.backupDir] });
    // The lock went with the run: the next run takes it.
    expect(await readLock(a, rootStateDir(c.stateDir, c.dst))).toBeNull();
  });

  it("two processes of one store: a live process's run is never called interrupted nor recovered; once killed, it is interrupted for everyone", async () => {
    const c = await setup();
    const ssh = new SshEndpoint(conn, { fastPath: true });
    const rootState = rootStateDir(c.stateDir, c.dst);
    const other = await applyAndFreezeMidSwap(s, { src: c.src, dst: c.dst, stateDir: c.stateDir });
    try {
      const mid = await snapshot(c.dst);
      const busy = await rootBusy(ssh, c.dst, { base: c.stateDir }, () => false);
      expect(busy.interrupted).toEqual([]);
      expect(busy.lock?.owner.pid).toBe(other.pid);
      const runId = busy.lock?.owner.runId ?? '';
      const p = await planBetween(new LocalEndpoint(), c.src, ssh, c.dst);
      const refused = await settle(
        apply(p, new LocalEndpoint(), ssh, {
          setName: 'main',
          stateDir: c.stateDir,
          lock: { breakStale: true },
        }),
      );
      expect(refused).toMatchObject({ status: 'failed', code: 'DESTINATION_LOCKED' });
      expect(refused.message).toContain(`pid ${other.pid}`);
      expect(refused.message).toMatch(/its process is running/);
      // Recover refuses a run whose lock is live, whatever the user confirms.
      await expect(
        recover(ssh, journalPath(rootState, runId), 'complete', { lock: { breakStale: true } }),
      ).rejects.toMatchObject({ code: 'DESTINATION_LOCKED' });
      expect(await snapshot(c.dst)).toEqual(mid);

      await other.kill();
      const after = await rootBusy(ssh, c.dst, { base: c.stateDir }, () => false);
      expect(after.lock).toBeNull();
      expect(after.interrupted.map((j) => j.runId)).toEqual([runId]);
      expect(after.interrupted[0]?.by?.pid).toBe(other.pid);
      // Breaking the dead process's lock to run over its half-swapped tree is refused: recover first.
      const p2 = await planBetween(new LocalEndpoint(), c.src, ssh, c.dst);
      const stillRefused = await settle(
        apply(p2, new LocalEndpoint(), ssh, {
          setName: 'main',
          stateDir: c.stateDir,
          lock: { breakStale: true },
        }),
      );
      expect(stillRefused).toMatchObject({ status: 'failed', code: 'INTERRUPTED_RUN' });
      expect(await snapshot(c.dst)).toEqual(mid);
      // Without confirmation the stale lock stays; with it, recover completes the run.
      await expect(recover(ssh, journalPath(rootState, runId))).rejects.toMatchObject({
        code: 'DESTINATION_LOCKED',
        message: expect.stringMatching(/process is gone.*--break-lock/),
      });
      const r = await recover(ssh, journalPath(rootState, runId), 'complete', { lock: { breakStale: true } });
      expect(r).toMatchObject({ outcome: 'completed', errors: [] });
      expect(await snapshot(c.dst)).toEqual(c.source);
      await expectNothingLost({ ...c, backupDirs: [join(rootState, 'backups/main', runId)] });
      expect(await leftovers(c.dst)).toEqual([]);
      expect(await readLock(ssh, rootState)).toBeNull();
    } finally {
      await other.kill().catch(() => undefined);
    }
  });
});
