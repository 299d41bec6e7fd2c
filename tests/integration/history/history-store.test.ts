import { afterEach, describe, expect, it } from 'vitest';
import { appendFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HistoryStore } from '../../../src-main/services/history/history-store.js';
import { historyQuery, type RunRecord } from '../../../src-shared/model/history.js';
import { makeTempDir } from '../../support/temp.js';

function record(id: string, setId: string, serverId: string, status: 'ok' | 'failed' = 'ok'): RunRecord {
  return {
    id,
    setId,
    trigger: 'schedule',
    startedAt: 1_750_000_000_000,
    finishedAt: 1_750_000_004_000,
    destinations: [
      {
        serverId,
        status,
        counts: { created: 2, updated: 1, deleted: 0, unchanged: 10 },
        bytes: 4096,
        durationMs: 3500,
        message: status === 'ok' ? 'applied' : 'permission denied',
        logPath: `/logs/${id}-${serverId}.log`,
      },
    ],
  };
}

describe('HistoryStore on a real file', () => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => cleanup?.());

  async function store() {
    const tmp = await makeTempDir('configsync-history-');
    cleanup = tmp.cleanup;
    return { dir: tmp.dir, store: HistoryStore.inDataDir(tmp.dir) };
  }

  it('starts empty, appends one JSON line per run, and reads them back newest first', async () => {
    const { dir, store: s } = await store();
    expect(await s.list(historyQuery.parse({}))).toEqual({ total: 0, records: [] });
    await Promise.all([
      s.append(record('r1', 'web', 'b')),
      s.append(record('r2', 'web', 'c', 'failed')),
      s.append(record('r3', 'dns', 'b')),
    ]);
    const lines = (await readFile(join(dir, 'history.jsonl'), 'utf8')).split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe('');
    expect(JSON.parse(lines[0]!)).toEqual(record('r1', 'web', 'b'));
    const page = await s.list(historyQuery.parse({ setId: 'web' }));
    expect(page.records.map((r) => r.id)).toEqual(['r2', 'r1']);
    expect((await s.list(historyQuery.parse({ result: 'failed' }))).records.map((r) => r.id)).toEqual(['r2']);
    expect((await s.list(historyQuery.parse({ serverId: 'b', limit: 1 }))).records.map((r) => r.id)).toEqual([
      'r3',
    ]);
    expect(await s.get('r2')).toEqual(record('r2', 'web', 'c', 'failed'));
    expect(await s.get('nope')).toBeNull();
  });

  it('refuses a record that does not fit the schema, and writes nothing', async () => {
    const { dir, store: s } = await store();
    await expect(s.append({ ...record('r1', 'web', 'b'), trigger: 'cron' as never })).rejects.toThrow();
    await expect(readFile(join(dir, 'history.jsonl'), 'utf8')).rejects.toThrow(/ENOENT/);
  });

  it('survives a torn last line (a crash mid-write): reads skip it, the next append starts a fresh line', async () => {
    const { dir, store: s } = await store();
    await s.append(record('r1', 'web', 'b'));
    await s.append(record('r2', 'web', 'c'));
    const torn = JSON.stringify(record('r3', 'web', 'b')).slice(0, 57);
    await appendFile(join(dir, 'history.jsonl'), torn);
    const afterCrash = await s.readAll();
    expect(afterCrash.records.map((r) => r.id)).toEqual(['r1', 'r2']);
    expect(afterCrash.skippedLines).toBe(1);
    await s.append(record('r4', 'web', 'b'));
    const text = await readFile(join(dir, 'history.jsonl'), 'utf8');
    expect(text.split('\n')[2]).toBe(torn);
    const after = await s.readAll();
    expect(after.records.map((r) => r.id)).toEqual(['r1', 'r2', 'r4']);
    expect(after.skippedLines).toBe(1);
    // A new store on the same file (the next app start) reads the same.
    expect((await HistoryStore.inDataDir(dir).list(historyQuery.parse({}))).records.map((r) => r.id)).toEqual(
      ['r4', 'r2', 'r1'],
    );
  });
});
