import { describe, expect, it } from 'vitest';
import { historyRecordOf } from '../../../src-main/services/history/history-record.js';
import type { RunRecord as SyncRunRecord } from '../../../src-main/services/sync/sync-service.js';
import { runRecord } from '../../../src-shared/model/history.js';
import type { RunStatus } from '../../../src-shared/model/sync.js';

function report(
  targetId: string,
  status: RunStatus,
  counts: { create: number; update: number; delete: number; keep: number },
  bytes: number,
) {
  return {
    runId: 'r1',
    destination: targetId,
    status,
    message: status === 'completed' ? undefined : `${status} here`,
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:00:02.000Z',
    durationMs: 2000,
    counts: { ...counts, 'skip-newer-on-destination': 0 },
    filesWritten: counts.create + counts.update,
    filesDeleted: counts.delete,
    bytesWritten: bytes,
    applied: [],
    notApplied: [],
    errors: [],
    mismatches: [],
    verified: true,
    fastPath: true,
    targetId,
  };
}

describe('historyRecordOf: a sync run as one history line', () => {
  it('one result per server over its items: counts and bytes summed, the worst status kept', () => {
    const run: SyncRunRecord = {
      runId: 'r1',
      setName: 'web',
      startedAt: '2026-01-01T00:00:00.000Z',
      finishedAt: '2026-01-01T00:00:05.000Z',
      state: 'finished',
      reports: [
        report('srv-a#0', 'completed', { create: 1, update: 2, delete: 0, keep: 5 }, 100),
        report('srv-b#0', 'unreachable', { create: 0, update: 0, delete: 0, keep: 0 }, 0),
        report('srv-a#1', 'completed-with-errors', { create: 3, update: 0, delete: 1, keep: 1 }, 50),
      ],
    };
    const line = historyRecordOf(run, { setId: 'set-web', trigger: 'watch' }, '/data/logs');
    expect(runRecord.parse(line)).toEqual(line);
    expect(line).toMatchObject({
      id: 'r1',
      setId: 'set-web',
      trigger: 'watch',
      finishedAt: line.startedAt + 5000,
    });
    expect(line.destinations).toEqual([
      {
        serverId: 'srv-a',
        status: 'failed',
        counts: { created: 4, updated: 2, deleted: 1, unchanged: 6 },
        bytes: 150,
        durationMs: 2000,
        message: 'completed-with-errors here',
        logPath: '/data/logs/r1.log',
      },
      expect.objectContaining({ serverId: 'srv-b', status: 'unreachable', message: 'unreachable here' }),
    ]);
    expect(line.error).toBeUndefined();
  });

  it('a run with no report is a failed line', () => {
    const line = historyRecordOf(
      { runId: 'r2', setName: 'web', startedAt: '2026-01-01T00:00:00.000Z', state: 'finished', reports: [] },
      { setId: 's', trigger: 'cli' },
      '/l',
    );
    expect(line.error).toMatch(/No destination/);
    expect(line.finishedAt).toBe(line.startedAt);
  });
});
