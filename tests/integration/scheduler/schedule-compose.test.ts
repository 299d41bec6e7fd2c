import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compose, type ComposedApp } from '../../../src-main/compose.js';
import { startSshd, type SshdServer } from '../../support/sshd.js';
import { makeTempDir } from '../../support/temp.js';
import { provisionServers, rpc } from '../../support/app.js';
import { FakeClock } from '../../unit/scheduler/fake-clock.js';
import { nextEvent, nextRecordedRun } from './events.js';

describe('schedule entries fire on a controllable clock and run their operation (real sshd)', () => {
  let primary: SshdServer;
  let second: SshdServer;
  let app: ComposedApp;
  let cleanup: () => Promise<void>;
  let dataDir: string;
  const clock = new FakeClock(Date.parse('2026-03-10T00:58:00Z'));
  const root = (s: SshdServer, name: string) => join(s.dataRoot, name);

  beforeAll(async () => {
    [primary, second] = await Promise.all([startSshd(), startSshd()]);
    const tmp = await makeTempDir();
    cleanup = tmp.cleanup;
    dataDir = join(tmp.dir, 'store');
    app = compose({
      dataDir,
      shell: 'browser',
      log: () => undefined,
      automation: { clock, timeZone: 'UTC' },
    });
    await provisionServers(app, [
      {
        name: 'prim',
        sshd: primary,
        role: 'primary',
        vars: { A: root(primary, 'a'), B: root(primary, 'b') },
      },
      { name: 'sec', sshd: second, role: 'secondary', vars: { A: root(second, 'a'), B: root(second, 'b') } },
    ]);
    for (const name of ['a', 'b']) {
      await mkdir(root(primary, name), { recursive: true });
      await writeFile(join(root(primary, name), `${name}.conf`), `${name}\n`);
    }
  });
  afterAll(async () => {
    await app?.dispose();
    await Promise.all([primary?.stop(), second?.stop()]);
    await cleanup?.();
  });

  it('01:00 synchronizes set A only, 01:30 checks drift, 02:00 backs up the configuration', async () => {
    const { set: a } = await rpc(app, 'sets.save', { set: { name: 'set-a', items: [{ path: '${A}' }] } });
    await rpc(app, 'sets.save', { set: { name: 'set-b', items: [{ path: '${B}' }] } });
    const sync = await rpc(app, 'schedules.save', {
      id: 'sync-a',
      operation: { kind: 'sync-set', setId: a.id },
      time: [0, 1, 'ANY', 'ANY', 'ANY'],
    });
    expect(sync.reading).toBe('At 01:00 AM');
    expect(sync.nextRunAt).toBe(Date.parse('2026-03-10T01:00:00Z'));
    await rpc(app, 'schedules.save', {
      id: 'drift',
      operation: { kind: 'drift-check' },
      time: [30, 1, 'ANY', 'ANY', 'ANY'],
    });
    await rpc(app, 'schedules.save', {
      id: 'backup',
      operation: { kind: 'backup-config' },
      time: [0, 2, 'ANY', 'ANY', 'ANY'],
    });
    await expect(
      rpc(app, 'schedules.save', {
        id: 'bad',
        operation: { kind: 'sync-set', setId: 'nope' },
        time: [0, 3, 'ANY', 'ANY', 'ANY'],
      }),
    ).rejects.toThrow(/SET_UNKNOWN/);

    // Nothing fires before its time.
    await clock.advanceTo('2026-03-10T00:59:59Z');
    expect((await rpc(app, 'history.list', {})).total).toBe(0);

    const ran = nextRecordedRun(app);
    await clock.advanceTo('2026-03-10T01:00:00Z');
    await ran;
    const history = await rpc(app, 'history.list', {});
    expect(history.records.map((r) => [r.setId, r.trigger])).toEqual([[a.id, 'schedule']]);
    expect(await readFile(join(root(second, 'a'), 'a.conf'), 'utf8')).toBe('a\n');
    await expect(readdir(root(second, 'b'))).rejects.toThrow();

    // The drift check at 01:30 sees set B missing on the secondary.
    const checked = nextEvent(app, 'status.changed', (p) => p.reason === 'check-finished');
    await clock.advanceTo('2026-03-10T01:30:00Z');
    await checked;
    const sec = (await rpc(app, 'status.overview', {})).servers.find((s) => s.name === 'sec');
    expect(sec?.drift).toMatchObject({ state: 'differs', differences: 1 });
    expect(sec?.lastSync).toMatchObject({ setId: a.id, trigger: 'schedule', status: 'ok' });

    const backedUp = nextEvent(app, 'status.changed', (p) => p.reason === 'run-finished');
    await clock.advanceTo('2026-03-10T02:00:00Z');
    await backedUp;
    const backups = await readdir(join(dataDir, 'config-backups'));
    expect(backups).toHaveLength(1);
    const saved = JSON.parse(await readFile(join(dataDir, 'config-backups', backups[0] ?? ''), 'utf8')) as {
      servers: unknown[];
    };
    expect(saved.servers).toHaveLength(3);
    // Set A ran once: the 01:30 and 02:00 entries did not synchronize anything.
    expect((await rpc(app, 'history.list', {})).total).toBe(1);

    const listed = await rpc(app, 'schedules.list', {});
    expect(listed.entries.find((e) => e.id === 'sync-a')?.nextRunAt).toBe(Date.parse('2026-03-11T01:00:00Z'));
  });
});
