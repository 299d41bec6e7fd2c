import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSettingsStore } from '../../../src-main/store/settings-store.js';
import { makeTempDir } from '../../support/temp.js';

const writer = fileURLToPath(new URL('./store-writer.ts', import.meta.url));
const COUNT = 120;

function startWriter(dataDir: string, name: string): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', writer, dataDir, name, String(COUNT)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr })));
}

describe('the local store shared by two processes', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await makeTempDir()));
  afterEach(() => cleanup());

  it('loses no write of either process when both write at once', async () => {
    // Both start from the same file, as the app and a CLI run do.
    openSettingsStore(dir).set('before', true);
    const a = startWriter(dir, 'a');
    const b = startWriter(dir, 'b');
    // Give both a moment to load their modules, then let them go together.
    await new Promise((r) => setTimeout(r, 1500));
    writeFileSync(join(dir, 'go'), '');
    const [ra, rb] = await Promise.all([a, b]);
    expect(ra).toEqual({ code: 0, stderr: '' });
    expect(rb).toEqual({ code: 0, stderr: '' });

    const onDisk = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
    const lost: string[] = [];
    for (const name of ['a', 'b'])
      for (let i = 0; i < COUNT; i++) if (onDisk[`${name}-${i}`] !== i) lost.push(`${name}-${i}`);
    expect(lost).toEqual([]);
    expect(onDisk.before).toBe(true);
    // A store opened earlier in this process sees what the others wrote.
    const names = (openSettingsStore(dir).read().servers as Array<{ name: string }>).map((s) => s.name);
    expect(names.some((n) => n.startsWith('a-srv-') || n.startsWith('b-srv-'))).toBe(true);
  });

  it('refuses a write while another process holds the lock, changing nothing', async () => {
    const store = openSettingsStore(dir, { lockWaitMs: 200 });
    store.set('mine', 1);
    const lockfile = (await import('proper-lockfile')).default;
    const release = await lockfile.lock(join(dir, 'config.json'), { realpath: false, stale: 10_000 });
    try {
      expect(() => store.set('mine', 2)).toThrow(expect.objectContaining({ code: 'STORE_LOCKED' }));
    } finally {
      await release();
    }
    expect((JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { mine: number }).mine).toBe(1);
    store.set('mine', 3);
    expect(store.get('mine')).toBe(3);
  });

  it("a whole-document write keeps another process's change to a key it left alone, and writes the keys it changed", () => {
    const mine = openSettingsStore(dir);
    const other = openSettingsStore(dir); // another process's view of the same file
    mine.set('schedules', ['old']);
    const doc = mine.read();
    other.set('notifications', { desktop: 'all' });
    // Written from the copy read before the other's change: servers and one more key changed (an import).
    mine.write({ ...doc, settings: { theme: 'dark' }, schedules: ['imported'] });
    const onDisk = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(onDisk.notifications).toEqual({ desktop: 'all' });
    expect(onDisk.schedules).toEqual(['imported']);
    expect(onDisk.settings).toEqual({ theme: 'dark' });
    expect(other.get('schedules')).toEqual(['imported']);
  });
});
