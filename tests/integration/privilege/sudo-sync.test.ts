import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, execFileSync } from 'node:child_process';
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { compose, type ComposedApp } from '../../../src-main/compose.js';
import { rpc } from '../../support/app.js';
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

/** path → "uid:gid mode content" of every file and folder below root. */
async function owned(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (dir: string, rel: string): Promise<void> => {
    for (const name of (await fs.readdir(dir)).sort()) {
      const full = join(dir, name);
      const r = rel ? `${rel}/${name}` : name;
      const st = await fs.lstat(full);
      const head = `${st.uid}:${st.gid} ${(st.mode & 0o7777).toString(8)}`;
      if (st.isDirectory()) {
        out[r] = `${head} dir`;
        await walk(full, r);
      } else out[r] = `${head} ${await fs.readFile(full, 'utf8')}`;
    }
  };
  await walk(root, '');
  return out;
}

describe('a sync between two servers without root login, through sudo (NOPASSWD source, password destination)', () => {
  let primary: SshdServer;
  let secondary: SshdServer;
  let app: ComposedApp;
  let tmp: { dir: string; cleanup: () => Promise<void> };
  let ids: { primary: string; secondary: string };
  let setId: string;
  const src = () => join(primary.dataRoot, 'etc-app');
  const dst = () => join(secondary.dataRoot, 'etc-app');

  beforeAll(async () => {
    await ensureSudoAccounts();
    [primary, secondary] = await Promise.all([startSshd(HARDENED_SSHD), startSshd(HARDENED_SSHD)]);
    // Make sshd read authorized_keys as these users (connectAs does it and checks the login works).
    (await connectAs(primary, SUDO_ACCOUNTS.nopasswd)).close();
    (await connectAs(secondary, SUDO_ACCOUNTS.password)).close();
    tmp = await makeTempDir('configsync-sudo-');
    app = compose({ dataDir: join(tmp.dir, 'store'), shell: 'cli', log: () => undefined });
    // A root-only tree with a service account's files in it, which the login users cannot read.
    await fs.mkdir(join(src(), 'svc'), { recursive: true, mode: 0o700 });
    await fs.chmod(src(), 0o700);
    await fs.writeFile(join(src(), 'root.conf'), 'root only\n', { mode: 0o600 });
    await fs.writeFile(join(src(), 'svc', 'svc.conf'), 'service\n', { mode: 0o640 });
    await run('chown', ['-R', `${SERVICE_ACCOUNT}:${SERVICE_ACCOUNT}`, join(src(), 'svc')]);
    await fs.mkdir(dst(), { recursive: true, mode: 0o700 });
    await fs.writeFile(join(dst(), 'root.conf'), 'old\n', { mode: 0o600 });
    const add = async (
      name: string,
      s: SshdServer,
      user: string,
      role: 'primary' | 'secondary',
      askPassword: boolean,
    ) => {
      const { id } = await rpc(app, 'servers.add', {
        server: {
          name,
          host: s.host,
          port: s.port,
          user,
          role,
          contactTimeoutSec: 10,
          vars: { APP: join(s.dataRoot, 'etc-app') },
          auth: { kind: 'key-file', path: s.clientKey.privateKeyPath },
          sudo: { askPassword },
        },
      });
      await rpc(app, 'servers.trustHostKey', { id, fingerprint: s.hostKeyFingerprint });
      return id;
    };
    ids = {
      primary: await add('primary', primary, SUDO_ACCOUNTS.nopasswd, 'primary', false),
      secondary: await add('secondary', secondary, SUDO_ACCOUNTS.password, 'secondary', true),
    };
    await rpc(app, 'servers.commit', {});
    setId = (await rpc(app, 'sets.save', { set: { name: 'app', items: [{ path: '${APP}' }] } })).set.id;
  }, 60_000);
  afterAll(async () => {
    await app?.dispose();
    await Promise.all([primary?.stop(), secondary?.stop()]);
    await tmp?.cleanup();
  });

  it('refuses in words, before anything is written, without the password or with a wrong one', async () => {
    for (const [passwords, code] of [
      [undefined, 'SUDO_PASSWORD_NEEDED'],
      [{ [ids.secondary]: 'not the password' }, 'SUDO_WRONG_PASSWORD'],
    ] as const) {
      const plan = await rpc(app, 'sync.plan', { setId, ...(passwords ? { sudoPasswords: passwords } : {}) });
      // Its own status: the host was reached, its sudo refused (never "unreachable").
      expect(plan.targets.map((t) => [t.ok, t.code, t.status])).toEqual([[false, code, 'sudo-refused']]);
    }
    expect(await fs.readFile(join(dst(), 'root.conf'), 'utf8')).toBe('old\n');
  });

  it('syncs the root-only tree with owners and modes, and restores the run through sudo', async () => {
    const plan = await rpc(app, 'sync.plan', { setId, sudoPasswords: { [ids.secondary]: SUDO_PASSWORD } });
    expect(plan.targets.map((t) => t.ok)).toEqual([true]);
    const { runId } = await rpc(app, 'sync.apply', { planId: plan.planId });
    const record = await rpc(app, 'sync.wait', { runId });
    expect(record.reports.map((r) => [r.status, r.message])).toEqual([['completed', undefined]]);
    expect(await owned(dst())).toEqual(await owned(src()));
    const svc = await fs.stat(join(dst(), 'svc', 'svc.conf'));
    expect(svc.uid).not.toBe(0);

    const restored = await rpc(app, 'sync.restore', {
      serverId: ids.secondary,
      setName: 'app',
      runId,
      sudoPasswords: { [ids.secondary]: SUDO_PASSWORD },
    });
    expect(restored.errors).toEqual([]);
    const back = await fs.stat(join(dst(), 'root.conf'));
    expect([await fs.readFile(join(dst(), 'root.conf'), 'utf8'), back.uid, back.mode & 0o777]).toEqual([
      'old\n',
      0,
      0o600,
    ]);
  });

  it("keeps the NOPASSWD source's connection for the next run, never the one a sudo password was given to", async () => {
    const established = (s: SshdServer) =>
      execFileSync('ss', ['-Htn', 'state', 'established', `( dport = :${s.port} )`], { encoding: 'utf8' })
        .split('\n')
        .filter((l) => l.trim()).length;
    expect(app.pool.kept()).toEqual([ids.primary]);
    for (let i = 0; i < 50 && established(secondary) > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect([established(primary), established(secondary)]).toEqual([1, 0]);
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
