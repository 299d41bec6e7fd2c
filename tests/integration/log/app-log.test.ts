import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openAppLog } from '../../../src-main/log/app-log.js';
import { startSshd, type SshdServer } from '../../support/sshd.js';
import { makeTempDir } from '../../support/temp.js';
import { runCliIn, serverAddArgs } from '../../support/cli.js';

type Line = Record<string, unknown> & {
  level: string;
  msg: string;
  time: string;
  shell: string;
  pid: number;
};
const linesOf = (text: string): Line[] =>
  text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Line);

describe('app log: <data>/logs/app.log with levels and rotation', () => {
  it('writes JSON lines with time, level, shell, pid and the run and server a line concerns; below the level nothing', async () => {
    const { dir, cleanup } = await makeTempDir();
    try {
      const log = openAppLog(dir, { shell: 'scheduler', level: 'info' });
      log.logger.debug('not written');
      log.logger.info({ runId: '20261201T010000000Z-abcdef', server: 'plant-b' }, 'run finished');
      log.logger.error({ err: new Error('boom') }, 'something failed');
      await log.close();
      expect(log.path).toBe(join(dir, 'logs', 'app.log'));
      const lines = linesOf(await readFile(log.path, 'utf8'));
      expect(lines.map((l) => [l.level, l.msg])).toEqual([
        ['info', 'run finished'],
        ['error', 'something failed'],
      ]);
      expect(lines[0]).toMatchObject({
        shell: 'scheduler',
        pid: process.pid,
        runId: '20261201T010000000Z-abcdef',
        server: 'plant-b',
      });
      expect(Number.isNaN(Date.parse(lines[0]?.time ?? ''))).toBe(false);
      expect((lines[1]?.err as { message: string; stack: string }).message).toBe('boom');
      expect((lines[1]?.err as { stack: string }).stack).toContain('Error: boom');
    } finally {
      await cleanup();
    }
  });

  it('rotates by size into app.log.1 … app.log.N, keeps N copies, and loses no line of the kept ones', async () => {
    const { dir, cleanup } = await makeTempDir();
    try {
      const log = openAppLog(dir, { shell: 'cli', maxSize: '2K', keep: 3 });
      const total = 200;
      for (let i = 0; i < total; i++) {
        log.logger.info({ seq: i, runId: `run-${i}` }, `line ${i} ${'x'.repeat(40)}`);
        // rotating-file-stream rotates between writes; give it the turns it needs.
        if (i % 10 === 9) await new Promise((r) => setImmediate(r));
      }
      await log.close();
      const names = (await readdir(join(dir, 'logs'))).sort();
      expect(names).toEqual(['app.log', 'app.log.1', 'app.log.2', 'app.log.3']);
      const seqs: number[] = [];
      for (const n of ['app.log.3', 'app.log.2', 'app.log.1', 'app.log']) {
        const text = await readFile(join(dir, 'logs', n), 'utf8');
        expect(Buffer.byteLength(text)).toBeLessThan(2048 + 200);
        seqs.push(...linesOf(text).map((l) => l.seq as number));
      }
      // The kept files hold the newest lines, in order, without a gap, up to the last one written.
      expect(seqs.at(-1)).toBe(total - 1);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => total - seqs.length + i));
      expect(seqs.length).toBeGreaterThan(40);
    } finally {
      await cleanup();
    }
  });
});

describe('app log of a real run: one line per destination with run id and server', () => {
  let primary: SshdServer;
  let second: SshdServer;
  let store: string;
  let cleanup: () => Promise<void>;
  const root = (s: SshdServer) => join(s.dataRoot, 'etc-app');

  beforeAll(async () => {
    [primary, second] = await Promise.all([startSshd(), startSshd()]);
    const tmp = await makeTempDir();
    cleanup = tmp.cleanup;
    store = join(tmp.dir, 'store');
    await mkdir(root(primary), { recursive: true });
    await writeFile(join(root(primary), 'a.conf'), 'a=1\n');
    await mkdir(root(second), { recursive: true });
  });
  afterAll(async () => {
    await Promise.all([primary?.stop(), second?.stop()]);
    await cleanup?.();
  });

  it('configsync sync writes the run to app.log with its id, the server name and the set', async () => {
    for (const [s, name, role] of [
      [primary, 'prim', 'primary'],
      [second, 'sec', 'secondary'],
    ] as const) {
      const added = await runCliIn(store, ...serverAddArgs(s, name, role, root(s)));
      expect(added.code, added.err).toBe(0);
    }
    expect((await runCliIn(store, 'sets', 'add', '--name', 'app', '--path', '${ROOT}')).code).toBe(0);
    const sync = await runCliIn(store, 'sync', '--set', 'app', '--yes', '--json');
    expect(sync.code, sync.err).toBe(0);
    const { runId } = JSON.parse(sync.out) as { runId: string };
    const lines = linesOf(await readFile(join(store, 'logs', 'app.log'), 'utf8'));
    const run = lines.filter((l) => l.runId === runId);
    expect(run).toHaveLength(1);
    expect(run[0]).toMatchObject({
      level: 'info',
      shell: 'cli',
      server: 'sec',
      set: 'app',
      status: 'completed',
      filesWritten: 1,
    });
  });
});
