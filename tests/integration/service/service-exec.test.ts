import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chown, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { compose } from '../../../src-main/compose.js';
import { readHolder } from '../../../src-main/scheduler/scheduler-lease.js';
import { ServiceInstaller } from '../../../src-main/service-install/service-installer.js';
import { parseExecStart } from '../../../src-main/service-install/systemd-unit.js';
import { startSshd, type SshdServer } from '../../support/sshd.js';
import { makeTempDir } from '../../support/temp.js';
import { runCliIn, serverAddArgs } from '../../support/cli.js';
import { rpc } from '../../support/app.js';

const bundled = new URL('../../../build/cli/configsync.mjs', import.meta.url).pathname;

/** Resolves when `check` holds, looking again on each change of the folder (bounded). */
async function until<T>(check: () => Promise<T | undefined>, what: string, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('the service installer on this host (no systemd running here)', () => {
  it('install refuses with a clear reason and writes nothing; status still shows the unit it would install', async () => {
    const { dir, cleanup } = await makeTempDir();
    try {
      const units = join(dir, 'units');
      const installer = new ServiceInstaller({
        storeDir: dir,
        self: [process.execPath, bundled],
        dirs: { systemdSystem: units, systemdUser: units },
      });
      const view = await installer.describe({ allowRoot: true });
      expect(existsSync('/run/systemd/system')).toBe(false);
      expect(view).toMatchObject({
        manager: 'systemd',
        available: false,
        installed: false,
        scope: 'system',
        user: 'root',
      });
      expect(view.unavailableReason).toMatch(/systemd is not running on this host.*nothing was installed/);
      expect(view.definition).toContain(`WorkingDirectory=${dir}`);
      await expect(installer.install({ allowRoot: true })).rejects.toMatchObject({
        code: 'SERVICE_MANAGER_UNAVAILABLE',
      });
      expect(existsSync(units)).toBe(false);
    } finally {
      await cleanup();
    }
  });

  it('a store owned by root is refused unless asked; a failed systemctl step removes the unit it wrote', async () => {
    const { dir, cleanup } = await makeTempDir();
    try {
      const units = join(dir, 'units');
      const installer = new ServiceInstaller({
        storeDir: dir,
        self: [process.execPath, bundled],
        dirs: { systemdSystem: units },
        // As if systemd ran: the real systemctl then fails here, and the install is undone.
        systemdRunning: () => true,
      });
      await expect(installer.install()).rejects.toMatchObject({ code: 'SERVICE_AS_ROOT' });
      const refused = await installer.describe();
      expect(refused.notes[0]).toMatch(/belongs to root.*--allow-root/);
      await expect(installer.install({ allowRoot: true })).rejects.toMatchObject({
        code: 'SERVICE_COMMAND_FAILED',
        message: expect.stringMatching(/systemctl daemon-reload failed/),
      });
      expect(await readdir(units)).toEqual([]);
    } finally {
      await cleanup();
    }
  });

  it("a store owned by an ordinary user: a user unit as that user, with the linger note; another user's store is refused", async () => {
    const { dir, cleanup } = await makeTempDir();
    try {
      await chown(dir, 65534, 65534);
      const as = (uid: number) =>
        new ServiceInstaller({
          storeDir: dir,
          self: [process.execPath, bundled],
          uid,
          dirs: { systemdUser: join(dir, 'u') },
        });
      const view = await as(65534).describe();
      expect(view).toMatchObject({
        scope: 'user',
        user: 'nobody',
        definitionPath: join(dir, 'u', `${view.name}.service`),
      });
      expect(view.definition).not.toMatch(/^User=/m);
      expect(view.definition).toMatch(/^WantedBy=default\.target$/m);
      expect(view.notes.join('\n')).toMatch(/loginctl enable-linger nobody/);
      await expect(as(1234).describe()).rejects.toMatchObject({ code: 'SERVICE_OWNER' });
      // Root installs a system unit that runs as the owner.
      expect((await as(0).describe()).definition).toMatch(/^User=nobody$/m);
    } finally {
      await cleanup();
    }
  });
});

describe("the unit's ExecStart, run as systemd would run it, fires a schedule entry on a fake clock (real sshd)", () => {
  let primary: SshdServer;
  let second: SshdServer;
  let store: string;
  let cleanup: () => Promise<void>;
  let child: ChildProcess | undefined;
  const root = (s: SshdServer) => join(s.dataRoot, 'etc-app');

  beforeAll(async () => {
    if (!existsSync(bundled)) throw new Error('run "npm run build" first: the unit runs the bundled CLI');
    [primary, second] = await Promise.all([startSshd(), startSshd()]);
    const tmp = await makeTempDir();
    cleanup = tmp.cleanup;
    store = join(tmp.dir, 'store');
    await mkdir(root(primary), { recursive: true });
    await writeFile(join(root(primary), 'app.conf'), 'nightly=1\n');
    await mkdir(root(second), { recursive: true });
  });
  afterAll(async () => {
    child?.kill('SIGKILL');
    await Promise.all([primary?.stop(), second?.stop()]);
    await cleanup?.();
  });

  it('configsync service install --print, then its ExecStart under faketime at 00:59:57: the 01:00 entry syncs, the app sees the service', async () => {
    const cli = (...args: string[]) => runCliIn(store, ...args);
    for (const [s, name, role] of [
      [primary, 'prim', 'primary'],
      [second, 'sec', 'secondary'],
    ] as const) {
      const r = await cli(...serverAddArgs(s, name, role, root(s)));
      expect(r.code, r.err).toBe(0);
    }
    expect((await cli('sets', 'add', '--name', 'app', '--path', '${ROOT}')).code).toBe(0);
    expect(
      (await cli('schedule', 'add', '--set', 'app', '--at', '0 1 ANY ANY ANY', '--id', 'nightly')).code,
    ).toBe(0);

    const printed = await cli('service', 'install', '--print', '--allow-root', '--time-zone', 'UTC');
    expect(printed.code, printed.err).toBe(0);
    const unit = printed.out;
    const value = (key: string) =>
      unit
        .split('\n')
        .find((l) => l.startsWith(`${key}=`))
        ?.slice(key.length + 1);
    const argv = parseExecStart(value('ExecStart') ?? '');
    expect(argv.slice(2)).toEqual(['--store', store, 'scheduler', '--service']);
    expect(value('User')).toBe('root');
    expect(value('Environment')).toBe('"TZ=UTC"');
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TZ: 'UTC',
      LANG: 'C.UTF-8',
    };

    // As systemd starts it: that argv, that folder, that environment; only the clock is moved, to 3 s
    // before the entry, by libfaketime preloaded into that same process (its clock starts at that time
    // and runs on), so the signal below reaches the scheduler itself.
    const faketime = execFileSync('sh', ['-c', 'ls /usr/lib/*/faketime/libfaketimeMT.so.1'], {
      encoding: 'utf8',
    }).trim();
    // Tomorrow (UTC), 3 s before 01:00: always ahead of the real clock, as the app on this store reads
    // the service's lease (written on the fake clock) by the real one.
    const day = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    child = spawn(argv[0] as string, argv.slice(1), {
      cwd: value('WorkingDirectory'),
      env: { ...env, LD_PRELOAD: faketime, FAKETIME: `@${day} 00:59:57` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child?.once('exit', resolve));

    // The app on the same store sees the service and its next run, and does not run the schedules itself.
    // The lock is taken a moment before its note is written (read meanwhile as an unknown holder, pid 0).
    const holder = await until(async () => {
      const h = await readHolder(store);
      return h && h.pid !== 0 ? h : undefined;
    }, 'the service to take the lease and write its note');
    expect(holder).toMatchObject({ kind: 'service', pid: expect.any(Number) });
    const app = compose({ dataDir: store, shell: 'browser', log: () => undefined });
    try {
      const seen = await until(async () => {
        const b = (await rpc(app, 'status.overview', {})).background;
        return b.runner?.where === 'another-process' ? b : undefined;
      }, 'the app to see the service');
      expect(seen.runner).toMatchObject({ kind: 'service', host: holder.host });
      expect(app.automation.isRunning).toBe(false);
    } finally {
      await app.dispose();
    }

    const line = await until(async () => {
      const text = await readFile(join(store, 'history.jsonl'), 'utf8').catch(() => '');
      return text.split('\n').find((l) => l.includes('"trigger":"schedule"'));
    }, `the scheduled run (output so far: ${out})`);
    const run = JSON.parse(line) as {
      id: string;
      trigger: string;
      startedAt: number;
      destinations: Array<{ status: string }>;
    };
    expect(run.destinations.map((d) => d.status)).toEqual(['ok']);
    expect(new Date(run.startedAt).toISOString()).toMatch(new RegExp(`^${day}T01:00:0`));
    expect(await readFile(join(root(second), 'app.conf'), 'utf8')).toBe('nightly=1\n');

    // systemd stops it with SIGTERM: it finishes, lets the lease go and exits 0 (no restart).
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    child = undefined;
    expect(await readHolder(store)).toBeNull();
    const log = (await readFile(join(store, 'logs', 'app.log'), 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(log.some((l) => l.msg === 'running the schedules of this store (service)')).toBe(true);
    expect(log.find((l) => l.runId === run.id)).toMatchObject({
      server: 'sec',
      set: 'app',
      status: 'completed',
    });
  });
});
