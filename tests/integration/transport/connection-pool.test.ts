import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compose, type ComposedApp } from '../../../src-main/compose.js';
import { openSettingsStore } from '../../../src-main/store/settings-store.js';
import { CONNECTIONS_KEY } from '../../../src-main/transport/connection-settings.js';
import { startSshd, type SshdServer } from '../../support/sshd.js';
import { makeTempDir } from '../../support/temp.js';
import { provisionServers, rpc } from '../../support/app.js';

/** Logins sshd accepted so far, read from its own log. */
async function accepted(s: SshdServer): Promise<number> {
  const log = await readFile(s.logPath as string, 'utf8').catch(() => '');
  return log.split('\n').filter((l) => /Accepted publickey for/.test(l)).length;
}

/** Established TCP connections to that sshd, as the kernel sees them. */
function establishedTo(s: SshdServer): number {
  const out = execFileSync('ss', ['-Htn', 'state', 'established', `( dport = :${s.port} )`], {
    encoding: 'utf8',
  });
  return out.split('\n').filter((l) => l.trim()).length;
}

/** The per-connection processes of that sshd: every descendant of the listener (each in its own session). */
function sessionPids(s: SshdServer): number[] {
  const children = (pid: number): number[] => {
    let out = '';
    try {
      out = execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' });
    } catch {
      return [];
    }
    const direct = out.split('\n').filter(Boolean).map(Number);
    return [...direct, ...direct.flatMap(children)];
  };
  return children(s.pid);
}

