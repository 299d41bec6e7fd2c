import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { backupDirOf, readManifest, restoreBackup } from '../../src-main/engine/backup.js';
import { journalPath } from '../../src-main/engine/journal.js';
import { recover } from '../../src-main/engine/recover.js';
import { rootStateDir } from '../../src-main/engine/state-dir.js';
import { LocalEndpoint } from '../../src-main/transport/local-endpoint.js';
import type { SshConnection } from '../../src-main/transport/ssh-connection.js';
import { SshEndpoint } from '../../src-main/transport/ssh-endpoint.js';
import { connect, makeTree, type Spec } from '../integration/engine/tree.js';
import { applyAndKillMidSwap } from '../support/killed-apply.js';
import { startSshd, type SshdServer } from '../support/sshd.js';
import { makeTempDir } from '../support/temp.js';
import { MIRROR, planAndApply } from './engine-run.js';
import { leftovers, snapshot } from './nothing-lost.js';

const OLD = 1_600_000_000_000;
const NEW = 1_700_000_000_000;
const BREAK = { lock: { breakStale: true } } as const;

/**
 * Rewrites the first bytes of `file` in place (same inode, same size) and puts its mtime back, as
 * `sed -i` followed by `touch -r` or an editor writing in place within one timestamp would leave it:
 * nothing but the content tells the edit.
 */
async function editKeepingSizeAndTime(file: string, bytes: string): Promise<void> {
  const st = await fs.stat(file);
  const h = await fs.open(file, 'r+');
  try {
    await h.write(bytes, 0);
  } finally {
    await h.close();
  }
  await fs.utimes(file, st.atime, st.mtime);
  const now = await fs.stat(file);
  expect([now.size, now.mtimeMs, now.ino]).toEqual([st.size, st.mtimeMs, st.ino]);
}

