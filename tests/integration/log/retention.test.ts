import { describe, expect, it } from 'vitest';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import { newRunId } from '../../../src-main/engine/apply.js';
import { pruneRunLogs, readRunRecords, runIdTime } from '../../../src-main/log/prune-runs.js';
import { Housekeeping } from '../../../src-main/log/housekeeping.js';
import { defaultRetention, retentionFrom } from '../../../src-main/log/retention.js';
import { HistoryStore } from '../../../src-main/services/history/history-store.js';
import type { RunRecord } from '../../../src-shared/model/history.js';
import { makeTempDir } from '../../support/temp.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 11, 1, 12, 0, 0);

async function writeRun(dir: string, at: number): Promise<string> {
  const id = newRunId(new Date(at));
  await writeFile(join(dir, `${id}.log`), `{"event":"started","runId":"${id}"}\n`);
  await writeFile(
    join(dir, `${id}.json`),
    JSON.stringify({
      runId: id,
      setName: 's',
      startedAt: new Date(at).toISOString(),
      state: 'finished',
      reports: [],
    }),
  );
  return id;
}

const record = (id: string, finishedAt: number): RunRecord => ({
  id,
  setId: 'set-1',
  trigger: 'schedule',
  startedAt: finishedAt - 1000,
  finishedAt,
  destinations: [],
});

describe('run logs and run records: pruned by age and count, read newest first', () => {
  it('reads a run id’s start time from its name', () => {
    expect(runIdTime(newRunId(new Date(NOW)))).toBe(NOW);
    expect(runIdTime('not-a-run')).toBeNull();
  });

  it('keeps the newest N and nothing older than D days; a run under way and other files stay', async () => {
    const { dir, cleanup } = await makeTempDir();
    try {
      const ids: string[] = [];
      for (let i = 0; i < 8; i++) ids.push(await writeRun(dir, NOW - i * DAY)); // ids[0] newest
      await writeFile(join(dir, 'app.log'), 'x\n');
      const active = ids[7] as string; // oldest, but "under way"
      const { removed } = await pruneRunLogs(dir, { keep: 5, days: 3 }, NOW, new Set([active]));
      // Count keeps ids[0..4]; age (3 days) keeps ids[0..3]; ids[7] is active.
      expect([...removed].sort()).toEqual([ids[4], ids[5], ids[6]].sort());
      const left = (await readdir(dir)).sort();
      expect(left).toEqual(
        [
          'app.log',
          ...[ids[0], ids[1], ids[2], ids[3], ids[7]].flatMap((id) => [`${id}.json`, `${id}.log`]),
        ].sort(),
      );
    } finally {
      await cleanup();
    }
  });

  it('reads only the newest records asked for, newest first, skipping a torn one', async () => {
    const { dir, cleanup } = await makeTempDir();
    try {
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) ids.push(await writeRun(dir, NOW - i * 60_000));
      await writeFile(join(dir, `${ids[1]}.json`), '{"runId": "torn'); // killed while writing
      const got = await readRunRecords<{ runId: string }>(dir, 3);
      expect(got.map((r) => r.runId)).toEqual([ids[0], ids[2], ids[3]]);
    } finally {
      await cleanup();
    }
  });
});

