import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compose, type ComposedApp } from '../../../src-main/compose.js';
import { readHolder } from '../../../src-main/scheduler/scheduler-lease.js';
import { startSshd, type SshdServer } from '../../support/sshd.js';
import { makeTempDir } from '../../support/temp.js';
import { provisionServers, rpc } from '../../support/app.js';
import { FakeClock } from '../../unit/scheduler/fake-clock.js';
import { nextEvent, nextRecordedRun } from './events.js';

/**
 * The app (browser shell) and a scheduler service on one store, each with its own clock moved by
 * hand: the service holds the store's scheduler lease and fires the entries; the app shows it and its
 * next runs and fires nothing; edits made in the app reach the service; when the service stops, the
 * app takes over.
 */
describe('one scheduler per store: the app and a running service on one store (real sshd)', () => {
  let primary: SshdServer;
  let second: SshdServer;
  let service: ComposedApp | undefined;
  let app: ComposedApp | undefined;
  let dataDir: string;
  let cleanup: () => Promise<void>;
  const start = Date.parse('2026-03-10T00:58:00Z');
  const serviceClock = new FakeClock(start);
  const appClock = new FakeClock(start);
  const lease = { staleMs: 3000, retryMs: 100 };
  const root = (s: SshdServer) => join(s.dataRoot, 'etc-app');

  beforeAll(async () => {
    [primary, second] = await Promise.all([startSshd(), startSshd()]);
    const tmp = await makeTempDir();
    cleanup = tmp.cleanup;
    dataDir = join(tmp.dir, 'store');
    await mkdir(root(primary), { recursive: true });
    await writeFile(join(root(primary), 'app.conf'), 'v=1\n');
  });
  afterAll(async () => {
    await app?.dispose();
    await service?.dispose();
    await Promise.all([primary?.stop(), second?.stop()]);
    await cleanup?.();
  });

  it('the service fires the entry; the app shows it and its next run and fires nothing', async () => {
    service = compose({
      dataDir,
      shell: 'cli',
      log: () => undefined,
      automation: { clock: serviceClock, timeZone: 'UTC' },
      schedulerLease: lease,
    });
    await provisionServers(service, [
      { name: 'prim', sshd: primary, role: 'primary', vars: { ROOT: root(primary) } },
      { name: 'sec', sshd: second, role: 'secondary', vars: { ROOT: root(second) } },
    ]);
    const { set } = await rpc(service, 'sets.save', { set: { name: 'app', items: [{ path: '${ROOT}' }] } });
    await rpc(service, 'schedules.save', {
      id: 'nightly',
      operation: { kind: 'sync-set', setId: set.id },
      time: [0, 1, 'ANY', 'ANY', 'ANY'],
    });
    const started = await rpc(service, 'scheduler.start', { service: true });
    expect(started).toMatchObject({
      running: true,
      runner: { where: 'this-process', kind: 'service', pid: process.pid },
    });
    expect(await readHolder(dataDir)).toMatchObject({ kind: 'service', pid: process.pid });

    app = compose({
      dataDir,
      shell: 'browser',
      log: () => undefined,
      automation: { clock: appClock, timeZone: 'UTC' },
      schedulerLease: lease,
    });
    await nextEvent(app, 'status.changed', (p) => p.reason === 'background');
    const seen = (await rpc(app, 'status.overview', {})).background;
    expect(seen.running).toBe(false);
    expect(seen.runner).toMatchObject({ where: 'another-process', kind: 'service', pid: process.pid });
    expect(seen.nextRuns).toEqual([{ entryId: 'nightly', at: Date.parse('2026-03-10T01:00:00Z') }]);
    expect(app.automation.isRunning).toBe(false);

    const ran = nextRecordedRun(service);
    await Promise.all([
      serviceClock.advanceTo('2026-03-10T01:00:00Z'),
      appClock.advanceTo('2026-03-10T01:00:00Z'),
    ]);
    await ran;
    await app.automation.idle();
    expect(await readFile(join(root(second), 'app.conf'), 'utf8')).toBe('v=1\n');
    const history = await rpc(app, 'history.list', {});
    expect(history.records.map((r) => [r.setId, r.trigger])).toEqual([[set.id, 'schedule']]);
    // The app's own clock has no timer of a scheduler: it never armed one.
    expect(appClock.pendingTimers).toBe(0);
  });

  it('an entry added in the app is fired by the service', async () => {
    if (!app || !service) throw new Error('needs the first test');
    const followed = nextEvent(service, 'status.changed', (p) => p.reason === 'schedules');
    await rpc(app, 'schedules.save', {
      id: 'backup',
      operation: { kind: 'backup-config' },
      time: [30, 1, 'ANY', 'ANY', 'ANY'],
    });
    await followed; // the service saw the store change (polled every 2 s)
    const backedUp = nextEvent(service, 'status.changed', (p) => p.reason === 'run-finished');
    await Promise.all([
      serviceClock.advanceTo('2026-03-10T01:30:00Z'),
      appClock.advanceTo('2026-03-10T01:30:00Z'),
    ]);
    await backedUp;
    expect((await readdir(join(dataDir, 'config-backups'))).length).toBe(1);
    expect(app.automation.isRunning).toBe(false);
  });

  it('when the service stops, the app takes over and fires the next run itself', async () => {
    if (!app || !service) throw new Error('needs the first test');
    // The app may first say the service is gone and then, at its next try, that it took the lease.
    const appNow = app;
    const tookOver = nextEvent(
      app,
      'status.changed',
      (p) => p.reason === 'background' && appNow.automation.isRunning,
    );
    await service.dispose();
    service = undefined;
    await tookOver;
    expect(app.automation.isRunning).toBe(true);
    const mine = (await rpc(app, 'status.overview', {})).background;
    expect(mine.runner).toMatchObject({ where: 'this-process', kind: 'browser', pid: process.pid });
    expect(await readHolder(dataDir)).toMatchObject({ kind: 'browser' });
    await writeFile(join(root(primary), 'app.conf'), 'v=2\n');
    const ran = nextRecordedRun(app);
    await appClock.advanceTo('2026-03-11T01:00:00Z');
    await ran;
    expect(await readFile(join(root(second), 'app.conf'), 'utf8')).toBe('v=2\n');
    const history = await rpc(app, 'history.list', { trigger: 'schedule' });
    expect(history.total).toBe(2);
  });
});

