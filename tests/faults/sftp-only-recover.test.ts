import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, execFileSync } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { compose, type ComposedApp } from '../../src-main/compose.js';
import { rootStateDir } from '../../src-main/engine/state-dir.js';
import { applyAsAndKillMidSwap } from '../support/killed-apply-as.js';
import { startSshd, type SshdServer } from '../support/sshd.js';
import { makeTempDir } from '../support/temp.js';
import { rpc } from '../support/app.js';

const run = promisify(execFile);
const SFTP_USER = 'csyncsftp';
/** The destination root as the chrooted account names it. */
const ROOT = '/home/conf';

/**
 * rsync's itemized differences (contents by checksum, links, modes, times; owners differ by design: the
 * account writes as itself), less the root folder's own time, and with `omitDirTimes` the folders'
 * times (a roll-back or a restore renames into them: a documented difference).
 */
function rsyncDiff(from: string, to: string, omitDirTimes = false): string {
  const extra = omitDirTimes ? ['--omit-dir-times'] : [];
  return execFileSync('rsync', ['-rlptnci', '--delete', ...extra, `${from}/`, `${to}/`], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l !== '' && l !== '.d..t...... ./')
    .join('\n');
}

/** Writes version `v` of the source: 10 folders of 20 files, a few of them only in some versions. */
async function writeSource(root: string, v: number): Promise<void> {
  await rm(root, { recursive: true, force: true });
  for (let d = 0; d < 10; d++) {
    await mkdir(join(root, `d${d}`), { recursive: true });
    for (let f = 0; f < 20; f++) {
      if ((f + v) % 9 === 0) continue; // Present in some versions only: created, or deleted by the run.
      // A size of its own per version: SFTP keeps whole seconds, so two versions written within one
      // second would otherwise look unchanged by size and mtime (as rsync's quick check would say too).
      await writeFile(join(root, `d${d}`, `f${f}.conf`), `d${d} f${f} version ${v}${'.'.repeat(v)}\n`);
    }
  }
  await writeFile(join(root, `only-in-v${v}.conf`), `v${v}\n`);
}

/**
 * An SFTP-only chrooted account (`ForceCommand internal-sftp`): a run killed mid-swap there is
 * recovered (completed, then rolled back) and a run restored, all over SFTP, with the root's lock,
 * journal and backups in the account's own `~/.configsync` inside the chroot.
 */
