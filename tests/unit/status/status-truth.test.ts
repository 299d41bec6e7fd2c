import { describe, expect, it } from 'vitest';
import { healthNow } from '../../../src-main/services/status/status-service.js';
import { differencesLeft } from '../../../src-main/services/sync/plan-selection.js';
import { plan } from '../../../src-main/engine/plan.js';
import type { HealthState } from '../../../src-shared/contract/methods/status.js';
import type { RunRecord } from '../../../src-shared/model/history.js';
import type { Server } from '../../../src-shared/model/server.js';
import type { FileIndex, FileEntry } from '../../../src-shared/model/sync.js';

const counts = { created: 0, updated: 1, deleted: 0, unchanged: 0 };
function run(id: string, at: number, status: 'ok' | 'unreachable'): RunRecord {
  return {
    id,
    setId: 's',
    trigger: 'manual',
    startedAt: at - 1000,
    finishedAt: at,
    destinations: [
      { serverId: 'b', status, counts, bytes: 1, durationMs: 1, message: status, logPath: null },
    ],
  };
}
function secondary(contact: { at: number; ok: boolean } | null): Server {
  return {
    kind: 'ssh',
    id: 'b',
    name: 'b',
    host: 'h',
    port: 22,
    user: 'u',
    role: 'secondary',
    contactTimeoutSec: 5,
    vars: {},
    auth: { kind: 'app-key' },
    pinnedHostKey: null,
    lastContact: contact
      ? {
          at: new Date(contact.at).toISOString(),
          ok: contact.ok,
          message: contact.ok ? 'Connected.' : 'refused',
        }
      : null,
  };
}
const failedCheck = (at: number): HealthState => ({
  state: 'failed',
  checkedAt: at,
  checks: [
    { id: 'link', state: 'failed', message: 'refused' },
    { id: 'free-space', state: 'unknown', message: 'Not reachable.' },
    { id: 'backups', state: 'ok', message: 'No run has changed files here yet.' },
    { id: 'errors', state: 'ok', message: 'No run yet.' },
  ],
});

describe('the status tab: health read with the same records as the other cells', () => {
  it('a run that reached the server after a failed check answers the link and the errors, and says from where', () => {
    const h = healthNow(secondary({ at: 5000, ok: true }), failedCheck(1000), [run('r2', 5000, 'ok')], 5000);
    expect(h.checks.find((c) => c.id === 'link')).toMatchObject({
      state: 'ok',
      source: { kind: 'check', at: 5000 },
    });
    expect(h.checks.find((c) => c.id === 'errors')).toMatchObject({
      state: 'ok',
      source: { kind: 'run', runId: 'r2', at: 5000 },
    });
    expect(h.state).not.toBe('failed');
  });

  it('a check newer than every contact and run stands as it is, said to be the check', () => {
    const h = healthNow(secondary({ at: 900, ok: true }), failedCheck(1000), [run('r1', 800, 'ok')], 800);
    expect(h.state).toBe('failed');
    expect(h.checks.find((c) => c.id === 'link')).toMatchObject({
      state: 'failed',
      source: { kind: 'check', at: 1000 },
    });
  });

  it("the latest run failing is the errors check's failure, whatever the older check said", () => {
    const ok: HealthState = {
      state: 'ok',
      checkedAt: 1000,
      checks: [
        { id: 'link', state: 'ok', message: 'Reachable.' },
        { id: 'errors', state: 'ok', message: 'No errors in the last 1 run(s).' },
      ],
    };
    const h = healthNow(
      secondary({ at: 1000, ok: true }),
      ok,
      [run('r1', 800, 'ok'), run('r2', 3000, 'unreachable')],
      800,
    );
    expect(h.checks.find((c) => c.id === 'errors')).toMatchObject({
      state: 'failed',
      source: { runId: 'r2' },
    });
    expect(h.state).toBe('failed');
  });
});

describe('differencesLeft: what an Easy plan leaves different from the source', () => {
  const file = (path: string, size: number, mtimeMs: number): FileEntry =>
    ({ path, type: 'file', size, mtimeMs, mode: 0o644 }) as FileEntry;
  const index = (entries: FileEntry[]): FileIndex => ({ root: '/r', entries }) as unknown as FileIndex;
  it('counts extras and newer destination files in update mode, nothing in mirror mode after it applied', () => {
    const src = index([file('a', 1, 1000), file('b', 1, 1000)]);
    const dst = index([file('a', 1, 1000), file('b', 2, 9_000_000), file('x', 1, 1000), file('y', 1, 1000)]);
    const easy = plan(src, dst, { mode: 'update', compare: 'time-size', toleranceMs: 0 } as never);
    expect(differencesLeft(easy)).toBe(3);
    const strict = plan(src, dst, { mode: 'mirror', compare: 'time-size', toleranceMs: 0 } as never);
    expect(differencesLeft(strict)).toBe(0);
  });
});
