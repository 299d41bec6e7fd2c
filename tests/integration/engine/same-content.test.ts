import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { apply } from '../../../src-main/engine/apply.js';
import { restoreBackup } from '../../../src-main/engine/backup.js';
import { readJournal, writeJournal } from '../../../src-main/engine/journal.js';
import { plan } from '../../../src-main/engine/plan.js';
import { recover } from '../../../src-main/engine/recover.js';
import { settleSameContent } from '../../../src-main/engine/same-content.js';
import { scan } from '../../../src-main/engine/scan.js';
import { LocalEndpoint } from '../../../src-main/transport/local-endpoint.js';
import type { SshConnection } from '../../../src-main/transport/ssh-connection.js';
import { SshEndpoint } from '../../../src-main/transport/ssh-endpoint.js';
import type { Plan } from '../../../src-shared/model/sync.js';
import { makeTempDir } from '../../support/temp.js';
import { startSshd, type SshdServer } from '../../support/sshd.js';
import { connect, makeTree, snapshot, type Spec } from './tree.js';

const OLD = 1_600_000_000_000;
/** A whole second: what a tree touched at once, or unpacked from an archive, has. */
const TOUCHED = 1_700_000_000_000;
/** More files sharing one time than one `touch` command line takes, and enough that verify lists the tree (it stats a few paths one by one). */
const SHARED = 300;

/** A name a shell command line must quote. */
const ODD = `d0/-it's a "name" $(x).conf`;

function tree(): Spec {
  const spec: Spec = {};
  for (let i = 0; i < SHARED; i++)
    spec[`d${i % 5}/f${String(i).padStart(3, '0')}.conf`] = {
      content: `line ${i}\n`.repeat(9),
      mtimeMs: OLD,
    };
  spec[ODD] = { content: 'odd\n', mtimeMs: OLD };
  spec['few/a.conf'] = { content: 'a\n', mtimeMs: OLD };
  spec['few/b.conf'] = { content: 'b\n', mtimeMs: OLD };
  spec['edited.conf'] = { content: 'same size 1\n', mtimeMs: OLD };
  spec['mode.conf'] = { content: 'mode\n', mode: 0o644, mtimeMs: OLD };
  return spec;
}

/** `rsync -anci --delete`: what differs between two trees (the roots' own times left out). */
function rsyncDiff(from: string, to: string): string {
  return execFileSync('rsync', ['-anci', '--delete', `${from}/`, `${to}/`], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l && !/^\.d\.\.t\.+ \.\/$/.test(l))
    .join('\n');
}

const inode = async (p: string) => (await fs.stat(p)).ino;
const mtime = async (p: string) => (await fs.stat(p)).mtimeMs;

