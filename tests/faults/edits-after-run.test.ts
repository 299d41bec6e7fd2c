import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { backupDirOf, restoreBackup } from '../../src-main/engine/backup.js';
import { journalPath } from '../../src-main/engine/journal.js';
import { recover } from '../../src-main/engine/recover.js';
import { rootStateDir } from '../../src-main/engine/state-dir.js';
import type { SshConnection } from '../../src-main/transport/ssh-connection.js';
import { SshEndpoint } from '../../src-main/transport/ssh-endpoint.js';
import { connect, makeTree, type Spec } from '../integration/engine/tree.js';
import { applyAndKillMidSwap } from '../support/killed-apply.js';
import { startSshd, type SshdServer } from '../support/sshd.js';
import { makeTempDir } from '../support/temp.js';
import { expectNothingLost, leftovers, snapshot } from './nothing-lost.js';

const OLD = 1_600_000_000_000;
const NEW = 1_700_000_000_000;
const BREAK = { lock: { breakStale: true } } as const;

// A sync killed mid-swap, then an admin fixes the secondary by hand: one file the run had not reached
// yet is replaced the usual way (new file renamed over it, as vim, sed -i and Ansible do), one the run
// had already put in place is appended to in place. Recover and restore must leave both edits alone.
describe('edits made on a destination after a run, then recover and restore', () => {
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

  async function killedWithEdits() {
    n++;
    const src = join(tmp.dir, `src${n}`);
    const dst = join(s.dataRoot, `dst${n}`);
    const source: Spec = {};
    const dest: Spec = {};
    for (let i = 0; i < 30; i++) {
      source[`f${String(i).padStart(2, '0')}.conf`] = { content: `new ${i}\n`, mtimeMs: NEW };
      dest[`f${String(i).padStart(2, '0')}.conf`] = { content: `old ${i} (longer)\n`, mtimeMs: OLD };
    }
    await makeTree(src, source);
    await makeTree(dst, dest);
    const before = await snapshot(dst);
    const stateDir = join(s.baseDir, `state${n}`);
    await applyAndKillMidSwap(s, { src, dst, stateDir });
    const rootState = rootStateDir(stateDir, dst);
    const [name] = (await fs.readdir(join(rootState, 'journal'))).filter((x) => x.endsWith('.json'));
    const runId = (name ?? '').replace(/\.json$/, '');
    const mid = await snapshot(dst);
    const sourceSnap = await snapshot(src);
    const applied = Object.keys(mid).filter((p) => mid[p] === sourceSnap[p]);
    const pending = Object.keys(mid).filter((p) => mid[p] === before[p]);
    expect(applied.length).toBeGreaterThan(0);
    expect(pending.length).toBeGreaterThan(1);
    const renamed = pending[pending.length - 1] ?? '';
    const inPlace = applied[0] ?? '';
    // The edit by rename: a new inode over the old name.
    await fs.writeFile(join(dst, `${renamed}.new`), 'fixed by the admin\n');
    await fs.rename(join(dst, `${renamed}.new`), join(dst, renamed));
    // The edit in place: same inode, more bytes.
    await fs.appendFile(join(dst, inPlace), 'appended in place\n');
    const edited = await snapshot(dst);
    return {
      src,
      dst,
      before,
      source: sourceSnap,
      runId,
      rootState,
      renamed,
      inPlace,
      edited,
      backupDir: backupDirOf(rootState, 'main', runId),
      ssh: new SshEndpoint(conn, { fastPath: true }),
    };
  }

  it('recover (complete) leaves both edits as they are and lists the one it would have replaced; restore then leaves both too', async () => {
    const c = await killedWithEdits();
    const r = await recover(c.ssh, journalPath(c.rootState, c.runId), 'complete', BREAK);
    expect(r.outcome).toBe('completed');
    expect(r.errors).toEqual([]);
    expect(r.left?.map((l) => l.path)).toEqual([c.renamed]);
    expect(r.left?.[0]?.message).toMatch(/left as it is: changed since the run/);
    const after = await snapshot(c.dst);
    expect(after[c.renamed]).toBe(c.edited[c.renamed]);
    expect(after[c.inPlace]).toBe(c.edited[c.inPlace]);
    for (const p of Object.keys(c.source))
      if (p !== c.renamed && p !== c.inPlace) expect(after[p], p).toBe(c.source[p]);
    await expectNothingLost({
      ...c,
      before: {
        ...c.before,
        [c.renamed]: c.edited[c.renamed] as string,
        [c.inPlace]: c.edited[c.inPlace] as string,
      },
      backupDirs: [c.backupDir],
    });
    expect(await leftovers(c.dst)).toEqual([]);

    // Restore the run: everything it wrote goes back to the old bytes, except the two edited paths.
    const restoreDir = backupDirOf(c.rootState, 'main', `${c.runId}-restore`);
    const back = await restoreBackup(c.ssh, c.backupDir, {
      expect: 'left',
      backUpTo: { dir: restoreDir, runId: `${c.runId}-restore`, setName: 'main' },
    });
    expect(back.errors).toEqual([]);
    expect(back.left.map((l) => l.path).sort()).toEqual([c.inPlace, c.renamed].sort());
    const restored = await snapshot(c.dst);
    for (const p of Object.keys(c.before))
      expect(restored[p], p).toBe(p === c.renamed || p === c.inPlace ? c.edited[p] : c.before[p]);
    // What the restore replaced (the run's new bytes) is in the restore's own backup.
    const saved = await snapshot(join(restoreDir, 'files'), () => false);
    for (const p of Object.keys(c.source))
      if (p !== c.renamed && p !== c.inPlace) expect(saved[p], p).toBe(c.source[p]);

    // The user chooses to overwrite: the edits are replaced, and first backed up.
    const forcedDir = backupDirOf(c.rootState, 'main', `${c.runId}-forced`);
    const forced = await restoreBackup(c.ssh, c.backupDir, {
      expect: 'left',
      overwrite: true,
      backUpTo: { dir: forcedDir, runId: `${c.runId}-forced`, setName: 'main' },
    });
    expect(forced.left).toEqual([]);
    expect(forced.errors).toEqual([]);
    const now = await snapshot(c.dst);
    expect(now[c.inPlace]).toBe(c.before[c.inPlace]);
    const kept = await snapshot(join(forcedDir, 'files'), () => false);
    expect(kept[c.inPlace]).toBe(c.edited[c.inPlace]);
    expect(kept[c.renamed]).toBe(c.edited[c.renamed]);
  });

  it('recover (roll back) leaves both edits as they are and lists them; the rest is back to the old bytes', async () => {
    const c = await killedWithEdits();
    const r = await recover(c.ssh, journalPath(c.rootState, c.runId), 'rollback', BREAK);
    expect(r.outcome).toBe('rolled-back');
    expect(r.errors).toEqual([]);
    expect(r.left?.map((l) => l.path).sort()).toEqual([c.inPlace, c.renamed].sort());
    const after = await snapshot(c.dst);
    for (const p of Object.keys(c.before))
      expect(after[p], p).toBe(p === c.renamed || p === c.inPlace ? c.edited[p] : c.before[p]);
    expect(await leftovers(c.dst)).toEqual([]);
  });

  it('recover (roll back) with overwrite replaces the edits, after backing them up', async () => {
    const c = await killedWithEdits();
    const r = await recover(c.ssh, journalPath(c.rootState, c.runId), 'rollback', {
      ...BREAK,
      overwrite: true,
    });
    expect(r).toMatchObject({ outcome: 'rolled-back', errors: [] });
    expect(await snapshot(c.dst)).toEqual(c.before);
    const kept = await snapshot(join(`${c.backupDir}-overwritten`, 'files'), () => false);
    expect(kept[c.inPlace]).toBe(c.edited[c.inPlace]);
    expect(kept[c.renamed]).toBe(c.edited[c.renamed]);
  });
});
