import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { rootStateDir } from '../../src-main/engine/state-dir.js';
import { LocalEndpoint } from '../../src-main/transport/local-endpoint.js';
import type { SshConnection } from '../../src-main/transport/ssh-connection.js';
import { SshEndpoint } from '../../src-main/transport/ssh-endpoint.js';
import { connect, makeTree, type Spec } from '../integration/engine/tree.js';
import { startSshd, type SshdServer } from '../support/sshd.js';
import { makeTempDir } from '../support/temp.js';
import { setImmutable } from '../support/tmpfs.js';
import { planAndApply } from './engine-run.js';
import { expectNothingLost, snapshot } from './nothing-lost.js';

const OLD = 1_600_000_000_000;
const NEW = 1_700_000_000_000;

/** strace on the test sshd and every session process it forks: the server side's own system calls. */
async function traceServer(pid: number, out: string): Promise<{ stop(): Promise<string> }> {
  const child: ChildProcess = spawn(
    'strace',
    [
      '-f',
      '-qq',
      '-y',
      '-e',
      'trace=fsync,fdatasync,syncfs,rename,renameat,renameat2',
      '-o',
      out,
      '-p',
      String(pid),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  // strace says nothing when attached; a moment for it to reach the process.
  await new Promise((r) => setTimeout(r, 500));
  if (child.exitCode !== null) throw new Error(`strace could not attach: ${err}`);
  const closed = new Promise((r) => child.on('close', r));
  let stopped: Promise<string> | null = null;
  return {
    stop() {
      stopped ??= (async () => {
        child.kill('SIGINT');
        await closed;
        return fs.readFile(out, 'utf8');
      })();
      return stopped;
    },
  };
}

describe('durability and true snapshots on a real sshd', () => {
  let s: SshdServer;
  let conn: SshConnection;
  let tmp: { dir: string; cleanup: () => Promise<void> };
  let n = 0;
  const immutable: string[] = [];
  beforeAll(async () => {
    s = await startSshd();
    conn = await connect(s);
    tmp = await makeTempDir();
  });
  afterAll(async () => {
    for (const p of immutable) await setImmutable(p, false).catch(() => undefined);
    conn?.close();
    await s?.stop();
    await tmp?.cleanup();
  });

  /** One apply over a connection opened once strace watches the server (its session is traced from the start). */
  async function tracedApply(c: { src: string; dst: string; stateDir: string }, bulk: boolean) {
    const trace = await traceServer(s.pid, join(tmp.dir, `strace${n}.txt`));
    let traced: SshConnection | undefined;
    try {
      traced = await connect(s);
      const ssh = new SshEndpoint(traced, { fastPath: true });
      const r = await planAndApply(new LocalEndpoint(), c.src, ssh, c.dst, { stateDir: c.stateDir, bulk });
      traced.close();
      traced = undefined;
      const log = await trace.stop();
      if (process.env.FAULTS_VERBOSE) console.log(log);
      return { r, log };
    } finally {
      traced?.close();
      await trace.stop().catch(() => undefined);
    }
  }

  async function setup(files: number) {
    n++;
    const src = join(tmp.dir, `src${n}`);
    const dst = join(s.dataRoot, `dst${n}`);
    const source: Spec = {};
    const dest: Spec = {};
    for (let i = 0; i < files; i++) {
      source[`d${i % 3}/f${i}.conf`] = { content: `new ${i}\n`, mtimeMs: NEW };
      dest[`d${i % 3}/f${i}.conf`] = { content: `old ${i}\n`, mtimeMs: OLD };
    }
    await makeTree(src, source);
    await makeTree(dst, dest);
    const stateDir = join(s.baseDir, `state${n}`);
    return { src, dst, stateDir, before: await snapshot(dst), source: await snapshot(src) };
  }

  it('the server fsyncs each staged file and its folder before the rename that makes it live, and the journal and the backup manifest', async () => {
    const c = await setup(6);
    const { r, log } = await tracedApply(c, false);
    expect(r.status).toBe('completed');
    const lines = log.split('\n');
    const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
    const fsyncOf = (path: string) =>
      at(new RegExp(`fsync\\(\\d+<${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}>\\)`));
    const staging = `${c.dst}/.configsync-staging-${r.runId}`;
    for (let i = 0; i < 6; i++) {
      const rel = `d${i % 3}/f${i}.conf`;
      const synced = fsyncOf(`${staging}/${rel}`);
      const renamed = at(
        new RegExp(
          `rename(at2?)?\\(.*${staging.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/${rel.replace('.', '\\.')}`,
        ),
      );
      expect(synced, `${rel} staged file fsynced`).toBeGreaterThanOrEqual(0);
      expect(renamed, `${rel} renamed into place`).toBeGreaterThan(synced);
      expect(fsyncOf(`${staging}/d${i % 3}`), `${rel}: its staged folder fsynced`).toBeGreaterThanOrEqual(0);
      expect(fsyncOf(`${staging}/d${i % 3}`)).toBeLessThan(renamed);
    }
    const rootState = rootStateDir(c.stateDir, c.dst);
    expect(fsyncOf(`${rootState}/journal/${r.runId}.json.tmp`), 'journal head').toBeGreaterThanOrEqual(0);
    expect(fsyncOf(`${rootState}/journal/${r.runId}.lists.tmp`), 'journal lists').toBeGreaterThanOrEqual(0);
    expect(fsyncOf(`${rootState}/journal`), 'journal folder').toBeGreaterThanOrEqual(0);
    expect(fsyncOf(`${r.backupDir}/manifest.json`), 'backup manifest').toBeGreaterThanOrEqual(0);
    expect(fsyncOf(`${c.dst}/d0`), 'live folder after the swap').toBeGreaterThanOrEqual(0);
    // One journal fsync per phase written: prepared, backed-up, staged, swapping, swapped, done.
    const heads = lines.filter((l) => l.includes(`journal/${r.runId}.json.tmp>`) && /fsync\(/.test(l));
    expect(heads.length).toBeGreaterThanOrEqual(6);
    expect(await snapshot(c.dst)).toEqual(c.source);
  });

  it('many staged files (tar stream) are flushed with one syncfs before the first rename', async () => {
    const c = await setup(120);
    const { r, log } = await tracedApply(c, true);
    expect(r.status).toBe('completed');
    const lines = log.split('\n');
    const syncfs = lines.findIndex((l) => /syncfs\(\d+</.test(l) && l.includes('.configsync-staging-'));
    const firstRename = lines.findIndex(
      (l) => /rename/.test(l) && l.includes(`.configsync-staging-${r.runId}/d`),
    );
    expect(syncfs).toBeGreaterThanOrEqual(0);
    expect(firstRename).toBeGreaterThan(syncfs);
    // The backup was taken in bulk (one cp for the list): copies holding the old bytes, not links.
    expect(lines.filter((l) => l.includes('.configsync-staging-') && /syncfs\(/.test(l))).toHaveLength(1);
    await expectNothingLost({ ...c, backupDirs: [r.backupDir] });
    const { ino, nlink } = await fs.stat(join(r.backupDir ?? '', 'files/d0/f0.conf'));
    expect(nlink).toBe(1);
    expect(ino).not.toBe((await fs.stat(join(c.dst, 'd0/f0.conf'))).ino);
  });

  it('an in-place write to a live file between the backup and the swap leaves the backup with the bytes it took', async () => {
    const c = await setup(4);
    const ssh = new SshEndpoint(conn, { fastPath: true });
    const live = join(c.dst, 'd1/f1.conf');
    let written = false;
    const writeFile = ssh.writeFile.bind(ssh);
    // The first staged file is written after the backup: the live file is then rewritten in place,
    // same size, mtime put back (an editor or `dd conv=notrunc`), so no stale check can see it.
    ssh.writeFile = async (path, data, mode) => {
      if (!written && path.includes('.configsync-staging-')) {
        written = true;
        const fh = await fs.open(live, 'r+');
        await fh.write(Buffer.from('OLD'), 0, 3, 0);
        await fh.close();
        await fs.utimes(live, OLD / 1000, OLD / 1000);
      }
      return writeFile(path, data, mode);
    };
    const r = await planAndApply(new LocalEndpoint(), c.src, ssh, c.dst, {
      stateDir: c.stateDir,
      bulk: false,
    });
    expect(written).toBe(true);
    expect(r.status).toBe('completed');
    // The backup still holds what it copied (a hard link would now hold "OLD 1").
    expect(await fs.readFile(join(r.backupDir ?? '', 'files/d1/f1.conf'), 'utf8')).toBe('old 1\n');
    await expectNothingLost({ ...c, backupDirs: [r.backupDir] });
    const { ino } = await fs.stat(join(r.backupDir ?? '', 'files/d0/f0.conf'));
    expect(ino).not.toBe((await fs.stat(join(c.dst, 'd0/f0.conf'))).ino);
  });

  it('a run whose pruning of old backups fails is reported completed, with a warning', async () => {
    const c = await setup(3);
    const setDir = join(rootStateDir(c.stateDir, c.dst), 'backups/main');
    const old = join(setDir, '20000101T000000000Z-aaaaaa');
    await fs.mkdir(old, { recursive: true });
    await fs.writeFile(join(old, 'manifest.json'), '{}');
    await setImmutable(join(old, 'manifest.json'), true);
    immutable.push(join(old, 'manifest.json'));
    const r = await planAndApply(
      new LocalEndpoint(),
      c.src,
      new SshEndpoint(conn, { fastPath: true }),
      c.dst,
      {
        stateDir: c.stateDir,
        keepRuns: 1,
      },
    );
    expect(r.status).toBe('completed');
    expect(r.verified).toBe(true);
    expect(r.applied).toHaveLength(3);
    expect(r.warnings?.[0]?.message).toMatch(/could not be pruned/);
    expect(await snapshot(c.dst)).toEqual(c.source);
  });
});
