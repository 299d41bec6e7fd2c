import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startSshd, type SshdServer } from '../../support/sshd.js';
import { makeTempDir } from '../../support/temp.js';
import { runCliIn, type CliRun } from '../../support/cli.js';

describe('configsync CLI against real sshd: provision, plan, sync, runs, restore', () => {
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
    await mkdir(root(second), { recursive: true });
    await writeFile(join(root(second), 'main.cf'), 'relayhost = old\n');
  });
  afterAll(async () => {
    await Promise.all([primary?.stop(), second?.stop()]);
    await cleanup?.();
  });

  it('refuses to pin a host key without a fingerprint or a terminal, and pins a given one', async () => {
    const add = (s: SshdServer, name: string, role: string, fp?: string) =>
      cli(
        'servers',
        'add',
        '--name',
        name,
        '--host',
        s.host,
        '--port',
        String(s.port),
        '--user',
        s.user,
        '--role',
        role,
        '--key-file',
        s.clientKey.privateKeyPath,
        '--var',
        `ROOT=${root(s)}`,
        '--timeout',
        '5',
        ...(fp ? ['--fingerprint', fp] : []),
      );
    const unpinned = await add(primary, 'prim', 'primary');
    expect(unpinned.code).toBe(6);
    expect(unpinned.err).toContain(primary.hostKeyFingerprint);
    expect(unpinned.err).toMatch(/NOT pinned/);
    const trusted = await cli('servers', 'trust', 'prim', '--fingerprint', primary.hostKeyFingerprint);
    expect(trusted.code).toBe(0);
    const wrong = await add(second, 'sec', 'secondary', primary.hostKeyFingerprint);
    expect(wrong.code).not.toBe(0);
    expect((await add(second, 'sec', 'secondary', second.hostKeyFingerprint)).code).toBe(0);
    const list = await cli('servers', 'list', '--json');
    const servers = JSON.parse(list.out) as Array<{ name: string; pinnedHostKey?: { fingerprint: string } }>;
    expect(servers.find((s) => s.name === 'sec')?.pinnedHostKey?.fingerprint).toBe(second.hostKeyFingerprint);
  });

  it('plans (exit 10 on differences), refuses to sync without --yes, syncs, then plans in sync (exit 0)', async () => {
    expect((await cli('sets', 'add', '--name', 'mail', '--path', '${ROOT}')).code).toBe(0);
    const plan = await cli('plan', '--set', 'mail');
    expect(plan.code).toBe(10);
    expect(plan.out).toMatch(/sec\s+\$\{ROOT\}\s+0\s+1\s+0/);
    const noYes = await cli('sync', '--set', 'mail');
    expect(noYes.code).toBe(2);
    expect(await readFile(join(root(second), 'main.cf'), 'utf8')).toBe('relayhost = old\n');
    const sync = await cli('sync', '--set', 'mail', '--yes', '--json');
    expect(sync.code).toBe(0);
    const record = JSON.parse(sync.out) as { runId: string; reports: Array<{ status: string }> };
    expect(record.reports.map((r) => r.status)).toEqual(['completed']);
    expect(await readFile(join(root(second), 'main.cf'), 'utf8')).toBe('relayhost = mail\n');
    expect((await cli('plan', '--set', 'mail')).code).toBe(0);

    const runs = await cli('runs', '--json');
    expect((JSON.parse(runs.out) as Array<{ runId: string }>).map((r) => r.runId)).toContain(record.runId);
    const restore = await cli('restore', '--run', record.runId, '--server', 'sec', '--set', 'mail', '--yes');
    expect(restore.code).toBe(0);
    expect(await readFile(join(root(second), 'main.cf'), 'utf8')).toBe('relayhost = old\n');
  });

  it('exits 5 when a destination does not answer', async () => {
    await second.halt();
    const plan = await cli('plan', '--set', 'mail');
    expect(plan.code).toBe(5);
    expect(plan.out).toMatch(/REFUSED|TIMEOUT|NETWORK/);
  });
});
