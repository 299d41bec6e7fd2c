import { describe, expect, it } from 'vitest';
import { restoredAt, type RunRecord } from '../../../src-shared/model/history.js';
import { restoreRecord } from '../../../src-main/services/history/restore-record.js';

const run: RunRecord = {
  id: '20261201T100000-aaaa',
  setId: 'set-1',
  trigger: 'manual',
  startedAt: 1000,
  finishedAt: 2000,
  destinations: [],
};

describe('a restore as a run of its own', () => {
  it('is a history line naming the run it undid, and marks that run restored on its server only', () => {
    const ok = restoreRecord({
      serverId: 'srv-b',
      setId: 'set-1',
      runId: run.id,
      trigger: 'manual',
      startedAt: 5000,
      finishedAt: 6000,
      outcome: { ok: true, restored: 3, removed: 2, errors: 0 },
    });
    expect(ok).toMatchObject({ kind: 'restore', restores: run.id, setId: 'set-1' });
    expect(ok.destinations[0]).toMatchObject({
      serverId: 'srv-b',
      status: 'ok',
      counts: { updated: 3, deleted: 2 },
    });
    expect(ok.destinations[0]?.message).toContain('3 put back, 2 removed');
    expect(restoredAt([run, ok], run.id)).toBe(6000);
    expect(restoredAt([run, ok], run.id, 'srv-b')).toBe(6000);
    expect(restoredAt([run, ok], run.id, 'srv-c')).toBeNull();
  });

  it('a failed restore is recorded as failed and does not mark the run restored', () => {
    const failed = restoreRecord({
      serverId: 'srv-b',
      setId: 'set-1',
      runId: run.id,
      trigger: 'cli',
      startedAt: 5000,
      finishedAt: 5100,
      outcome: { ok: false, message: 'The host did not answer in time.' },
    });
    expect(failed.destinations[0]?.status).toBe('failed');
    expect(failed.destinations[0]?.message).toContain('did not answer');
    expect(restoredAt([run, failed], run.id)).toBeNull();
  });
});
