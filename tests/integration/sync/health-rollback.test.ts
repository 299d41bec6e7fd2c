import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compose, type ComposedApp } from '../../../src-main/compose.js';
import { startSshd, type SshdServer } from '../../support/sshd.js';
import { makeTempDir } from '../../support/temp.js';
import { provisionServers, rpc } from '../../support/app.js';
import { runCliIn } from '../../support/cli.js';

/** rsync's itemized differences of `to` against `from`: contents by checksum, links, modes, times. */
function rsyncDiff(from: string, to: string): string {
  return execFileSync('rsync', ['-anci', '--delete', `${from}/`, `${to}/`], { encoding: 'utf8' }).trim();
}

const OLD = new Date('2024-05-01T10:00:00Z');

/**
 * A health command that fails on one destination (a marker file beside its root says "this one's
 * service answers 503"), passes on the others: a real probe run by the destination's shell.
 */
const PROBE = 'if [ -e %s.broken ]; then echo "probe refused: 503" >&2; echo "second line" >&2; exit 3; fi';
/** Counts reloads beside the root: the post-apply command runs after the swap, and again after a roll-back. */
const RELOAD = 'echo reload >> "$PWD.reloads"';

describe('the health command: a failure rolls that destination back from its backup (real sshd)', () => {
  let sshd: SshdServer;
  let app: ComposedApp;
  let tmp: { dir: string; cleanup: () => Promise<void> };
  let ids: string[];
  const src = () => join(tmp.dir, 'src');
  const root = (i: number) => join(sshd.dataRoot, `dest-${i}`, 'conf');
  const before = (i: number) => join(tmp.dir, `before-${i}`);

  /** Each destination holds the old tree; a copy of it is taken for the oracle. */
  async function resetDestinations(): Promise<void> {
    for (const i of [1, 2, 3]) {
      await rm(join(sshd.dataRoot, `dest-${i}`), { recursive: true, force: true });
      await mkdir(join(root(i), 'sites'), { recursive: true });
      await writeFile(join(root(i), 'app.conf'), 'listen 80\n');
      await writeFile(join(root(i), 'sites', 'a.conf'), 'site a v1\n');
      await writeFile(join(root(i), 'retired.conf'), 'deleted by the run\n');
      for (const p of ['app.conf', 'sites/a.conf', 'retired.conf', 'sites', '.'])
        await utimes(join(root(i), p), OLD, OLD);
      await rm(before(i), { recursive: true, force: true });
      execFileSync('cp', ['-a', root(i), before(i)]);
    }
  }

  beforeAll(async () => {
    sshd = await startSshd();
    tmp = await makeTempDir('configsync-health-');
    await mkdir(join(src(), 'sites', 'new'), { recursive: true });
    await writeFile(join(src(), 'app.conf'), 'listen 8080\n');
    await writeFile(join(src(), 'sites', 'a.conf'), 'site a v2\n');
    await writeFile(join(src(), 'sites', 'new', 'b.conf'), 'site b\n');
    app = compose({ dataDir: join(tmp.dir, 'store'), shell: 'cli', log: () => undefined });
    await rpc(app, 'servers.edit', { id: 'local', patch: { vars: { CONFIG_ROOT: src() } } });
    await rpc(app, 'servers.setRole', { id: 'local', role: 'primary' });
    ids = await provisionServers(
      app,
      [1, 2, 3].map((i) => ({
        name: `dest-${i}`,
        sshd,
        role: 'secondary' as const,
        vars: { CONFIG_ROOT: root(i) },
        timeoutSec: 10,
      })),
    );
  }, 60_000);
  afterAll(async () => {
    await app?.dispose();
    await sshd?.stop();
    await tmp?.cleanup();
  });

  async function runSet(set: Record<string, unknown>, destinationServerIds?: string[]) {
    const { sets } = await rpc(app, 'sets.list', {});
    const existing = sets.find((s) => s.name === set.name);
    const saved = await rpc(app, 'sets.save', {
      set: { items: [{ path: '${CONFIG_ROOT}' }], ...(existing ? { id: existing.id } : {}), ...set } as never,
    });
    const plan = await rpc(app, 'sync.plan', {
      setId: saved.set.id,
      ...(destinationServerIds ? { destinationServerIds } : {}),
    });
    expect(plan.targets.every((t) => t.ok)).toBe(true);
    const { runId } = await rpc(app, 'sync.apply', { planId: plan.planId });
    const record = await rpc(app, 'sync.wait', { runId });
    return new Map(record.reports.map((r) => [ids.indexOf(r.targetId.replace(/#\d+$/, '')) + 1, r]));
  }

  it('one at a time, stop after 1: the healthy first goes live, the failing second is rolled back as it was, the third is not started', async () => {
    await resetDestinations();
    await writeFile(`${root(2)}.broken`, '');
    const reports = await runSet({
      name: 'web',
      postApplyCommand: RELOAD,
      healthCommand: PROBE,
      rollout: { order: 'one-at-a-time', stopAfterFailures: 1 },
    });
    await rm(`${root(2)}.broken`);

    expect(reports.get(1)?.status).toBe('completed');
    expect(rsyncDiff(src(), root(1))).toBe('');

    const r2 = reports.get(2);
    expect(r2?.status).toBe('failed');
    expect(r2?.code).toBe('HEALTH_FAILED');
    expect(r2?.message).toBe('rolled back: health command failed (exit 3: probe refused: 503)');
    expect(r2?.applied).toEqual([]);
    expect(r2?.errors).toEqual([]);
    // Exactly as before the run: contents, modes, and the times of every file and folder, the root's too.
    expect(rsyncDiff(before(2), root(2))).toBe('');
    expect(await readFile(`${root(2)}.reloads`, 'utf8')).toBe('reload\nreload\n');
    expect(await readFile(`${root(1)}.reloads`, 'utf8')).toBe('reload\n');

    expect(reports.get(3)?.status).toBe('cancelled');
    expect(reports.get(3)?.message).toMatch(/roll-out stopped after 1 failed destination/);
    expect(rsyncDiff(before(3), root(3))).toBe('');
  });

  it('a health command that does not answer in time is stopped and counts as failed: rolled back', async () => {
    await resetDestinations();
    const started = Date.now();
    const reports = await runSet({ name: 'slow', healthCommand: 'sleep 31.25; true', healthTimeoutSec: 1 }, [
      ids[0] as string,
    ]);
    expect(Date.now() - started).toBeLessThan(25_000);
    // Stopped on the server too, not only given up on.
    expect(() => execFileSync('pgrep', ['-f', 'sleep 31.25'])).toThrow();
    expect(reports.get(1)?.message).toBe('rolled back: health command failed (timed out after 1 s)');
    expect(rsyncDiff(before(1), root(1))).toBe('');
  });

  it('an edit made between the swap and the roll-back is left as it is and listed, as recover does', async () => {
    await resetDestinations();
    const reports = await runSet({ name: 'edited', healthCommand: 'echo "hand edit" > app.conf; exit 4' }, [
      ids[0] as string,
    ]);
    const r = reports.get(1);
    expect(r?.code).toBe('HEALTH_FAILED');
    expect(r?.message).toBe(
      'rolled back: health command failed (exit 4); 1 path(s) changed since the swap were left as they are',
    );
    expect(r?.errors.map((e) => e.path)).toEqual(['app.conf']);
    expect(r?.errors[0]?.message).toMatch(/^left as it is: /);
    expect(await readFile(join(root(1), 'app.conf'), 'utf8')).toBe('hand edit\n');
    // Everything else is as it was.
    const diff = rsyncDiff(before(1), root(1)).split('\n');
    expect(diff.filter((l) => !/ app\.conf$/.test(l) && l !== '.d..t...... ./')).toEqual([]);
  });

  it('the CLI takes and shows the health command, and a sync whose health command fails exits 3 saying it rolled back', async () => {
    await resetDestinations();
    const store = join(tmp.dir, 'store');
    const add = await runCliIn(
      store,
      'sets',
      'add',
      '--name',
      'cli-health',
      '--path',
      '${CONFIG_ROOT}',
      '--health',
      'echo "bad gateway" >&2; exit 2',
      '--health-timeout',
      '5',
    );
    expect(add.code).toBe(0);
    expect(add.out).toContain(
      'health: echo "bad gateway" >&2; exit 2 (roll back when it fails or takes over 5 s)',
    );
    const list = await runCliIn(store, 'sets', 'list');
    expect(list.out).toContain('cli-health health: echo "bad gateway" >&2; exit 2');
    const { sets } = await rpc(app, 'sets.list', {});
    expect(sets.find((s) => s.name === 'cli-health')).toMatchObject({
      healthCommand: 'echo "bad gateway" >&2; exit 2',
      healthTimeoutSec: 5,
    });
    const sync = await runCliIn(store, 'sync', '--set', 'cli-health', '--to', 'dest-3', '--yes');
    expect(sync.code).toBe(3);
    expect(sync.out + sync.err).toContain('rolled back: health command failed (exit 2: bad gateway)');
    expect(rsyncDiff(before(3), root(3))).toBe('');
  });
});
