import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lutimes, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { writeJournal, journalPath } from '../../../src-main/engine/journal.js';
import { rootStateDir } from '../../../src-main/engine/state-dir.js';
import { LocalEndpoint } from '../../../src-main/transport/local-endpoint.js';
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

  it('exits 8 while another host holds the destination lock, 7 once its run is left interrupted; recover --break-lock ends it', async () => {
    // The state folder every store uses for this root on that host (the test user's home there).
    const rootState = rootStateDir(join(homedir(), '.configsync'), root(second));
    await rm(rootState, { recursive: true, force: true });
    await mkdir(rootState, { recursive: true });
    const runId = '20261201T000000000Z-abcdef';
    const owner = {
      runId,
      store: 'ops-laptop:/home/ops/.config/configsync',
      host: 'ops-laptop',
      pid: 4242,
      startedAt: new Date().toISOString(),
    };
    await symlink(JSON.stringify(owner), join(rootState, 'lock'));
    await writeJournal(new LocalEndpoint(), journalPath(rootState, runId), {
      version: 1,
      runId,
      setName: 'mail',
      root: root(second),
      stagingDir: `${root(second)}/.configsync-staging-${runId}`,
      backupDir: `${rootState}/backups/mail/${runId}`,
      phase: 'swapping',
      startedAt: owner.startedAt,
      updatedAt: owner.startedAt,
      writes: [],
      dirs: [],
      deletes: [],
    });
    await writeFile(join(root(primary), 'main.cf'), 'relayhost = newer\n');
    const locked = await cli('sync', '--set', 'mail', '--yes');
    expect(locked.code).toBe(8);
    expect(locked.out).toMatch(/ops-laptop/);
    expect((await cli('plan', '--set', 'mail')).code).toBe(8);
    // Its heartbeat stops (ten minutes old): the run is interrupted, for this store too.
    const old = new Date(Date.now() - 600_000);
    await lutimes(join(rootState, 'lock'), old, old);
    const interrupted = await cli('sync', '--set', 'mail', '--yes');
    expect(interrupted.code).toBe(7);
    expect(interrupted.out).toContain(runId);
    expect(await readFile(join(root(second), 'main.cf'), 'utf8')).toBe('relayhost = old\n');
    // The stale lock is broken only when the user says so.
    expect((await cli('recover', '--server', 'sec')).code).toBe(8);
    const recovered = await cli('recover', '--server', 'sec', '--break-lock');
    expect(recovered.code).toBe(0);
    expect(recovered.out).toContain(`run ${runId} completed`);
    expect((await cli('sync', '--set', 'mail', '--yes')).code).toBe(0);
    expect(await readFile(join(root(second), 'main.cf'), 'utf8')).toBe('relayhost = newer\n');
  });

  it('exits 4 when a guard refuses (an empty source) and changes nothing; --confirm-guards lets it run', async () => {
    const moved = `${root(primary)}-aside`;
    await rm(moved, { recursive: true, force: true });
    await mkdir(moved);
    await writeFile(join(moved, 'main.cf'), await readFile(join(root(primary), 'main.cf')));
    await rm(join(root(primary), 'main.cf'));
    try {
      const refused = await cli('sync', '--set', 'mail', '--yes');
      expect({ code: refused.code, said: refused.out + refused.err }).toMatchObject({ code: 4 });
      expect(refused.out + refused.err).toMatch(/holds no files/);
      expect(await readFile(join(root(second), 'main.cf'), 'utf8')).toBe('relayhost = newer\n');
    } finally {
      await writeFile(join(root(primary), 'main.cf'), await readFile(join(moved, 'main.cf')));
      await rm(moved, { recursive: true, force: true });
    }
  });

  it('exits 5 when a destination does not answer', async () => {
    await second.halt();
    const plan = await cli('plan', '--set', 'mail');
    expect(plan.code).toBe(5);
    expect(plan.out).toMatch(/REFUSED|TIMEOUT|NETWORK/);
  });
});
