import { afterEach, describe, expect, it } from 'vitest';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { JsonFileLastRunStore } from '../../../src-main/scheduler/last-run-store.js';
import { makeTempDir } from '../../support/temp.js';

describe('JsonFileLastRunStore', () => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => cleanup?.());

  it('persists across instances (app restarts), forgets deleted entries, and survives a damaged file', async () => {
    const tmp = await makeTempDir('configsync-lastrun-');
    cleanup = tmp.cleanup;
    const path = join(tmp.dir, 'scheduler-state.json');
    const a = new JsonFileLastRunStore(path);
    expect(a.get('nightly')).toBeUndefined();
    a.set('nightly', 1_750_000_000_000);
    a.set('weekly', 1_750_000_100_000);
    a.delete('weekly');
    const b = new JsonFileLastRunStore(path);
    expect(b.get('nightly')).toBe(1_750_000_000_000);
    expect(b.get('weekly')).toBeUndefined();
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ nightly: 1_750_000_000_000 });

    await writeFile(path, '{"nightly": 17500'); // torn
    const c = new JsonFileLastRunStore(path);
    expect(c.get('nightly')).toBeUndefined();
    c.set('nightly', 5);
    expect(new JsonFileLastRunStore(path).get('nightly')).toBe(5);
  });
});