describe('a service started while the app runs the schedules: the app hands them over', () => {
  it('the service asks, the app stops firing and lets the lease go, the service takes it; the app shows the service', async () => {
    const { dir, cleanup } = await makeTempDir();
    const lease = { staleMs: 3000, retryMs: 100 };
    const app = compose({
      dataDir: join(dir, 'store'),
      shell: 'browser',
      log: () => undefined,
      schedulerLease: lease,
    });
    let service: ComposedApp | undefined;
    try {
      await nextEvent(app, 'status.changed', (p) => p.reason === 'background');
      expect(app.automation.isRunning).toBe(true);
      expect(await readHolder(join(dir, 'store'))).toMatchObject({ kind: 'browser' });
      service = compose({
        dataDir: join(dir, 'store'),
        shell: 'cli',
        log: () => undefined,
        schedulerLease: lease,
      });
      const handedOver = nextEvent(app, 'status.changed', (p) => p.reason === 'background');
      const first = await rpc(service, 'scheduler.start', { service: true });
      expect(first.running).toBe(false);
      expect(first.runner).toMatchObject({ where: 'another-process', kind: 'browser' });
      await handedOver;
      expect(app.automation.isRunning).toBe(false);
      const took = service;
      await until(() => took.automation.isRunning, 'the service to take the lease');
      expect(await readHolder(join(dir, 'store'))).toMatchObject({ kind: 'service' });
      const seen = (await rpc(app, 'status.overview', {})).background;
      expect(seen.runner).toMatchObject({ where: 'another-process', kind: 'service' });
      // The app does not take the schedules back while the service runs.
      await new Promise((r) => setTimeout(r, 500));
      expect(app.automation.isRunning).toBe(false);
    } finally {
      await service?.dispose();
      await app.dispose();
      await cleanup();
    }
  });
});

async function until(check: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 20_000;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