describe('history.jsonl: pruned by age and count, looked up from its end', () => {
  it('keeps the newest records within the age, drops torn lines, and rewrites nothing when nothing goes', async () => {
    const { dir, cleanup } = await makeTempDir();
    try {
      const store = HistoryStore.inDataDir(dir);
      for (let i = 9; i >= 0; i--) await store.append(record(`r${i}`, NOW - i * DAY)); // r9 oldest
      const text = await readFile(store.path, 'utf8');
      await writeFile(store.path, `{"id":"torn"\n${text}`);
      const first = await store.prune({ maxRecords: 6, maxAgeDays: 7 }, NOW);
      // Age keeps r0..r7, count keeps the newest 6 of them; the torn line goes too.
      expect(first.removed).toBe(5);
      const { records, skippedLines } = await store.readAll();
      expect(skippedLines).toBe(0);
      expect(records.map((r) => r.id)).toEqual(['r5', 'r4', 'r3', 'r2', 'r1', 'r0']);
      const before = await readFile(store.path, 'utf8');
      expect((await store.prune({ maxRecords: 6, maxAgeDays: 7 }, NOW)).removed).toBe(0);
      expect(await readFile(store.path, 'utf8')).toBe(before);
      expect((await readdir(dir)).filter((n) => n !== 'history.jsonl')).toEqual([]);
    } finally {
      await cleanup();
    }
  });

  it('an append from another store object (another process) while compacting is never lost', async () => {
    const { dir, cleanup } = await makeTempDir();
    try {
      const a = HistoryStore.inDataDir(dir);
      const b = HistoryStore.inDataDir(dir);
      for (let i = 0; i < 300; i++) await a.append(record(`old-${i}`, NOW - 400 * DAY + i));
      for (let i = 0; i < 50; i++) await a.append(record(`keep-${i}`, NOW - i));
      const appends = Array.from({ length: 20 }, (_, i) => b.append(record(`late-${i}`, NOW)));
      const pruned = a.prune({ maxRecords: 1000, maxAgeDays: 365 }, NOW);
      await Promise.all([...appends, pruned]);
      const ids = (await a.readAll()).records.map((r) => r.id);
      expect(ids.filter((id) => id.startsWith('old-'))).toEqual([]);
      expect(ids.filter((id) => id.startsWith('keep-'))).toHaveLength(50);
      expect(ids.filter((id) => id.startsWith('late-')).sort()).toEqual(
        Array.from({ length: 20 }, (_, i) => `late-${i}`).sort(),
      );
    } finally {
      await cleanup();
    }
  });

  it('get() finds a record from the end of a file larger than one read chunk', async () => {
    const { dir, cleanup } = await makeTempDir();
    try {
      const store = HistoryStore.inDataDir(dir);
      const lines = Array.from({ length: 1500 }, (_, i) => JSON.stringify(record(`r${i}`, NOW - (1500 - i))));
      await writeFile(store.path, `${lines.join('\n')}\n`);
      expect((await readFile(store.path)).length).toBeGreaterThan(64 * 1024 * 2);
      expect((await store.get('r1499'))?.finishedAt).toBe(NOW - 1);
      expect((await store.get('r0'))?.finishedAt).toBe(NOW - 1500);
      expect(await store.get('r15000')).toBeNull();
    } finally {
      await cleanup();
    }
  });
});

describe('housekeeping: the store’s retention settings, once per interval', () => {
  it('defaults fill what the settings leave out; a bad field falls back alone', () => {
    expect(retentionFrom(undefined)).toEqual(defaultRetention);
    expect(retentionFrom({ runs: 20 })).toEqual({ ...defaultRetention, runs: 20 });
    expect(retentionFrom({ runs: -1, historyDays: 30 })).toEqual({ ...defaultRetention, historyDays: 30 });
  });

  it('prunes run files and history after a run, and not again within the interval', async () => {
    const { dir, cleanup } = await makeTempDir();
    try {
      const logsDir = join(dir, 'logs');
      await (await import('node:fs/promises')).mkdir(logsDir);
      for (let i = 0; i < 4; i++) await writeRun(logsDir, NOW - i * 60_000);
      const history = HistoryStore.inDataDir(dir);
      for (let i = 0; i < 4; i++) await history.append(record(`r${i}`, NOW - i));
      let now = NOW;
      const h = new Housekeeping({
        logsDir,
        history,
        retention: () => ({ ...defaultRetention, runs: 2, historyRecords: 3 }),
        activeRuns: () => new Set(),
        logger: pino({ level: 'silent' }),
        now: () => now,
        minIntervalMs: 60_000,
      });
      h.afterRun();
      await h.idle();
      expect((await readdir(logsDir)).length).toBe(4);
      expect((await history.readAll()).records).toHaveLength(3);
      await writeRun(logsDir, NOW + 1000);
      now += 30_000;
      h.afterRun(); // within the interval: nothing
      await h.idle();
      expect((await readdir(logsDir)).length).toBe(6);
      now += 31_000;
      h.afterRun();
      await h.idle();
      expect((await readdir(logsDir)).length).toBe(4);
    } finally {
      await cleanup();
    }
  });
});
