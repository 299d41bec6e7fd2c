import { describe, expect, it } from 'vitest';
import {
  historyQuery,
  queryHistory,
  runResultOf,
  type DestinationResult,
  type RunRecord,
} from '../../../src-shared/model/history.js';
import { parseHistory } from '../../../src-main/services/history/history-store.js';

function dest(serverId: string, status: DestinationResult['status']): DestinationResult {
  return {
    serverId,
    status,
    counts: { created: 1, updated: 0, deleted: 0, unchanged: 3 },
    bytes: 10,
    durationMs: 5,
    message: '',
    logPath: null,
  };
}

function record(
  id: string,
  setId: string,
  destinations: DestinationResult[],
  extra: Partial<RunRecord> = {},
): RunRecord {
  return { id, setId, trigger: 'manual', startedAt: 1000, finishedAt: 2000, destinations, ...extra };
}

const records: RunRecord[] = [
  record('r1', 'web', [dest('b', 'ok'), dest('c', 'ok')]),
  record('r2', 'web', [dest('b', 'ok'), dest('c', 'unreachable')], { trigger: 'schedule' }),
  record('r3', 'dns', [dest('c', 'failed')], { trigger: 'watch' }),
  record('r4', 'dns', [], { error: 'source unreachable', trigger: 'poll' }),
  record('r5', 'web', [dest('b', 'ok')]),
];

describe('run results', () => {
  it('ok, partial, failed', () => {
    expect(records.map(runResultOf)).toEqual(['ok', 'partial', 'failed', 'failed', 'ok']);
  });
});

describe('queryHistory', () => {
  const q = (input: object) => queryHistory(records, historyQuery.parse(input));

  it('newest first, with the total before paging', () => {
    expect(q({}).records.map((r) => r.id)).toEqual(['r5', 'r4', 'r3', 'r2', 'r1']);
    const page = q({ limit: 2, offset: 1 });
    expect(page.total).toBe(5);
    expect(page.records.map((r) => r.id)).toEqual(['r4', 'r3']);
  });

  it('filters by set, server, result and trigger, combined', () => {
    expect(q({ setId: 'dns' }).records.map((r) => r.id)).toEqual(['r4', 'r3']);
    expect(q({ serverId: 'c' }).records.map((r) => r.id)).toEqual(['r3', 'r2', 'r1']);
    expect(q({ result: 'failed' }).records.map((r) => r.id)).toEqual(['r4', 'r3']);
    expect(q({ result: 'partial' }).records.map((r) => r.id)).toEqual(['r2']);
    expect(q({ serverId: 'b', result: 'ok', setId: 'web' }).total).toBe(2);
    expect(q({ trigger: 'schedule' }).records.map((r) => r.id)).toEqual(['r2']);
  });
});

describe('parseHistory', () => {
  it('skips a torn last line and invalid lines, keeps the rest', () => {
    const good = JSON.stringify(records[0]);
    const text = `${good}\n{"id":"x","setId":"web"}\n\n${JSON.stringify(records[1])}\n{"id":"r9","setId":"w`;
    const parsed = parseHistory(text);
    expect(parsed.records.map((r) => r.id)).toEqual(['r1', 'r2']);
    expect(parsed.skippedLines).toBe(2);
  });
});
