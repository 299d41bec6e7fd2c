import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { backupDirOf } from '../../src-main/engine/backup.js';
import { journalPath } from '../../src-main/engine/journal.js';
import { recover } from '../../src-main/engine/recover.js';
import { rootStateDir } from '../../src-main/engine/state-dir.js';
import type { SshConnection } from '../../src-main/transport/ssh-connection.js';
import { SshEndpoint } from '../../src-main/transport/ssh-endpoint.js';
import { connect, makeTree, type Spec } from '../integration/engine/tree.js';
import { startSshd, type SshdServer } from '../support/sshd.js';
import { makeTempDir } from '../support/temp.js';
import { runChild } from './child-run.js';
import { expectNothingLost, leftovers, snapshot } from './nothing-lost.js';

const OLD = 1_600_000_000_000;
const NEW = 1_700_000_000_000;

function sourceSpec(): Spec {
  const spec: Spec = { 'data/blob.bin': { content: Buffer.alloc(4_000_000, 4), mtimeMs: NEW } };
  for (let i = 0; i < 60; i++)
    spec[`etc/d${i % 6}/f${i}.conf`] = { content: `new ${i}\n`.repeat(20), mtimeMs: NEW };
  return spec;
}
function destSpec(): Spec {
  const spec: Spec = { 'data/blob.bin': { content: Buffer.alloc(300_000, 1), mtimeMs: OLD } };
  for (let i = 0; i < 60; i += 2) spec[`etc/d${i % 6}/f${i}.conf`] = { content: `old ${i}\n`, mtimeMs: OLD };
  for (let i = 0; i < 10; i++) spec[`stale/s${i}.conf`] = `stale ${i}`;
  return spec;
}

describe('the sync process killed with SIGKILL at random points', () => {
  let s: SshdServer;
  let conn: SshConnection;
  let tmp: { dir: string; cleanup: () => Promise<void> };
  let src: string;
  let source: Record<string, string>;
  beforeAll(async () => {
    s = await startSshd();
    conn = await connect(s);
    tmp = await makeTempDir();
    src = join(tmp.dir, 'src');
    await makeTree(src, sourceSpec());
    source = await snapshot(src);
  });
  afterAll(async () => {
    conn?.close();
    await s?.stop();
    await tmp?.cleanup();
  });

  async function freshDest(name: string) {
    const dst = join(s.dataRoot, name, 'conf');
    await fs.rm(join(s.dataRoot, name), { recursive: true, force: true });
    await makeTree(dst, destSpec());
    return { dst, stateDir: join(s.dataRoot, name, 'state'), before: await snapshot(dst) };
  }

  it('[slow] 10 kills at random moments: every time whole files only, and recover ends in the old or the new tree', async () => {
    // How many progress lines an undisturbed run prints, per transfer kind: a kill lands on a random one
    // of them (so every phase gets its share: transfer, swap, deletions, verification), a few ms after it.
    const span: Record<string, number> = {};
    for (const bulk of [true, false]) {
      const d = await freshDest(`timing-${bulk}`);
      let lines = 0;
      const end = await runChild(s, { src, dst: d.dst, stateDir: d.stateDir, bulk }, (line) => {
        if (line.startsWith('PROGRESS')) lines++;
        return false;
      });
      expect(end.output).toContain('FINISHED completed');
      span[String(bulk)] = lines;
      expect(await snapshot(d.dst)).toEqual(source);
    }
    const outcomes: string[] = [];
    for (let i = 0; i < 10; i++) {
      const bulk = i % 2 === 0;
      const at = Math.floor(Math.random() * ((span[String(bulk)] ?? 10) + 2));
      const delay = Math.floor(Math.random() * 5);
      let seen = 0;
      let where = 'after the end';
      const what = () =>
        `kill #${i} (${bulk ? 'bulk' : 'per-file'}) at progress line ${at} + ${delay} ms (${where})`;
      const d = await freshDest(`kill${i}`);
      const end = await runChild(s, { src, dst: d.dst, stateDir: d.stateDir, bulk }, (line) => {
        if (!line.startsWith('PLANNED') && !line.startsWith('PROGRESS')) return false;
        if (seen++ < at) return false;
        where = line;
        return delay;
      });
      const runId = end.runId ?? '';
      const rootState = rootStateDir(d.stateDir, d.dst);
      const backupDir = backupDirOf(rootState, 'main', runId);
      const c = { dst: d.dst, before: d.before, src, source, backupDirs: [backupDir] };
      // Mid-way: every path holds whole old or whole new bytes, and what changed is backed up.
      await expectNothingLost(c);
      const jp = journalPath(rootState, runId);
      const ssh = new SshEndpoint(conn, { fastPath: bulk });
      let outcome = 'no-journal';
      if (existsSync(jp)) {
        // The killed process's lock is left: the user confirms breaking it.
        const r = await recover(ssh, jp, i % 4 < 2 ? 'complete' : 'rollback', {
          lock: { breakStale: true },
        });
        expect(r.errors, what()).toEqual([]);
        outcome = r.outcome;
      }
      const phase = existsSync(jp)
        ? (JSON.parse(await fs.readFile(jp, 'utf8')) as { phase: string }).phase
        : '-';
      outcomes.push(`${what()}: ${end.killed ? 'killed' : 'finished'}, ${outcome}, journal ${phase}`);
      const after = await expectNothingLost(c);
      const ended = outcome === 'completed' || (outcome === 'nothing-to-do' && phase === 'done');
      expect(after, `${what()}: ${outcome}`).toEqual(ended ? source : d.before);
      expect(await leftovers(d.dst), what()).toEqual([]);
      if (existsSync(jp)) expect(['done', 'rolled-back', 'failed', 'cancelled'], what()).toContain(phase);
    }
    expect(outcomes).toHaveLength(10);
    if (process.env.FAULTS_VERBOSE) console.log(outcomes.join('\n'));
  });
});
