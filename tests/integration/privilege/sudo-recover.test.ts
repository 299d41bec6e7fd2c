import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { compose, type ComposedApp } from '../../../src-main/compose.js';
import type { Privilege } from '../../../src-main/transport/remote-command.js';
import { rpc } from '../../support/app.js';
import { applyAsAndKillMidSwap } from '../../support/killed-apply-as.js';
import { startSshd, type SshdServer } from '../../support/sshd.js';
import {
  connectAs,
  ensureSudoAccounts,
  HARDENED_SSHD,
  SERVICE_ACCOUNT,
  SUDO_ACCOUNTS,
  SUDO_PASSWORD,
} from '../../support/sudo-accounts.js';
import { makeTempDir } from '../../support/temp.js';

const run = promisify(execFile);
const FILES = 30;

/** path → "uid:gid mode content" of the root itself ('.') and every file and folder below it. */
async function owned(root: string): Promise<Record<string, string>> {
  const head = async (p: string) => {
    const st = await fs.lstat(p);
    return `${st.uid}:${st.gid} ${(st.mode & 0o7777).toString(8)}`;
  };
  const out: Record<string, string> = { '.': `${await head(root)} dir` };
  const walk = async (dir: string, rel: string): Promise<void> => {
    for (const name of (await fs.readdir(dir)).sort()) {
      const full = join(dir, name);
      const r = rel ? `${rel}/${name}` : name;
      const st = await fs.lstat(full);
      if (st.isDirectory()) {
        out[r] = `${await head(full)} dir`;
        await walk(full, r);
      } else out[r] = `${await head(full)} ${await fs.readFile(full, 'utf8')}`;
    }
  };
  await walk(root, '');
  return out;
}

/** A root-only tree (0700) with root's files and a service account's folder and files in it. */
async function writeSource(root: string, version: string): Promise<void> {
  await fs.mkdir(join(root, 'svc'), { recursive: true });
  await fs.chmod(root, 0o700);
  await fs.chmod(join(root, 'svc'), 0o750);
  for (let i = 0; i < FILES; i++) {
    const n = String(i).padStart(2, '0');
    await fs.writeFile(join(root, `root-${n}.conf`), `root ${n} ${version}\n`, { mode: 0o600 });
    await fs.writeFile(join(root, 'svc', `svc-${n}.conf`), `service ${n} ${version}\n`, { mode: 0o640 });
  }
  await run('chown', ['-R', `${SERVICE_ACCOUNT}:${SERVICE_ACCOUNT}`, join(root, 'svc')]);
}

