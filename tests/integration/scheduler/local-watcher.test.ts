import { afterEach, describe, expect, it } from 'vitest';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { watchLocalSource } from '../../../src-main/scheduler/local-watcher.js';
import type { SourceWatch } from '../../../src-main/scheduler/source-watch.js';
import { makeTempDir } from '../../support/temp.js';

/** Each trigger, in order, as a promise to wait on. */
function triggerQueue() {
  const triggers: string[][] = [];
  const waiters: Array<(paths: string[]) => void> = [];
  return {
    triggers,
    onChange: (paths: string[]) => {
      triggers.push([...paths].sort());
      waiters.shift()?.([...paths].sort());
    },
    next: () => new Promise<string[]>((resolve) => waiters.push(resolve)),
  };
}

describe('local source watcher (chokidar, real files)', () => {
  let cleanup: (() => Promise<void>) | undefined;
  let watch: SourceWatch | undefined;
  afterEach(async () => {
    await watch?.close();
    await cleanup?.();
  });

  it('an editor-style burst of saves (temp file + rename, several files) is ONE trigger', async () => {
    const tmp = await makeTempDir('configsync-watch-');
    cleanup = tmp.cleanup;
    const root = tmp.dir;
    await mkdir(join(root, 'conf.d'));
    await writeFile(join(root, 'app.yml'), 'v: 1\n');
    await writeFile(join(root, 'conf.d', 'old.conf'), 'x\n');
    const q = triggerQueue();
    watch = await watchLocalSource({
      root,
      onChange: q.onChange,
      debounceMs: 200,
      ignored: (rel) => rel.endsWith('.swp'),
    });

    const first = q.next();
    // An editor's save: write the new content beside the file, then rename it over the original.
    await writeFile(join(root, '.app.yml.tmp'), 'v: 2\n');
    await rename(join(root, '.app.yml.tmp'), join(root, 'app.yml'));
    await writeFile(join(root, 'conf.d', 'new.conf'), 'y\n');
    await rm(join(root, 'conf.d', 'old.conf'));
    await writeFile(join(root, 'app.yml.swp'), 'editor swap\n');
    const paths = await first;
    expect(paths).toEqual(expect.arrayContaining(['app.yml', 'conf.d/new.conf', 'conf.d/old.conf']));
    expect(paths).not.toContain('app.yml.swp');

    // A later, separate change is a second trigger holding only its own path: nothing of the first
    // burst was left over for another trigger.
    const second = q.next();
    await writeFile(join(root, 'conf.d', 'new.conf'), 'z\n');
    expect(await second).toEqual(['conf.d/new.conf']);
    expect(q.triggers).toHaveLength(2);
  });
});
