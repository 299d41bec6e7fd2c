import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compose, type ComposedApp } from '../../../src-main/compose.js';
import { startSshd, type SshdServer } from '../../support/sshd.js';
import { makeTempDir } from '../../support/temp.js';
import { provisionServers, rpc } from '../../support/app.js';
import { FakeClock } from '../../unit/scheduler/fake-clock.js';
import { nextRecordedRun } from './events.js';

describe('automatic synchronization through compose (real sshd, real folders)', () => {
  let s1: SshdServer;
  let s2: SshdServer;
  let app: ComposedApp | undefined;
  const cleanups: Array<() => Promise<void>> = [];
  const root = (s: SshdServer, name: string) => join(s.dataRoot, name);

  beforeAll(async () => {
    [s1, s2] = await Promise.all([startSshd(), startSshd()]);
  });
  afterEach(async () => {
    await app?.dispose();
    app = undefined;
  });
  afterAll(async () => {
    await Promise.all([s1, s2].map((s) => s?.stop()));
    for (const c of cleanups) await c();
  });

  async function temp(): Promise<string> {
    const t = await makeTempDir('configsync-auto-');
    cleanups.push(t.cleanup);
    return t.dir;
  }

  it('a burst of saves in a watched local source reaches both secondaries in one run', async () => {
    const dir = await temp();
    const source = join(dir, 'source');
    await mkdir(source);
    await writeFile(join(source, 'app.conf'), 'v=1\n');
    const notices: Array<{ title: string; level: string }> = [];
    app = compose({
      dataDir: join(dir, 'store'),
      shell: 'browser',
      log: () => undefined,
      automation: { debounceMs: 1000 },
      notifier: { notify: (title, _body, level) => notices.push({ title, level }) },
    });
    // "This computer" is the primary; its copy lives in the temp folder.
    await rpc(app, 'servers.edit', { id: 'local', patch: { vars: { CONFIG_ROOT: source } } });
    await rpc(app, 'servers.setRole', { id: 'local', role: 'primary' });
    await provisionServers(app, [
      { name: 'second-1', sshd: s1, role: 'secondary', vars: { CONFIG_ROOT: root(s1, 'watch') } },
      { name: 'second-2', sshd: s2, role: 'secondary', vars: { CONFIG_ROOT: root(s2, 'watch') } },
    ]);
    const { set } = await rpc(app, 'sets.save', {
      set: { name: 'watched', items: [{ path: '${CONFIG_ROOT}' }] },
    });
    await rpc(app, 'autoSync.set', { setId: set.id, trigger: 'on-change' });
    expect((await rpc(app, 'status.overview', {})).background).toMatchObject({
      running: true,
      autoSyncSets: [set.id],
    });

    const firstRun = nextRecordedRun(app);
    // An editor's save (temp file renamed over the original), a second save, and a new file.
    await writeFile(join(source, '.app.conf.swp'), 'v=2\n');
    await rename(join(source, '.app.conf.swp'), join(source, 'app.conf'));
    await writeFile(join(source, 'app.conf'), 'v=3\n');
    await writeFile(join(source, 'extra.conf'), 'x\n');
    await firstRun;

    for (const s of [s1, s2]) {
      expect(await readFile(join(root(s, 'watch'), 'app.conf'), 'utf8')).toBe('v=3\n');
      expect(await readFile(join(root(s, 'watch'), 'extra.conf'), 'utf8')).toBe('x\n');
    }
    const history = await rpc(app, 'history.list', {});
    expect(history.total).toBe(1);
    const [run] = history.records;
    expect(run?.trigger).toBe('watch');
    expect(run?.setId).toBe(set.id);
    // One run carried the whole burst to both secondaries.
    expect(run?.destinations.map((d) => [d.status, d.counts.created])).toEqual([
      ['ok', 2],
      ['ok', 2],
    ]);
    // An automatic run is told in the app even when it succeeded (notices default to failures only).
    await app.automation.idle();
    expect(notices.filter((n) => n.level === 'info')).toHaveLength(1);

    // The next burst is the next run: exactly one more.
    const secondRun = nextRecordedRun(app);
    await writeFile(join(source, 'extra.conf'), 'y\n');
    await secondRun;
    expect((await rpc(app, 'history.list', {})).total).toBe(2);
    expect(await readFile(join(root(s2, 'watch'), 'extra.conf'), 'utf8')).toBe('y\n');
  });

  it('a polled remote source is picked up within one poll period (fake clock)', async () => {
    const dir = await temp();
    const clock = new FakeClock(Date.parse('2026-02-01T12:00:00Z'));
    const primaryRoot = root(s1, 'polled');
    const secondRoot = root(s2, 'polled');
    await mkdir(primaryRoot, { recursive: true });
    await writeFile(join(primaryRoot, 'a.conf'), 'a=1\n');
    app = compose({
      dataDir: join(dir, 'store'),
      shell: 'browser',
      log: () => undefined,
      automation: { clock, pushWatch: false, remotePollMs: 30_000 },
    });
    await provisionServers(app, [
      { name: 'prim', sshd: s1, role: 'primary', vars: { CONFIG_ROOT: primaryRoot } },
      { name: 'sec', sshd: s2, role: 'secondary', vars: { CONFIG_ROOT: secondRoot } },
    ]);
    const { set } = await rpc(app, 'sets.save', {
      set: { name: 'polled', items: [{ path: '${CONFIG_ROOT}' }] },
    });
    await rpc(app, 'autoSync.set', { setId: set.id, trigger: 'on-change' });

    await writeFile(join(primaryRoot, 'b.conf'), 'b=2\n');
    const run = nextRecordedRun(app);
    await clock.advance(30_000);
    await run;
    expect(await readFile(join(secondRoot, 'b.conf'), 'utf8')).toBe('b=2\n');
    const [record] = (await rpc(app, 'history.list', {})).records;
    expect(record?.trigger).toBe('poll');
    expect(record?.destinations.map((d) => d.status)).toEqual(['ok']);
  });
});
