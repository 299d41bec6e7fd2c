import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, statSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { compose } from '../../../src-main/compose.js';
import { startSshd, type SshdServer } from '../../support/sshd.js';
import { makeTempDir } from '../../support/temp.js';
import { provisionServers, rpc } from '../../support/app.js';
import { runCliIn } from '../../support/cli.js';

const run = promisify(execFile);
const repo = new URL('../../../', import.meta.url).pathname;
const entry = join(repo, 'build/cli/configsync.mjs');

type Run = { code: number; out: string; err: string };

/** The bundled CLI in its own process, as a terminal runs it. */
async function configsync(store: string, env: NodeJS.ProcessEnv, ...args: string[]): Promise<Run> {
  try {
    const r = await run(process.execPath, [entry, '--store', store, ...args], {
      encoding: 'utf8',
      env: { ...process.env, ...env },
    });
    return { code: 0, out: r.stdout, err: r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? -1, out: err.stdout ?? '', err: err.stderr ?? '' };
  }
}

/** Logins sshd accepted so far, read from its own log. */
async function accepted(s: SshdServer): Promise<number> {
  const log = await readFile(s.logPath as string, 'utf8').catch(() => '');
  return log.split('\n').filter((l) => /Accepted publickey for/.test(l)).length;
}

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The parts of a sync's output that may differ between two runs (the run id, the seconds) blanked. */
function comparable(out: string): string {
  return out
    .replace(/run \S+/g, 'run RUN')
    .split('\n')
    .map((l) => l.replace(/\s\d+\.\d(\s|$)/, ' S.S$1'))
    .join('\n');
}