// A server without root login, reached as an ordinary user with NOPASSWD sudo and as one with password
// sudo: a run through sudo is killed mid-swap, and the app recovers it through sudo, completing it or
// rolling it back, with owners and modes as they must be afterwards.
describe('recover through sudo of a run killed mid-swap (NOPASSWD sudo and password sudo)', () => {
  let primary: SshdServer;
  let secondary: SshdServer;
  let app: ComposedApp;
  let tmp: { dir: string; cleanup: () => Promise<void> };
  let setId: string;
  const ids: Record<string, string> = {};
  const src = () => join(primary.dataRoot, 'etc-app');
  const dsts = () => ({
    nopasswd: join(secondary.dataRoot, 'etc-app-nopw'),
    password: join(secondary.dataRoot, 'etc-app-pw'),
  });
  const kinds = ['nopasswd', 'password'] as const;
  const privilege = (k: (typeof kinds)[number]): Privilege =>
    k === 'password' ? { sudo: true, password: SUDO_PASSWORD } : { sudo: true };
  const passwords = () => ({ [ids.password as string]: SUDO_PASSWORD });

  beforeAll(async () => {
    await ensureSudoAccounts();
    [primary, secondary] = await Promise.all([startSshd(), startSshd(HARDENED_SSHD)]);
    for (const user of [SUDO_ACCOUNTS.nopasswd, SUDO_ACCOUNTS.password])
      (await connectAs(secondary, user)).close();
    tmp = await makeTempDir('configsync-sudo-recover-');
    app = compose({ dataDir: join(tmp.dir, 'store'), shell: 'cli', log: () => undefined });
    await writeSource(src(), 'v1');
    for (const d of Object.values(dsts())) {
      await fs.mkdir(d, { recursive: true, mode: 0o700 });
      await fs.chmod(d, 0o700);
    }
    const add = async (
      name: string,
      s: SshdServer,
      user: string,
      role: 'primary' | 'secondary',
      root: string,
      sudo?: { askPassword: boolean },
    ) => {
      const { id } = await rpc(app, 'servers.add', {
        server: {
          name,
          host: s.host,
          port: s.port,
          user,
          role,
          contactTimeoutSec: 10,
          vars: { APP: root },
          auth: { kind: 'key-file', path: s.clientKey.privateKeyPath },
          ...(sudo ? { sudo } : {}),
        },
      });
      await rpc(app, 'servers.trustHostKey', { id, fingerprint: s.hostKeyFingerprint });
      return id;
    };
    await add('primary', primary, primary.user, 'primary', src());
    ids.nopasswd = await add('nopw', secondary, SUDO_ACCOUNTS.nopasswd, 'secondary', dsts().nopasswd, {
      askPassword: false,
    });
    ids.password = await add('pw', secondary, SUDO_ACCOUNTS.password, 'secondary', dsts().password, {
      askPassword: true,
    });
    await rpc(app, 'servers.commit', {});
    setId = (await rpc(app, 'sets.save', { set: { name: 'app', items: [{ path: '${APP}' }] } })).set.id;
  }, 60_000);
  afterAll(async () => {
    await app?.dispose();
    await Promise.all([primary?.stop(), secondary?.stop()]);
    await tmp?.cleanup();
  });

  /** Kills a run of the current source to each destination mid-swap, through that login's sudo. */
  const killBoth = async () => {
    const source = await owned(src());
    for (const k of kinds) {
      const before = await owned(dsts()[k]);
      await applyAsAndKillMidSwap(secondary, {
        user: SUDO_ACCOUNTS[k],
        privilege: privilege(k),
        src: src(),
        dst: dsts()[k],
        bulk: true,
      });
      // Part old, part new: the run was stopped between two renames.
      const mid = await owned(dsts()[k]);
      const files = Object.keys(source).filter((p) => !source[p]?.endsWith(' dir'));
      expect(files.filter((p) => mid[p] === source[p]).length, k).toBeGreaterThan(0);
      expect(files.filter((p) => mid[p] === before[p]).length, k).toBeGreaterThan(1);
    }
    // The app sees the interrupted runs and plans nothing until they are recovered.
    const plan = await rpc(app, 'sync.plan', { setId, sudoPasswords: passwords() });
    expect(plan.targets.map((t) => [t.ok, t.code])).toEqual([
      [false, 'INTERRUPTED_RUN'],
      [false, 'INTERRUPTED_RUN'],
    ]);
  };

  it('syncs the root-only tree with its owners and modes through sudo', async () => {
    const plan = await rpc(app, 'sync.plan', { setId, sudoPasswords: passwords() });
    expect(plan.targets.map((t) => t.ok)).toEqual([true, true]);
    const { runId } = await rpc(app, 'sync.apply', { planId: plan.planId });
    const record = await rpc(app, 'sync.wait', { runId });
    expect(record.reports.map((r) => r.status)).toEqual(['completed', 'completed']);
    for (const k of kinds) expect(await owned(dsts()[k]), k).toEqual(await owned(src()));
  });

  it('recover (complete) through sudo puts the rest in place, with owners and modes', async () => {
    await writeSource(src(), 'v2');
    await killBoth();
    // Without its sudo password the password account's recover is refused, and nothing moves.
    const mid = await owned(dsts().password);
    await expect(
      rpc(app, 'sync.recover', { serverId: ids.password as string, mode: 'complete', breakLock: true }),
    ).rejects.toMatchObject({ code: 'SUDO_PASSWORD_NEEDED' });
    expect(await owned(dsts().password)).toEqual(mid);
    for (const k of kinds) {
      const r = await rpc(app, 'sync.recover', {
        serverId: ids[k] as string,
        mode: 'complete',
        breakLock: true,
        ...(k === 'password' ? { sudoPasswords: passwords() } : {}),
      });
      expect(
        r.recovered.map((x) => [x.outcome, x.errors, x.left ?? []]),
        k,
      ).toEqual([['completed', [], []]]);
      expect(await owned(dsts()[k]), k).toEqual(await owned(src()));
      const st = await fs.stat(join(dsts()[k], 'svc', 'svc-00.conf'));
      expect(st.uid, k).not.toBe(0);
      expect(await fs.readdir(dsts()[k]), k).not.toContainEqual(expect.stringMatching(/configsync/));
    }
  });

  it('recover (roll back) through sudo puts back what the run replaced, with owners and modes', async () => {
    const before = { nopasswd: await owned(dsts().nopasswd), password: await owned(dsts().password) };
    await writeSource(src(), 'v3');
    // The run also changes owners and modes: a root file becomes the service account's, and 0644.
    await run('chown', [`${SERVICE_ACCOUNT}:${SERVICE_ACCOUNT}`, join(src(), 'root-05.conf')]);
    await fs.chmod(join(src(), 'root-05.conf'), 0o644);
    await killBoth();
    for (const k of kinds) {
      const r = await rpc(app, 'sync.recover', {
        serverId: ids[k] as string,
        mode: 'rollback',
        breakLock: true,
        ...(k === 'password' ? { sudoPasswords: passwords() } : {}),
      });
      expect(
        r.recovered.map((x) => [x.outcome, x.errors, x.left ?? []]),
        k,
      ).toEqual([['rolled-back', [], []]]);
      expect(await owned(dsts()[k]), k).toEqual(before[k]);
    }
    // Recovered: the app plans again, and sees the v3 changes to make: every file, and the one folder
    // whose mtime the roll-back's renames changed (an intended difference after a restore, in the README).
    const plan = await rpc(app, 'sync.plan', { setId, sudoPasswords: passwords() });
    for (const t of plan.targets) {
      expect(t.ok).toBe(true);
      const { entries } = await rpc(app, 'sync.entries', {
        planId: plan.planId,
        targetId: t.targetId,
        actions: ['update'],
        limit: 1000,
      });
      const files = entries.filter((e) => e.source?.type === 'file').map((e) => e.path);
      expect(files).toHaveLength(2 * FILES);
      expect(entries.filter((e) => e.source?.type !== 'file').map((e) => [e.path, e.reason])).toEqual([
        ['svc', expect.stringMatching(/mtime|time/)],
      ]);
    }
  });

  it('leaves the sudo password in no file the app or the servers wrote', async () => {
    const places = [
      join(tmp.dir, 'store'),
      primary.baseDir,
      secondary.baseDir,
      `/home/${SUDO_ACCOUNTS.password}`,
      `/home/${SUDO_ACCOUNTS.nopasswd}`,
    ];
    const r = await run('grep', ['-rlaF', '--', SUDO_PASSWORD, ...places]).catch(
      (err: { code?: number; stdout?: string }) => ({ stdout: err.stdout ?? '', code: err.code }),
    );
    expect(r.stdout).toBe('');
    expect((r as { code?: number }).code).toBe(1);
  });
});