describe('an SFTP-only chrooted account: a killed run recovered both ways, and a restore', () => {
  let s: SshdServer;
  let chroot: string;
  let tmp: { dir: string; cleanup: () => Promise<void> };
  let app: ComposedApp;
  let id: string;
  let setId: string;
  const src = () => join(tmp.dir, 'src');
  const dest = () => join(chroot, 'home', 'conf');
  /** The root's state folder as seen from here (the chroot's /home is the account's home). */
  const state = () => join(chroot, rootStateDir('/home/.configsync', ROOT));

  beforeAll(async () => {
    await run('id', [SFTP_USER]).catch(() => run('useradd', ['-M', '-s', '/usr/sbin/nologin', SFTP_USER]));
    await run('usermod', ['-p', '*', SFTP_USER]);
    chroot = await mkdtemp('/srv/configsync-chroot-');
    await chmod(chroot, 0o755);
    await mkdir(dest(), { recursive: true });
    const uid = Number((await run('id', ['-u', SFTP_USER])).stdout.trim());
    await chown(join(chroot, 'home'), uid, uid);
    await chown(dest(), uid, uid);
    s = await startSshd({
      extraConfig: [
        `Match User ${SFTP_USER}`,
        `  ChrootDirectory ${chroot}`,
        `  AuthorizedKeysFile ${join(chroot, 'authorized_keys')}`,
        '  ForceCommand internal-sftp -d /home',
      ],
    });
    await writeFile(join(chroot, 'authorized_keys'), `${s.clientKey.publicKey}\n`, { mode: 0o644 });
    tmp = await makeTempDir('configsync-sftponly-recover-');
    await writeSource(src(), 1);
    app = compose({ dataDir: join(tmp.dir, 'store'), shell: 'cli', log: () => undefined });
    id = (
      await rpc(app, 'servers.add', {
        server: {
          name: 'sftp-only',
          host: s.host,
          port: s.port,
          user: SFTP_USER,
          role: 'secondary',
          contactTimeoutSec: 10,
          vars: { CONFIG_ROOT: ROOT },
          auth: { kind: 'key-file', path: s.clientKey.privateKeyPath },
        },
      })
    ).id;
    await rpc(app, 'servers.trustHostKey', { id, fingerprint: s.hostKeyFingerprint });
    await rpc(app, 'servers.edit', { id: 'local', patch: { vars: { CONFIG_ROOT: src() } } });
    await rpc(app, 'servers.setRole', { id: 'local', role: 'primary' });
    await rpc(app, 'servers.commit', {});
    setId = (await rpc(app, 'sets.save', { set: { name: 'app', items: [{ path: '${CONFIG_ROOT}' }] } })).set
      .id;
    // The first copy, by the app (its probe finds no shell: every operation over SFTP).
    const plan = await rpc(app, 'sync.plan', { setId });
    const { runId } = await rpc(app, 'sync.apply', { planId: plan.planId });
    const record = await rpc(app, 'sync.wait', { runId });
    expect(record.reports.map((r) => [r.status, r.fastPath])).toEqual([['completed', false]]);
    expect(rsyncDiff(src(), dest())).toBe('');
  }, 120_000);
  afterAll(async () => {
    await app?.dispose();
    await s?.stop();
    await tmp?.cleanup();
    if (chroot) await rm(chroot, { recursive: true, force: true });
  });

  /** A run of the current source killed after its third rename into place, over SFTP alone. */
  async function killMidSwap(): Promise<void> {
    await applyAsAndKillMidSwap(s, {
      user: SFTP_USER,
      privilege: { sudo: false },
      src: src(),
      dst: ROOT,
      bulk: false,
      sftpOnly: true,
    });
    // The run's lock, journal and backup are where every store looks: the account's ~/.configsync.
    expect(await readdir(state())).toEqual(expect.arrayContaining(['lock', 'journal', 'backups']));
    const plan = await rpc(app, 'sync.plan', { setId });
    expect(plan.targets.map((t) => [t.ok, t.code])).toEqual([[false, 'INTERRUPTED_RUN']]);
  }

  /** The journal heads in the root's state folder, by phase. */
  async function phases(): Promise<string[]> {
    const dir = join(state(), 'journal');
    const names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
    return Promise.all(
      names.map(async (n) => (JSON.parse(await readFile(join(dir, n), 'utf8')) as { phase: string }).phase),
    );
  }

  it('recover (complete) puts the rest in place: the destination is the source', async () => {
    await writeSource(src(), 2);
    await killMidSwap();
    const mid = rsyncDiff(src(), dest());
    expect(mid).not.toBe(''); // part old, part new
    const r = await rpc(app, 'sync.recover', { serverId: id, mode: 'complete', breakLock: true });
    expect(r.recovered.map((x) => [x.outcome, x.errors, x.left ?? []])).toEqual([['completed', [], []]]);
    expect(rsyncDiff(src(), dest())).toBe('');
    expect(await readdir(state())).not.toContain('lock');
    expect((await phases()).at(-1)).toBe('done');
    expect((await readdir(dest())).filter((n) => n.startsWith('.configsync'))).toEqual([]);
  }, 120_000);

  it('recover (roll back) puts back what the run replaced: the destination is as before the run', async () => {
    const before = join(tmp.dir, 'before-rollback');
    execFileSync('cp', ['-a', dest(), before]);
    await writeSource(src(), 3);
    await killMidSwap();
    const r = await rpc(app, 'sync.recover', { serverId: id, mode: 'rollback', breakLock: true });
    expect(r.recovered.map((x) => [x.outcome, x.errors, x.left ?? []])).toEqual([['rolled-back', [], []]]);
    expect(rsyncDiff(before, dest(), true)).toBe('');
    expect(await readdir(state())).not.toContain('lock');
    expect((await phases()).at(-1)).toBe('rolled-back');
  }, 120_000);

  it('a completed run is restored over SFTP from its backup: the destination is as before it', async () => {
    const before = join(tmp.dir, 'before-restore');
    execFileSync('cp', ['-a', dest(), before]);
    const plan = await rpc(app, 'sync.plan', { setId });
    expect(plan.targets.map((t) => t.ok)).toEqual([true]);
    const { runId } = await rpc(app, 'sync.apply', { planId: plan.planId });
    const record = await rpc(app, 'sync.wait', { runId });
    expect(record.reports.map((r) => r.status)).toEqual(['completed']);
    expect(rsyncDiff(src(), dest())).toBe('');
    // Its backup holds a copy of each file it replaced or deleted, and the manifest.
    const backup = join(state(), 'backups', 'app', runId);
    expect(await readdir(backup)).toEqual(expect.arrayContaining(['manifest.json', 'files']));
    const restored = await rpc(app, 'sync.restore', { serverId: id, setName: 'app', runId });
    expect(restored.errors).toEqual([]);
    expect(rsyncDiff(before, dest(), true)).toBe('');
    expect(await readdir(state())).not.toContain('lock');
  }, 120_000);

  it('a validate command cannot run where no command runs: the run says so and changes nothing', async () => {
    const before = join(tmp.dir, 'before-validate');
    execFileSync('cp', ['-a', dest(), before]);
    await writeSource(src(), 4);
    const { set } = await rpc(app, 'sets.save', {
      set: { name: 'validated', items: [{ path: '${CONFIG_ROOT}' }], validateCommand: 'test -f d0/f1.conf' },
    });
    const plan = await rpc(app, 'sync.plan', { setId: set.id });
    const { runId } = await rpc(app, 'sync.apply', { planId: plan.planId });
    const record = await rpc(app, 'sync.wait', { runId });
    expect(record.reports.map((r) => r.status)).toEqual(['failed']);
    expect(record.reports[0]?.message).toMatch(
      /shadow tree for the validate command could not be built.*Nothing was changed/s,
    );
    expect(record.reports[0]?.code).toBe('VALIDATION_FAILED');
    expect(rsyncDiff(before, dest())).toBe('');
  }, 120_000);
});