/** The sessions opened ahead on that server: login shells waiting for their command line. */
function waitingShells(s: SshdServer): number[] {
  return sessionPids(s).filter((pid) => {
    try {
      return execFileSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8' }).includes(
        'IFS= read -r c',
      );
    } catch {
      return false;
    }
  });
}

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('connections kept between runs (the pool of a long-running process)', () => {
  let primary: SshdServer;
  let second: SshdServer;
  let tmp: { dir: string; cleanup: () => Promise<void> };
  let app: ComposedApp;
  let ids: string[];
  let setId: string;
  const store = () => join(tmp.dir, 'store');
  const root = (s: SshdServer) => join(s.dataRoot, 'conf');
  const plan = () => rpc(app, 'sync.plan', { setId });

  beforeAll(async () => {
    [primary, second] = await Promise.all([startSshd({ logFile: true }), startSshd({ logFile: true })]);
    tmp = await makeTempDir();
    await mkdir(root(primary), { recursive: true });
    await mkdir(root(second), { recursive: true });
    await writeFile(join(root(primary), 'app.conf'), 'port=8080\n');
    await mkdir(store(), { recursive: true, mode: 0o700 });
    // A probe every second: a link that stops answering is noticed within a few seconds.
    openSettingsStore(store()).set(CONNECTIONS_KEY, { keepaliveSeconds: 1, openAhead: true });
    app = compose({ dataDir: store(), shell: 'browser', background: false, log: () => undefined });
    ids = await provisionServers(app, [
      { name: 'primary', sshd: primary, role: 'primary', vars: { CONFIG_ROOT: root(primary) } },
      { name: 'second-1', sshd: second, role: 'secondary', vars: { CONFIG_ROOT: root(second) } },
    ]);
    ({
      set: { id: setId },
    } = await rpc(app, 'sets.save', { set: { name: 'app', items: [{ path: '${CONFIG_ROOT}' }] } }));
  });
  afterAll(async () => {
    await app?.dispose();
    await Promise.all([primary?.stop(), second?.stop()]);
    await tmp?.cleanup();
  });

  it('two plans and an apply in one process log in to each server once and keep that one connection', async () => {
    const before = [await accepted(primary), await accepted(second)];
    const first = await plan();
    expect(first.targets.every((t) => t.ok)).toBe(true);
    const again = await plan();
    const { runId } = await rpc(app, 'sync.apply', { planId: again.planId, confirm: [] });
    const record = await rpc(app, 'sync.wait', { runId });
    expect(record.reports.map((r) => r.status)).toEqual(['completed']);
    expect(await readFile(join(root(second), 'app.conf'), 'utf8')).toBe('port=8080\n');
    await rpc(app, 'status.checkNow', {});
    // One login each, whatever ran: the plans, the apply and the status check shared it.
    await until('sshd to log the logins', async () => (await accepted(second)) > before[1]!);
    expect([(await accepted(primary)) - before[0]!, (await accepted(second)) - before[1]!]).toEqual([1, 1]);
    expect(establishedTo(primary)).toBe(1);
    expect(establishedTo(second)).toBe(1);
    expect(app.pool.kept().sort()).toEqual([...ids].sort());
    expect(app.pool.counts.opened).toBe(2);
  });

  it("an idle kept connection holds a session opened ahead, which the next run's listing uses", async () => {
    const planned = await plan();
    const { runId } = await rpc(app, 'sync.apply', { planId: planned.planId, confirm: [] });
    await rpc(app, 'sync.wait', { runId });
    await until('a session opened ahead on the destination', () => waitingShells(second).length === 1);
    const [waiting] = waitingShells(second);
    await plan();
    // It ran the listing (and so exists no more); another waits for the next run.
    await until(
      'the next one',
      () => waitingShells(second).length === 1 && !waitingShells(second).includes(waiting!),
    );
  });

  it('a link that stops answering is noticed by its keepalive and the next plan logs in again', async () => {
    await plan();
    const sessions = sessionPids(second);
    expect(sessions.length).toBeGreaterThan(0);
    const before = await accepted(second);
    // The server's side of the connection freezes: no FIN, no RST, just silence.
    for (const pid of sessions) process.kill(pid, 'SIGSTOP');
    try {
      await until('the pool to let the dead connection go', () => !app.pool.kept().includes(ids[1]!));
    } finally {
      for (const pid of sessions) process.kill(pid, 'SIGCONT');
    }
    const next = await plan();
    expect(next.targets.every((t) => t.ok)).toBe(true);
    expect(await accepted(second)).toBe(before + 1);
  });

  it('a killed sshd is noticed at once; the next run reports it unreachable, and after a restart logs in anew', async () => {
    await plan();
    expect(app.pool.kept()).toContain(ids[1]);
    // The whole server goes: the listener and the process of every connection it accepted.
    await second.halt();
    await until('the pool to drop the closed connection', () => !app.pool.kept().includes(ids[1]!));
    const down = await plan();
    expect(down.targets.map((t) => (t.ok ? 'ok' : t.code))).toEqual(['REFUSED']);
    await second.restart();
    const before = await accepted(second);
    const up = await plan();
    expect(up.targets.every((t) => t.ok)).toBe(true);
    expect(await accepted(second)).toBe(before + 1);
  });

  it('a changed pin closes the kept connection, and the new connection checks the host key', async () => {
    await plan();
    expect(establishedTo(second)).toBe(1);
    // Another process (an import, another shell) pins another key for that server in the store.
    const other = openSettingsStore(store());
    const doc = other.read();
    const wrong = { algorithm: 'ssh-ed25519', fingerprint: `SHA256:${'A'.repeat(43)}` };
    other.write({
      ...doc,
      servers: doc.servers.map((s) => (s.id === ids[1] ? { ...s, pinnedHostKey: wrong } : s)),
    });
    await until('the connection to close', () => establishedTo(second) === 0, 10_000);
    expect(app.pool.kept()).not.toContain(ids[1]);
    const refused = await plan();
    expect(refused.targets.map((t) => (t.ok ? 'ok' : t.code))).toEqual(['HOST_KEY_CHANGED']);
    await rpc(app, 'servers.replaceHostKey', {
      id: ids[1]!,
      fingerprint: second.hostKeyFingerprint,
      confirm: true,
    });
    await rpc(app, 'servers.commit', {});
    expect((await plan()).targets.every((t) => t.ok)).toBe(true);
  });

  it("another process's change to a server (its port) is seen at the next run: the kept connection is not used", async () => {
    await plan();
    const other = compose({ dataDir: store(), shell: 'cli', log: () => undefined });
    try {
      await rpc(other, 'servers.edit', { id: ids[1]!, patch: { port: 1 } });
      await rpc(other, 'servers.commit', {});
    } finally {
      await other.dispose();
    }
    const moved = await plan();
    expect(moved.targets.map((t) => (t.ok ? 'ok' : t.code))).toEqual(['REFUSED']);
    expect(app.pool.kept()).not.toContain(ids[1]);
    // A new address drops the pin: the key there is confirmed again.
    await rpc(app, 'servers.edit', { id: ids[1]!, patch: { port: second.port } });
    await rpc(app, 'servers.trustHostKey', { id: ids[1]!, fingerprint: second.hostKeyFingerprint });
    await rpc(app, 'servers.commit', {});
  });

  it('a connection no one uses is closed after the idle time of the store', async () => {
    // A fresh process (the plans the other one keeps for their apply hold its connections open).
    await app.dispose();
    openSettingsStore(store()).set(CONNECTIONS_KEY, { keepaliveSeconds: 1, keepIdleSeconds: 2 });
    app = compose({ dataDir: store(), shell: 'browser', background: false, log: () => undefined });
    await writeFile(join(root(primary), 'app.conf'), 'port=9090\n');
    const planned = await plan();
    const { runId } = await rpc(app, 'sync.apply', { planId: planned.planId, confirm: [] });
    const done = await rpc(app, 'sync.wait', { runId });
    expect(done.reports.map((r) => `${r.status} ${r.message ?? ''}`)).toEqual(['completed ']);
    expect(establishedTo(second)).toBe(1);
    expect(app.pool.kept().sort()).toEqual([...ids].sort());
    await until(
      'the idle connections to close',
      () => establishedTo(second) === 0 && establishedTo(primary) === 0,
    );
    expect(app.pool.kept()).toEqual([]);
  });
});