describe('files whose only difference is their modified time (real sshd)', () => {
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

  /** Both sides alike, then the source touched (every file but one) and two files really changed. */
  async function setup() {
    n++;
    const src = join(tmp.dir, `src${n}`);
    const dst = join(s.dataRoot, `dst${n}`);
    await makeTree(src, tree());
    await makeTree(dst, tree());
    const touched = [
      ...Array.from({ length: SHARED }, (_, i) => `d${i % 5}/f${String(i).padStart(3, '0')}.conf`),
      ODD,
      'few/a.conf',
    ];
    for (const p of touched) await fs.utimes(join(src, p), TOUCHED / 1000, TOUCHED / 1000);
    // Same size, other content: written as ever. Another mode: written as ever.
    await fs.writeFile(join(src, 'edited.conf'), 'same size 2\n');
    await fs.utimes(join(src, 'edited.conf'), TOUCHED / 1000, TOUCHED / 1000);
    await fs.chmod(join(src, 'mode.conf'), 0o600);
    await fs.utimes(join(src, 'mode.conf'), TOUCHED / 1000, TOUCHED / 1000);
    // Folders alike on both sides (made a moment apart, their times would differ).
    for (const root of [src, dst])
      for (const d of ['d0', 'd1', 'd2', 'd3', 'd4', 'few', ''])
        await fs.utimes(join(root, d), OLD / 1000, OLD / 1000);
    const inodes = new Map<string, number>();
    for (const p of [...touched, 'edited.conf', 'mode.conf']) inodes.set(p, await inode(join(dst, p)));
    return {
      src,
      dst,
      touched,
      inodes,
      stateDir: join(s.dataRoot, `state${n}`),
      before: await snapshot(dst),
    };
  }

  async function planned(c: Awaited<ReturnType<typeof setup>>, ssh: SshEndpoint): Promise<Plan> {
    const local = new LocalEndpoint();
    const destIndex = await scan(ssh, c.dst);
    const p = plan(await scan(local, c.src), destIndex, {
      mode: 'mirror',
      compare: 'time-size',
      toleranceMs: 0,
    });
    return settleSameContent(p, local, ssh, destIndex.canSetOwners === true);
  }

  it('the plan marks them (hashed on both sides) and copies nothing for them; the run records their old times in its backup (no copy), sets the new ones in place (same inodes) and writes the others; rsync then finds no difference', async () => {
    const c = await setup();
    const ssh = new SshEndpoint(conn, { fastPath: true });
    const p = await planned(c, ssh);
    const same = p.entries.filter((e) => e.sameContent).map((e) => e.path);
    expect(same.sort()).toEqual([...c.touched].sort());
    for (const e of p.entries.filter((x) => x.sameContent))
      expect(e.reason).toMatch(/same content \(SHA-256\): only the modified time is set/);
    const written = p.entries.filter((e) => e.action === 'update' && !e.sameContent).map((e) => e.path);
    expect(written.sort()).toEqual(['edited.conf', 'mode.conf']);
    expect(p.summary.bytesToCopy).toBe('same size 2\n'.length + 'mode\n'.length);
    expect(p.summary.bytesToBackUp).toBe('same size 1\n'.length + 'mode\n'.length);
    expect(p.summary.counts.update).toBe(c.touched.length + 2);

    // Sharing one time, they are set by a few commands (a few chunks), not one request each.
    const shared: string[] = [];
    const setSharedTimes = ssh.setSharedTimes.bind(ssh);
    ssh.setSharedTimes = async (groups) => {
      shared.push(...groups.flatMap((g) => g.paths));
      return setSharedTimes(groups);
    };
    const one: string[] = [];
    const setAttrs = ssh.setAttrs.bind(ssh);
    ssh.setAttrs = async (path, attrs) => {
      one.push(path);
      return setAttrs(path, attrs);
    };
    const r = await apply(p, new LocalEndpoint(), ssh, {
      stateDir: c.stateDir,
      runId: `same-${n}`,
      setName: 'main',
    });
    expect(r.status, r.message).toBe('completed');
    expect(shared.sort()).toEqual(c.touched.map((x) => join(c.dst, x)).sort());
    expect(one.filter((x) => shared.includes(x))).toEqual([]);
    // Folders in which the run only set times (nothing renamed in) are read back as the source has
    // them and are not set again; the root (where the staging folder was) is.
    const folders = ['d0', 'd1', 'd2', 'd3', 'd4', 'few'].map((d) => join(c.dst, d));
    expect(one.filter((x) => folders.includes(x))).toEqual([]);
    expect(one).toContain(c.dst);
    expect(r.timesSet).toBe(c.touched.length);
    expect(r.filesWritten).toBe(2);
    expect(r.applied.length).toBe(c.touched.length + 2);
    expect(rsyncDiff(c.src, c.dst)).toBe('');
    for (const path of c.touched) {
      expect(await inode(join(c.dst, path)), path).toBe(c.inodes.get(path));
      expect(await mtime(join(c.dst, path)), path).toBe(TOUCHED);
    }
    expect(await inode(join(c.dst, 'edited.conf'))).not.toBe(c.inodes.get('edited.conf'));
    // The backup holds a copy of each file the run wrote, as it found it; of the others, their time
    // (the run did not change their content).
    const backup = join(r.backupDir ?? '', 'files');
    for (const path of ['edited.conf', 'mode.conf']) expect(await mtime(join(backup, path)), path).toBe(OLD);
    for (const path of c.touched) await expect(fs.stat(join(backup, path)), path).rejects.toThrow(/ENOENT/);
    const manifest = JSON.parse(await fs.readFile(join(r.backupDir ?? '', 'manifest.json'), 'utf8')) as {
      entries: Array<{ path: string; mtimeMs: number; timeOnly?: true }>;
    };
    const timeOnly = manifest.entries.filter((e) => e.timeOnly);
    expect(timeOnly.map((e) => e.path).sort()).toEqual([...c.touched].sort());
    expect(timeOnly.every((e) => e.mtimeMs === OLD)).toBe(true);

    // Restored, the times are the old ones again, and so is everything else.
    const back = await restoreBackup(ssh, r.backupDir ?? '');
    expect(back.errors).toEqual([]);
    expect(back.left).toEqual([]);
    expect(await snapshot(c.dst)).toEqual(c.before);
    for (const path of c.touched) expect(await mtime(join(c.dst, path)), path).toBe(OLD);
  });

  it('a restore leaves a file edited since the run, even with overwrite (its backup holds only its time), and sets the others back', async () => {
    const c = await setup();
    const ssh = new SshEndpoint(conn, { fastPath: true });
    const r = await apply(await planned(c, ssh), new LocalEndpoint(), ssh, {
      stateDir: c.stateDir,
      runId: `same-${n}`,
      setName: 'main',
    });
    expect(r.status, r.message).toBe('completed');
    const edited = join(c.dst, 'few/a.conf');
    await fs.writeFile(edited, 'A\n');
    for (const overwrite of [false, true]) {
      const back = await restoreBackup(ssh, r.backupDir ?? '', { overwrite });
      expect(back.errors).toEqual([]);
      expect(back.left.map((l) => l.path)).toEqual(['few/a.conf']);
      if (overwrite) expect(back.left[0]?.message).toMatch(/the backup holds only its modified time/);
      expect(await fs.readFile(edited, 'utf8')).toBe('A\n');
      for (const path of c.touched.filter((x) => x !== 'few/a.conf'))
        expect(await mtime(join(c.dst, path)), path).toBe(OLD);
    }
  });

  it('a source file touched again after the plan stops the run before anything changes', async () => {
    const c = await setup();
    const ssh = new SshEndpoint(conn, { fastPath: true });
    const p = await planned(c, ssh);
    await fs.utimes(join(c.src, 'few/a.conf'), TOUCHED / 1000 + 60, TOUCHED / 1000 + 60);
    const r = await apply(p, new LocalEndpoint(), ssh, {
      stateDir: c.stateDir,
      runId: `same-${n}`,
      setName: 'main',
    });
    expect(r.status).toBe('failed');
    expect(r.code).toBe('SOURCE_CHANGED');
    expect(r.message).toMatch(/"few\/a.conf" changed on the source/);
    expect(r.applied).toEqual([]);
    expect(await snapshot(c.dst)).toEqual(c.before);
    for (const path of c.touched) expect(await mtime(join(c.dst, path)), path).toBe(OLD);
  });

  it('a file compared by checksum whose content changed after the plan (size and time kept) stops the run before anything changes', async () => {
    const c = await setup();
    const ssh = new SshEndpoint(conn, { fastPath: true });
    const local = new LocalEndpoint();
    const p = plan(await scan(local, c.src, { hash: true }), await scan(ssh, c.dst, { hash: true }), {
      mode: 'mirror',
      compare: 'checksum',
      toleranceMs: 0,
    });
    const edited = p.entries.find((e) => e.path === 'edited.conf');
    expect(edited?.source?.hash).toMatch(/^[0-9a-f]{64}$/);
    // What a tool that keeps times (cp -p, rsync -t) leaves: other bytes, same size and mtime.
    const file = join(c.src, 'edited.conf');
    const st = await fs.stat(file);
    await fs.writeFile(file, 'same size 3\n');
    await fs.utimes(file, st.atime, st.mtime);
    const r = await apply(p, local, ssh, { stateDir: c.stateDir, runId: `same-${n}`, setName: 'main' });
    expect(r.status).toBe('failed');
    expect(r.code).toBe('SOURCE_CHANGED');
    expect(r.message).toMatch(/"edited.conf" changed on the source .*not the one compared/);
    expect(r.applied).toEqual([]);
    expect(await snapshot(c.dst)).toEqual(c.before);
  });

  it('a run stopped while setting times is completed by recover (every time set) or rolled back (every time as it was); a file edited since is left as it is', async () => {
    for (const prefer of ['complete', 'rollback'] as const) {
      const c = await setup();
      const ssh = new SshEndpoint(conn, { fastPath: true });
      const p = await planned(c, ssh);
      const runId = `same-${n}`;
      const r = await apply(p, new LocalEndpoint(), ssh, { stateDir: c.stateDir, runId, setName: 'main' });
      expect(r.status, r.message).toBe('completed');
      // As if the run had stopped half-way through the times: the journal says swapping, half of
      // the touched files still have their old time, and someone has edited one of them since.
      const journalPath = join(s.dataRoot, `state${n}`);
      const found = execFileSync('find', [journalPath, '-name', `${runId}.json`], {
        encoding: 'utf8',
      }).trim();
      await writeJournal(ssh, found, { ...(await readJournal(ssh, found)), phase: 'swapping' });
      const half = c.touched.filter((_p, i) => i % 2 === 0);
      for (const path of half) await fs.utimes(join(c.dst, path), OLD / 1000, OLD / 1000);
      const edited = c.touched[1] as string;
      await fs.appendFile(join(c.dst, edited), 'edited by hand\n');
      const out = await recover(ssh, found, prefer);
      expect(out.outcome).toBe(prefer === 'complete' ? 'completed' : 'rolled-back');
      expect((out.left ?? []).map((l) => l.path)).toEqual([edited]);
      expect(await fs.readFile(join(c.dst, edited), 'utf8')).toMatch(/edited by hand\n$/);
      for (const path of c.touched.filter((x) => x !== edited))
        expect(await mtime(join(c.dst, path)), `${prefer} ${path}`).toBe(
          prefer === 'complete' ? TOUCHED : OLD,
        );
    }
  });
});
