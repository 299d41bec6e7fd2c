import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startSshd, type SshdServer } from '../../support/sshd.js';
import { makeTempDir } from '../../support/temp.js';
import { runCliIn, type CliRun, serverAddArgs } from '../../support/cli.js';

describe('configsync status and schedule against real sshd', () => {
  let primary: SshdServer;
  let second: SshdServer;
  let store: string;
  let cleanup: () => Promise<void>;
  const root = (s: SshdServer) => join(s.dataRoot, 'etc-app');

  const cli = (...args: string[]): Promise<CliRun> => runCliIn(store, ...args);

  beforeAll(async () => {
    [primary, second] = await Promise.all([startSshd(), startSshd()]);
    const tmp = await makeTempDir();
    cleanup = tmp.cleanup;
    store = join(tmp.dir, 'store');
    await mkdir(root(primary), { recursive: true });
    await writeFile(join(root(primary), 'main.cf'), 'relayhost = mail\n');
    for (const [s, name, role] of [
      [primary, 'prim', 'primary'],
      [second, 'sec', 'secondary'],
    ] as const) {
      const added = await cli(...serverAddArgs(s, name, role, root(s)));
      expect(added.code).toBe(0);
    }
    expect((await cli('sets', 'add', '--name', 'mail', '--path', '${ROOT}')).code).toBe(0);
  });
  afterAll(async () => {
    await Promise.all([primary?.stop(), second?.stop()]);
    await cleanup?.();
  });

  it('status: 0 before any check, 10 on drift, 0 in sync after a sync, 5 when a server does not answer', async () => {
    const first = await cli('status');
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/not checked yet/);

    const drift = await cli('status', '--check');
    expect(drift.code).toBe(10);
    expect(drift.out).toMatch(/sec\s+secondary\s+reachable\s+-\s+1 difference/);

    expect((await cli('sync', '--set', 'mail', '--yes')).code).toBe(0);
    const json = await cli('status', '--json');
    expect(json.code).toBe(0);
    const overview = JSON.parse(json.out) as {
      servers: Array<{ name: string; drift: { state: string }; lastSync: { trigger: string } | null }>;
    };
    const sec = overview.servers.find((s) => s.name === 'sec');
    expect(sec?.drift.state).toBe('in-sync');
    expect(sec?.lastSync?.trigger).toBe('cli');
    expect((await cli('status', '--check')).code).toBe(0);

    await second.halt();
    const down = await cli('status', '--check');
    expect(down.code).toBe(5);
    expect(down.out).toMatch(/sec\s+secondary\s+UNREACHABLE/);
  });

  it('schedule add/list/remove with the reading and next run; bad fields are refused', async () => {
    const added = await cli(
      'schedule',
      'add',
      '--set',
      'mail',
      '--at',
      '30 16 8 ANY ANY',
      '--id',
      'mail-monthly',
    );
    expect(added.code).toBe(0);
    expect(added.out).toMatch(/Saved mail-monthly: At 04:30 PM, on day 8 of the month; next run \d{4}-/);
    expect(
      (await cli('schedule', 'add', '--operation', 'drift-check', '--at', '0 * * * *', '--id', 'hourly'))
        .code,
    ).toBe(0);
    const bad = await cli('schedule', 'add', '--operation', 'health-check', '--at', '0 1 31 4 ANY');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/day 31 never occurs in April/);

    const list = await cli('schedule', 'list');
    expect(list.out).toMatch(
      /mail-monthly\s+synchronize mail\s+30 16 8 ANY ANY\s+At 04:30 PM, on day 8 of the month\s+\d{4}-/,
    );
    expect(list.out).toMatch(/hourly\s+drift-check\s+0 ANY ANY ANY ANY\s+Every hour/);
    expect((await cli('schedule', 'auto', '--set', 'mail', '--trigger', '60')).code).toBe(0);
    expect((await cli('schedule', 'remove', 'hourly')).code).toBe(0);
    const json = JSON.parse((await cli('schedule', 'list', '--json')).out) as {
      entries: Array<{ id: string }>;
    };
    expect(json.entries.map((e) => e.id)).toEqual(['mail-monthly']);
    expect((await cli('schedule', 'remove', 'hourly')).code).toBe(1);
  });

  it('--help for status, schedule and scheduler', async () => {
    for (const cmd of [
      ['status'],
      ['schedule', 'add'],
      ['schedule', 'list'],
      ['schedule', 'remove'],
      ['schedule', 'auto'],
      ['scheduler'],
    ]) {
      const help = await cli(...cmd, '--help');
      expect(help.code).toBe(0);
      expect(help.out).toContain(`configsync ${cmd.join(' ')} — `);
    }
  });

  it('scheduler runs in the foreground until SIGTERM, then exits 0', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src-main/cli/bin.ts', '--store', store, 'scheduler'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('Scheduler running')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
    });
    expect(out).toMatch(/1 schedule entry, 1 set\(s\) synchronized automatically/);
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(out).toContain('SIGTERM: stopping');
  });
});
