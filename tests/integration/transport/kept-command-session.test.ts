import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compose, type ComposedApp } from '../../../src-main/compose.js';
import { startSshd, type SshdServer } from '../../support/sshd.js';
import { makeTempDir } from '../../support/temp.js';
import { provisionServers, rpc } from '../../support/app.js';

/** Sessions sshd started so far (each command on a session of its own is one), from its own log. */
async function sessions(s: SshdServer): Promise<number> {
  const log = await readFile(s.logPath as string, 'utf8').catch(() => '');
  return log.split('\n').filter((l) => /Starting session/.test(l)).length;
}

/** The command sessions running on that server: the loop that reads one command after another. */
function commandSessions(s: SshdServer): number {
  try {
    return execFileSync('pgrep', ['-f', 'read -r cl il'], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .filter((pid) => {
        // Only this server's: its sshd is an ancestor.
        for (let p = Number(pid); p > 1;) {
          if (p === s.pid) return true;
          const stat = execFileSync('ps', ['-o', 'ppid=', '-p', String(p)], { encoding: 'utf8' }).trim();
          p = Number(stat);
        }
        return false;
      }).length;
  } catch {
    return 0;
  }
}

const SOME_TIME = new Date('2026-01-01T00:00:00Z');
const changes = (p: {
  targets: ReadonlyArray<{ ok: boolean; summary?: { counts: Record<string, number> } }>;
}) =>
  p.targets.map((t) => (t.ok ? (t.summary?.counts.create ?? 0) + (t.summary?.counts.update ?? 0) : 'failed'));

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('a process that serves runs one after another keeps each server’s command session', () => {
  let source: SshdServer;
  let dest: SshdServer;
  let tmp: { dir: string; cleanup: () => Promise<void> };
  let app: ComposedApp;
  let setId: string;
  const root = (s: SshdServer) => join(s.dataRoot, 'conf');
  const plan = () => rpc(app, 'sync.plan', { setId });
  /** A plan and its apply, as `configsync sync --yes` makes them: what the plan found to do, per destination. */
  const run = async () => {
    const planned = await plan();
    const { runId } = await rpc(app, 'sync.apply', { planId: planned.planId, confirm: [] });
    const record = await rpc(app, 'sync.wait', { runId });
    expect(record.reports.map((r) => r.status)).toEqual(['completed']);
    return changes(planned);
  };

  beforeAll(async () => {
    [source, dest] = await Promise.all([startSshd(), startSshd({ logFile: 'verbose' })]);
    tmp = await makeTempDir();
    await mkdir(root(source), { recursive: true });
    await mkdir(root(dest), { recursive: true });
    // The destination already holds the source's copy: a plan finds nothing to do.
    for (const s of [source, dest]) {
      await writeFile(join(root(s), 'app.conf'), 'port=8080\n');
      await utimes(join(root(s), 'app.conf'), SOME_TIME, SOME_TIME);
      await utimes(root(s), SOME_TIME, SOME_TIME);
    }
    const store = join(tmp.dir, 'store');
    await mkdir(store, { recursive: true, mode: 0o700 });
    app = compose({ dataDir: store, shell: 'browser', background: false, log: () => undefined });
    await provisionServers(app, [
      { name: 'primary', sshd: source, role: 'primary', vars: { CONFIG_ROOT: root(source) } },
      { name: 'second', sshd: dest, role: 'secondary', vars: { CONFIG_ROOT: root(dest) } },
    ]);
    ({
      set: { id: setId },
    } = await rpc(app, 'sets.save', { set: { name: 'app', items: [{ path: '${CONFIG_ROOT}' }] } }));
  });
  afterAll(async () => {
    await app?.dispose();
    await Promise.all([source?.stop(), dest?.stop()]);
    await tmp?.cleanup();
  });

  it('before it serves runs, a plan with nothing to do leaves no command session on the destination', async () => {
    expect(await run()).toEqual([0]);
    await new Promise((r) => setTimeout(r, 1000));
    expect(commandSessions(dest)).toBe(0);
  });

  it('once it serves runs, a kept connection keeps a command session, and the next plan lists the destination on it: no new session on the server', async () => {
    await rpc(app, 'scheduler.start', {});
    expect(await run()).toEqual([0]);
    await until('the command session kept on the destination', () => commandSessions(dest) === 1);
    const before = await sessions(dest);
    expect(before).toBeGreaterThan(0); // the probe, listings and the command session itself were logged
    expect(await run()).toEqual([0]);
    // sshd logs each session it starts; a moment for one the plan might have started.
    await new Promise((r) => setTimeout(r, 500));
    expect(await sessions(dest)).toBe(before);
    // Each plan lists anew: a change made on the destination since is seen, on the same session.
    await writeFile(join(root(dest), 'app.conf'), 'port=1\n');
    expect(await run()).toEqual([1]);
    expect(await readFile(join(root(dest), 'app.conf'), 'utf8')).toBe('port=8080\n');
    expect(await run()).toEqual([0]);
    await new Promise((r) => setTimeout(r, 500));
    expect(commandSessions(dest)).toBe(1);
  });
});