describe('the CLI hands its command to a running scheduler of the same store (real processes, real sshd)', () => {
  let primary: SshdServer;
  let second: SshdServer;
  let tmp: { dir: string; cleanup: () => Promise<void> };
  let scheduler: ChildProcess | null = null;
  const store = () => join(tmp.dir, 'store');
  const socket = () => join(store(), 'cli.sock');
  const root = (s: SshdServer) => join(s.dataRoot, 'conf');
  const cold = { CONFIGSYNC_HANDOVER: '0' };

  const startScheduler = async () => {
    const child = spawn(process.execPath, [entry, '--store', store(), 'scheduler'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout?.on('data', (d) => (out += d));
    child.stderr?.on('data', (d) => (out += d));
    scheduler = child;
    // Running the schedules, or waiting for a killed one's lease to go stale: either way serving the CLI.
    await until(
      'the scheduler to serve its socket',
      () => /Stop with Ctrl\+C/.test(out) && existsSync(socket()),
    );
    return child;
  };
  const stopScheduler = async (signal: NodeJS.Signals) => {
    const child = scheduler;
    scheduler = null;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  };

  beforeAll(async () => {
    // Built here, from the current sources, so the test never runs a stale bundle.
    await run(process.execPath, [join(repo, 'scripts/bundle-cli.mjs')]);
    [primary, second] = await Promise.all([startSshd({ logFile: true }), startSshd({ logFile: true })]);
    tmp = await makeTempDir();
    await mkdir(root(primary), { recursive: true });
    await mkdir(root(second), { recursive: true });
    for (let i = 0; i < 20; i++) await writeFile(join(root(primary), `f${i}.conf`), `v1 ${i}\n`);
    const app = compose({ dataDir: store(), shell: 'cli', log: () => undefined });
    try {
      await provisionServers(app, [
        { name: 'primary', sshd: primary, role: 'primary', vars: { CONFIG_ROOT: root(primary) } },
        { name: 'second-1', sshd: second, role: 'secondary', vars: { CONFIG_ROOT: root(second) } },
      ]);
      await rpc(app, 'sets.save', { set: { name: 'app', items: [{ path: '${CONFIG_ROOT}' }] } });
    } finally {
      await app.dispose();
    }
  }, 120_000);
  afterAll(async () => {
    await stopScheduler('SIGTERM');
    await Promise.all([primary?.stop(), second?.stop()]);
    await tmp?.cleanup();
  });

  it('plan and sync through the scheduler: the same output and exit codes as run alone, over its kept connections', async () => {
    const alonePlan = await configsync(store(), cold, 'plan', '--set', 'app');
    expect(alonePlan.code).toBe(10);
    expect(existsSync(socket())).toBe(false);

    await startScheduler();
    // Only the store's user can open it.
    expect(statSync(socket()).mode & 0o777).toBe(0o600);
    expect(statSync(socket()).isSocket()).toBe(true);

    const before = await accepted(second);
    const warmPlan = await configsync(store(), {}, 'plan', '--set', 'app');
    expect(warmPlan).toEqual(alonePlan);
    const warmSync = await configsync(store(), {}, 'sync', '--set', 'app', '--yes');
    expect(warmSync.code).toBe(0);
    expect(warmSync.err).toBe('');
    expect(await readFile(join(root(second), 'f7.conf'), 'utf8')).toBe('v1 7\n');
    const inSync = await configsync(store(), {}, 'plan', '--set', 'app');
    expect(inSync.code).toBe(0);
    // Three commands, one login to the destination: the scheduler's connection served them all.
    expect((await accepted(second)) - before).toBe(1);

    // The scheduler's log says it carried the CLI's run; the history says the CLI started it.
    const runId = /run (\S+)\s*$/.exec(warmSync.out.trim())?.[1] ?? '';
    expect(runId).not.toBe('');
    const log = (await readFile(join(store(), 'logs', 'app.log'), 'utf8')).split('\n').filter(Boolean);
    const line = log
      .map((l) => JSON.parse(l) as { msg?: string; message?: string; process?: string; pid?: number })
      .find((l) => (l.msg ?? l.message ?? '').includes(`run ${runId} started for the CLI`));
    expect(line).toBeDefined();
    expect(line?.pid).toBe(scheduler?.pid);
    const history = await readFile(join(store(), 'history.jsonl'), 'utf8');
    const record = history
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { id?: string; trigger?: string })
      .find((r) => r.id === runId);
    expect(record?.trigger).toBe('cli');

    // The same change synchronized alone gives the same output, but for the run id and the seconds.
    for (let i = 0; i < 20; i++) await writeFile(join(root(primary), `f${i}.conf`), `v2 ${i}\n`);
    await stopScheduler('SIGTERM');
    expect(existsSync(socket())).toBe(false);
    for (let i = 0; i < 20; i++) await writeFile(join(root(primary), `f${i}.conf`), `v3 ${i}\n`);
    const aloneSync = await configsync(store(), cold, 'sync', '--set', 'app', '--yes');
    await startScheduler();
    for (let i = 0; i < 20; i++) await writeFile(join(root(primary), `f${i}.conf`), `v4 ${i}\n`);
    const warmAgain = await configsync(store(), {}, 'sync', '--set', 'app', '--yes');
    expect([warmAgain.code, comparable(warmAgain.out), warmAgain.err]).toEqual([
      aloneSync.code,
      comparable(aloneSync.out),
      aloneSync.err,
    ]);
    expect(await readFile(join(root(second), 'f3.conf'), 'utf8')).toBe('v4 3\n');
  });

  it('a stale socket (its scheduler killed) is left alone: the CLI runs the command itself', async () => {
    if (!scheduler) await startScheduler();
    await stopScheduler('SIGKILL');
    expect(existsSync(socket())).toBe(true);
    await writeFile(join(root(primary), 'new.conf'), 'new\n');
    const planned = await configsync(store(), {}, 'plan', '--set', 'app');
    expect(planned.code).toBe(10);
    expect(planned.out).toMatch(/second-1\s+\S+\s+1\s+0\s+0/);
    const synced = await configsync(store(), {}, 'sync', '--set', 'app', '--yes');
    expect(synced.code).toBe(0);
    expect(await readFile(join(root(second), 'new.conf'), 'utf8')).toBe('new\n');
    // A scheduler started later takes the stale socket over.
    const taker = await startScheduler();
    const warm = await configsync(store(), {}, 'plan', '--set', 'app');
    expect(warm.code).toBe(0);
    const log = await readFile(join(store(), 'logs', 'app.log'), 'utf8');
    expect(
      log
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { msg?: string; pid?: number })
        .some((l) => l.pid === taker.pid && /handed its command to this process/.test(l.msg ?? '')),
    ).toBe(true);
    await stopScheduler('SIGTERM');
  });

  it('a process of another version on the socket is not used, nor a socket others could open', async () => {
    await rm(socket(), { force: true });
    const heard: string[] = [];
    const other = createServer((s) => {
      s.on('data', (d) => {
        heard.push(d.toString('utf8'));
        s.write(`${JSON.stringify({ hello: { version: '0.0.0-other', pid: 1 } })}\n`);
        s.end();
      });
    });
    await new Promise<void>((resolve) => other.listen(socket(), resolve));
    try {
      chmodSync(socket(), 0o600);
      await writeFile(join(root(primary), 'newer.conf'), 'newer\n');
      const planned = await runCliIn(store(), 'plan', '--set', 'app');
      expect(planned.code).toBe(10);
      expect(heard).toHaveLength(1);
      expect(heard[0]).toMatch(/"hello"/);
      // Open to the group: never even connected to.
      chmodSync(socket(), 0o660);
      const again = await runCliIn(store(), 'plan', '--set', 'app');
      expect(again.code).toBe(10);
      expect(heard).toHaveLength(1);
    } finally {
      await new Promise<void>((resolve) => other.close(() => resolve()));
    }
  });
});
