import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { JournalFile, readJournal, readJournalHead, type Journal } from '../../../src-main/engine/journal.js';
import { pruneJournals } from '../../../src-main/engine/recover.js';
import { LocalEndpoint } from '../../../src-main/transport/local-endpoint.js';
import { makeTempDir } from '../../support/temp.js';

const base: Journal = {
  version: 1,
  runId: '20261123T120000000Z-abcdef',
  setName: 'app',
  root: '/srv/app',
  stagingDir: '/srv/app/.configsync-staging-20261123T120000000Z-abcdef',
  backupDir: '/state/backups/app/20261123T120000000Z-abcdef',
  phase: 'prepared',
  startedAt: '2026-11-23T12:00:00.000Z',
  updatedAt: '2026-11-23T12:00:00.000Z',
  writes: Array.from({ length: 5000 }, (_, i) => ({
    path: `conf.d/item-${i}.conf`,
    type: 'file' as const,
    mode: 0o644,
    mtimeMs: 1_700_000_000_000 + i,
    replaces: null,
  })),
  dirs: [{ path: 'conf.d', type: 'dir', mode: 0o755, mtimeMs: 1_700_000_000_000, replaces: null }],
  deletes: [{ path: 'old.conf', type: 'file' }],
};

describe('journal files', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const ep = new LocalEndpoint();
  beforeAll(async () => ({ dir, cleanup } = await makeTempDir()));
  afterAll(async () => cleanup?.());

  it('writes the lists once and a small head per phase, and reads the whole journal back', async () => {
    const path = join(dir, 'journal', `${base.runId}.json`);
    const file = new JournalFile(ep, path);
    await file.write(base);
    const lists = join(dir, 'journal', `${base.runId}.lists`);
    const listsWritten = (await fs.stat(lists)).mtimeMs;
    let j: Journal = { ...base, phase: 'staged' };
    await file.write(j);
    expect((await fs.stat(lists)).mtimeMs).toBe(listsWritten); // unchanged lists are not rewritten
    expect((await fs.stat(path)).size).toBeLessThan(1000);
    expect((await fs.stat(lists)).size).toBeGreaterThan(100_000);
    j = { ...j, phase: 'cancelled', applied: ['conf.d/item-1.conf'], message: 'stopped' };
    await file.write(j);
    const back = await readJournal(ep, path);
    expect(back).toEqual({ ...j, updatedAt: back.updatedAt });
    expect((await readJournalHead(ep, path)).phase).toBe('cancelled');
    expect((await fs.readdir(join(dir, 'journal'))).sort()).toEqual([
      `${base.runId}.json`,
      `${base.runId}.lists`,
    ]);
  });

  it('reads a journal written whole (as earlier versions wrote it)', async () => {
    const path = join(dir, 'whole.json');
    await fs.writeFile(path, JSON.stringify({ ...base, phase: 'swapping' }, null, 1));
    expect(await readJournal(ep, path)).toEqual({ ...base, phase: 'swapping' });
    expect((await readJournalHead(ep, path)).runId).toBe(base.runId);
  });

  it('refuses a head whose lists are missing, misnamed or not lists, and a file that is not a journal', async () => {
    const path = join(dir, 'j2.json');
    await new JournalFile(ep, path).write(base);
    await fs.rm(join(dir, 'j2.lists'));
    await expect(readJournal(ep, path)).rejects.toMatchObject({ code: 'JOURNAL_MISSING' });
    await fs.writeFile(path, JSON.stringify({ ...base, writes: undefined, lists: '../elsewhere.lists' }));
    await expect(readJournal(ep, path)).rejects.toMatchObject({ code: 'JOURNAL_INVALID' });
    await fs.writeFile(path, JSON.stringify({ ...base, writes: undefined, lists: 'j2.lists' }));
    await fs.writeFile(join(dir, 'j2.lists'), '{"writes": 3}');
    await expect(readJournal(ep, path)).rejects.toMatchObject({ code: 'JOURNAL_INVALID' });
    await fs.writeFile(path, 'not json');
    await expect(readJournalHead(ep, path)).rejects.toMatchObject({ code: 'JOURNAL_INVALID' });
  });

  it('prunes finished journals beyond the newest ones, never one of a run that did not finish', async () => {
    const state = join(dir, 'state');
    const id = (i: number) => `20261123T${String(100000 + i).padStart(6, '0')}000Z-abcdef`;
    const smallLists = { writes: [], dirs: [], deletes: [] };
    for (let i = 0; i < 60; i++) {
      const runId = id(i);
      const phase = i === 3 ? 'swapping' : i % 7 === 0 ? 'failed' : 'done';
      await new JournalFile(ep, join(state, 'journal', `${runId}.json`)).write({
        ...base,
        ...smallLists,
        runId,
        phase,
      });
    }
    const gone = await pruneJournals(ep, state, 50);
    // The 10 oldest go, except run 3, which stopped while swapping.
    expect(gone).toEqual([0, 1, 2, 4, 5, 6, 7, 8, 9].map(id));
    const left = (await fs.readdir(join(state, 'journal'))).sort();
    expect(left.filter((n) => n.endsWith('.json'))).toHaveLength(51);
    expect(left).toContain(`${id(3)}.json`);
    expect(left).toContain(`${id(3)}.lists`);
    expect(left).not.toContain(`${id(0)}.lists`);
    expect(left.filter((n) => n.endsWith('.lists'))).toHaveLength(51);
    expect(await pruneJournals(ep, state, 50)).toEqual([]);
  });
});