// The journal and manifest record a hash of each file a run wrote (and the backup is a true copy of
// each file it found), so an edit after the run that keeps size and mtime is still an edit: recover
// and restore leave it and list it, or back it up first when the user chooses to overwrite.
describe('edits that keep size and mtime, after a killed run and after a completed one', () => {
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

  async function trees() {
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
    const stateDir = join(s.baseDir, `state${n}`);
    return {
      src,
      dst,
      stateDir,
      before: await snapshot(dst),
      ssh: new SshEndpoint(conn, { fastPath: true }),
    };
  }

  /** A run killed mid-swap, then one path it had put in place and one it had not reached edited. */
  async function killedWithEdits() {
    const t = await trees();
    await applyAndKillMidSwap(s, { src: t.src, dst: t.dst, stateDir: t.stateDir });
    const rootState = rootStateDir(t.stateDir, t.dst);
    const [name] = (await fs.readdir(join(rootState, 'journal'))).filter((x) => x.endsWith('.json'));
    const runId = (name ?? '').replace(/\.json$/, '');
    const source = await snapshot(t.src);
    const mid = await snapshot(t.dst);
    const applied = Object.keys(mid).filter((p) => mid[p] === source[p]);
    const pending = Object.keys(mid).filter((p) => mid[p] === t.before[p]);
    expect(applied.length).toBeGreaterThan(0);
    expect(pending.length).toBeGreaterThan(0);
    const wrote = applied[0] ?? '';
    const notYet = pending[pending.length - 1] ?? '';
    await editKeepingSizeAndTime(join(t.dst, wrote), 'NEW');
    await editKeepingSizeAndTime(join(t.dst, notYet), 'OLD');
    const edited = await snapshot(t.dst);
    expect(edited[wrote]).not.toBe(source[wrote]);
    expect(edited[notYet]).not.toBe(t.before[notYet]);
    return {
      ...t,
      source,
      runId,
      rootState,
      wrote,
      notYet,
      edited,
      backupDir: backupDirOf(rootState, 'main', runId),
    };
  }

  it('the manifest of a run compared by time and size holds the SHA-256 of each file it wrote', async () => {
    const t = await trees();
    const r = await planAndApply(new LocalEndpoint(), t.src, t.ssh, t.dst, { stateDir: t.stateDir });
    expect(r.status).toBe('completed');
    const m = await readManifest(t.ssh, r.backupDir ?? '');
    const want = await new LocalEndpoint().hash(
      t.src,
      (m.after ?? []).map((a) => a.path),
    );
    expect(m.after?.length).toBe(30);
    for (const a of m.after ?? []) expect(a.seen?.hash, a.path).toBe(want.get(a.path));
  });

  it('on an SFTP-only destination, compared by time and size, the manifest holds the SHA-256 of each file as it was sent', async () => {
    const t = await trees();
    const sftpOnly = new SshEndpoint(conn, { fastPath: false });
    const r = await planAndApply(new LocalEndpoint(), t.src, sftpOnly, t.dst, { stateDir: t.stateDir });
    expect(r.status).toBe('completed');
    const m = await readManifest(sftpOnly, r.backupDir ?? '');
    const want = await new LocalEndpoint().hash(
      t.src,
      (m.after ?? []).map((a) => a.path),
    );
    expect(m.after?.length).toBe(30);
    for (const a of m.after ?? []) expect(a.seen?.hash, a.path).toBe(want.get(a.path));
  });

  it('recover (complete) leaves the path it had not reached and lists it; restore then lists both', async () => {
    const c = await killedWithEdits();
    const r = await recover(c.ssh, journalPath(c.rootState, c.runId), 'complete', BREAK);
    expect(r.outcome).toBe('completed');
    expect(r.errors).toEqual([]);
    expect(r.left?.map((l) => l.path)).toEqual([c.notYet]);
    expect(r.left?.[0]?.message).toMatch(/content differs though size and time match/);
    const after = await snapshot(c.dst);
    for (const p of Object.keys(c.source))
      expect(after[p], p).toBe(p === c.wrote || p === c.notYet ? c.edited[p] : c.source[p]);
    expect(await leftovers(c.dst)).toEqual([]);

    const restoreDir = backupDirOf(c.rootState, 'main', `${c.runId}-restore`);
    const back = await restoreBackup(c.ssh, c.backupDir, {
      expect: 'left',
      backUpTo: { dir: restoreDir, runId: `${c.runId}-restore`, setName: 'main' },
    });
    expect(back.errors).toEqual([]);
    expect(back.left.map((l) => l.path).sort()).toEqual([c.notYet, c.wrote].sort());
    const restored = await snapshot(c.dst);
    for (const p of Object.keys(c.before))
      expect(restored[p], p).toBe(p === c.wrote || p === c.notYet ? c.edited[p] : c.before[p]);
  });

  it('recover (roll back) leaves both edits and lists them; with overwrite they are in its backup', async () => {
    const c = await killedWithEdits();
    const r = await recover(c.ssh, journalPath(c.rootState, c.runId), 'rollback', BREAK);
    expect(r.outcome).toBe('rolled-back');
    expect(r.errors).toEqual([]);
    expect(r.left?.map((l) => l.path).sort()).toEqual([c.notYet, c.wrote].sort());
    const after = await snapshot(c.dst);
    for (const p of Object.keys(c.before))
      expect(after[p], p).toBe(p === c.wrote || p === c.notYet ? c.edited[p] : c.before[p]);
    expect(await leftovers(c.dst)).toEqual([]);

    const d = await killedWithEdits();
    const forced = await recover(d.ssh, journalPath(d.rootState, d.runId), 'rollback', {
      ...BREAK,
      overwrite: true,
    });
    expect(forced).toMatchObject({ outcome: 'rolled-back', errors: [] });
    expect(await snapshot(d.dst)).toEqual(d.before);
    const kept = await snapshot(join(`${d.backupDir}-overwritten`, 'files'), () => false);
    expect(kept[d.wrote]).toBe(d.edited[d.wrote]);
    expect(kept[d.notYet]).toBe(d.edited[d.notYet]);
  });

  it('after a completed run, restore leaves the edit and lists it; with overwrite it is in the backup', async () => {
    const t = await trees();
    const r = await planAndApply(new LocalEndpoint(), t.src, t.ssh, t.dst, { stateDir: t.stateDir });
    expect(r.status).toBe('completed');
    const backupDir = r.backupDir ?? '';
    const edited = 'f07.conf';
    await editKeepingSizeAndTime(join(t.dst, edited), 'NEW');
    const mine = await snapshot(t.dst);

    const restoreDir = `${backupDir}-restore`;
    const back = await restoreBackup(t.ssh, backupDir, {
      expect: 'left',
      backUpTo: { dir: restoreDir, runId: 'r-restore', setName: 'main' },
    });
    expect(back.errors).toEqual([]);
    expect(back.left.map((l) => l.path)).toEqual([edited]);
    expect(back.left[0]?.message).toMatch(/content differs though size and time match/);
    const now = await snapshot(t.dst);
    for (const p of Object.keys(t.before)) expect(now[p], p).toBe(p === edited ? mine[p] : t.before[p]);

    const forcedDir = `${backupDir}-forced`;
    const forced = await restoreBackup(t.ssh, backupDir, {
      expect: 'left',
      overwrite: true,
      backUpTo: { dir: forcedDir, runId: 'r-forced', setName: 'main' },
    });
    expect(forced).toMatchObject({ left: [], errors: [] });
    expect(await snapshot(t.dst)).toEqual(t.before);
    const kept = await snapshot(join(forcedDir, 'files'), () => false);
    expect(kept[edited]).toBe(mine[edited]);
  });

  it('on an SFTP-only destination, compared by checksum, the hashes of the plan are recorded and the edit is left', async () => {
    const t = await trees();
    const sftpOnly = new SshEndpoint(conn, { fastPath: false });
    const r = await planAndApply(
      new LocalEndpoint(),
      t.src,
      sftpOnly,
      t.dst,
      { stateDir: t.stateDir },
      { ...MIRROR, compare: 'checksum' },
    );
    expect(r.status).toBe('completed');
    const backupDir = r.backupDir ?? '';
    const m = await readManifest(sftpOnly, backupDir);
    const want = await new LocalEndpoint().hash(
      t.src,
      (m.after ?? []).map((a) => a.path),
    );
    for (const a of m.after ?? []) expect(a.seen?.hash, a.path).toBe(want.get(a.path));
    const edited = 'f11.conf';
    await editKeepingSizeAndTime(join(t.dst, edited), 'NEW');
    const mine = await snapshot(t.dst);
    const back = await restoreBackup(sftpOnly, backupDir, {
      expect: 'left',
      backUpTo: { dir: `${backupDir}-restore`, runId: 'r-restore', setName: 'main' },
    });
    expect(back.errors).toEqual([]);
    expect(back.left.map((l) => l.path)).toEqual([edited]);
    const now = await snapshot(t.dst);
    for (const p of Object.keys(t.before)) expect(now[p], p).toBe(p === edited ? mine[p] : t.before[p]);
  });
});
