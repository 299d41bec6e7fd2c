import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRouter, type Handlers } from '../../../src-main/rpc/router.js';
import { fileHandlers, type FileDialogs } from '../../../src-main/services/files/file-handlers.js';
import { makeTempDir } from '../../support/temp.js';

const ctx = { transport: 'test' } as const;
const csv = [{ name: 'CSV file', extensions: ['csv'] }];

/**
 * The desktop shell's side of `files.save` / `files.open` on the real filesystem, through the router
 * (parameters and results parsed against the contract). Only the dialog is replaced: by the seam the
 * Electron shell fills with dialog.showSaveDialog / showOpenDialog, answering a path or a cancel.
 */
function routerWith(dialogs: FileDialogs | null) {
  const asked: Array<{ kind: 'save' | 'open'; options: unknown }> = [];
  const seam: FileDialogs | null = dialogs && {
    chooseSavePath: (o) => (asked.push({ kind: 'save', options: o }), dialogs.chooseSavePath(o)),
    chooseOpenPath: (o) => (asked.push({ kind: 'open', options: o }), dialogs.chooseOpenPath(o)),
  };
  const router = createRouter(fileHandlers(seam) as Handlers, () => undefined);
  let id = 0;
  const call = (method: string, params: unknown) => router.handle({ id: ++id, method, params }, ctx);
  return { call, asked };
}

const answering = (path: string | null): FileDialogs => ({
  chooseSavePath: () => Promise.resolve(path),
  chooseOpenPath: () => Promise.resolve(path),
});

describe('files.save and files.open in the desktop shell (real files, the dialog seam answering)', () => {
  let tmp: { dir: string; cleanup: () => Promise<void> };
  beforeEach(async () => {
    tmp = await makeTempDir('configsync-files-');
  });
  afterEach(async () => {
    await tmp.cleanup();
  });

  it('writes the content where the dialog chose, whole, and says where and how much', async () => {
    const path = join(tmp.dir, 'plan second-1.csv');
    const { call, asked } = routerWith(answering(path));
    const content = 'path,action\n"a ""quoted"" name.conf",update\nünïcode.conf,create\n';
    const r = await call('files.save', { suggestedName: 'plan-second-1.csv', content, filters: csv });
    expect(r).toEqual({
      id: 1,
      ok: true,
      result: { outcome: 'saved', path, bytes: Buffer.byteLength(content) },
    });
    expect(await readFile(path, 'utf8')).toBe(content);
    expect(asked).toEqual([{ kind: 'save', options: { suggestedName: 'plan-second-1.csv', filters: csv } }]);
    // By temp file and rename: nothing else is left in the folder.
    expect(await readdir(tmp.dir)).toEqual(['plan second-1.csv']);
  });

  it('replaces an existing file as a whole and adds the extension a Linux dialog leaves off', async () => {
    const existing = join(tmp.dir, 'backup.json');
    await writeFile(existing, 'an older and much longer backup that must not show through\n'.repeat(50));
    const { call } = routerWith(answering(existing));
    const json = [{ name: 'ConfigSync backup', extensions: ['json'] }];
    await call('files.save', { suggestedName: 'b.json', content: '{"new":true}', filters: json });
    expect(await readFile(existing, 'utf8')).toBe('{"new":true}');

    const bare = join(tmp.dir, 'export');
    const r = await routerWith(answering(bare)).call('files.save', {
      suggestedName: 'b.json',
      content: '{}',
      filters: json,
    });
    expect(r).toMatchObject({ ok: true, result: { outcome: 'saved', path: `${bare}.json` } });
    expect(await readFile(`${bare}.json`, 'utf8')).toBe('{}');
    await expect(stat(bare)).rejects.toThrow();
  });

  it('a cancelled dialog writes nothing', async () => {
    const { call } = routerWith(answering(null));
    const r = await call('files.save', { suggestedName: 'x.csv', content: 'x', filters: csv });
    expect(r).toMatchObject({ ok: true, result: { outcome: 'cancelled' } });
    expect(await readdir(tmp.dir)).toEqual([]);
  });

  it('refuses a relative path, a missing folder and a folder, in words, and writes nothing', async () => {
    await mkdir(join(tmp.dir, 'a-folder.csv'));
    const cases: Array<[string, RegExp]> = [
      ['relative/plan.csv', /not an absolute path; nothing was saved/],
      [join(tmp.dir, 'no-such-folder', 'plan.csv'), /does not exist; nothing was saved/],
      [join(tmp.dir, 'a-folder.csv'), /is a folder or not a regular file; nothing was saved/],
    ];
    for (const [path, words] of cases) {
      const r = await routerWith(answering(path)).call('files.save', {
        suggestedName: 'plan.csv',
        content: 'x',
        filters: csv,
      });
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe('PATH_INVALID');
        expect(r.error.message).toMatch(words);
      }
    }
    expect(await readdir(tmp.dir)).toEqual(['a-folder.csv']);
    expect(await readdir(join(tmp.dir, 'a-folder.csv'))).toEqual([]);
  });

  it('the contract refuses a suggested name that is a path and an extension with a dot, before any dialog', async () => {
    const { call, asked } = routerWith(answering(join(tmp.dir, 'x.csv')));
    const bad = [
      { suggestedName: '../../etc/passwd', content: 'x', filters: csv },
      { suggestedName: 'x.csv', content: 'x', filters: [{ name: 'CSV', extensions: ['.csv'] }] },
      { suggestedName: 'x.csv', content: 'x', filters: [] },
    ];
    for (const params of bad) {
      const r = await call('files.save', params);
      expect(r).toMatchObject({ ok: false, error: { code: 'BAD_PARAMS' } });
    }
    expect(asked).toEqual([]);
    expect(await readdir(tmp.dir)).toEqual([]);
  });

  it('opens the chosen file: its text and name, or only its path for a key file', async () => {
    const path = join(tmp.dir, 'configsync-backup.json');
    await writeFile(path, '{"app":"ConfigSync"}\n');
    const { call, asked } = routerWith(answering(path));
    const json = [{ name: 'ConfigSync backup', extensions: ['json'] }];
    expect(await call('files.open', { filters: json })).toMatchObject({
      ok: true,
      result: { outcome: 'chosen', path, name: 'configsync-backup.json', content: '{"app":"ConfigSync"}\n' },
    });
    const onlyPath = await call('files.open', {
      filters: [{ name: 'Any', extensions: ['*'] }],
      want: 'path',
    });
    expect(onlyPath).toMatchObject({ ok: true, result: { outcome: 'chosen', path } });
    expect(onlyPath.ok && (onlyPath.result as { content?: string }).content).toBeUndefined();
    expect(asked.map((a) => a.kind)).toEqual(['open', 'open']);
  });

  it('refuses a file over the limit, a folder and a missing file in words', async () => {
    const big = join(tmp.dir, 'big.json');
    await writeFile(big, 'x'.repeat(2_000));
    const json = [{ name: 'JSON', extensions: ['json'] }];
    const tooBig = await routerWith(answering(big)).call('files.open', { filters: json, maxBytes: 1_000 });
    expect(tooBig).toMatchObject({ ok: false, error: { code: 'FILE_TOO_LARGE' } });
    expect(!tooBig.ok && tooBig.error.message).toContain('2,000 bytes; at most 1,000');
    const folder = await routerWith(answering(tmp.dir)).call('files.open', { filters: json });
    expect(folder).toMatchObject({ ok: false, error: { code: 'PATH_INVALID' } });
    const missing = await routerWith(answering(join(tmp.dir, 'gone.json'))).call('files.open', {
      filters: json,
    });
    expect(missing).toMatchObject({ ok: false, error: { code: 'READ_FAILED' } });
    expect(!missing.ok && missing.error.message).toContain('ENOENT');
  });

  it('without native dialogs (the browser shell) both answer renderer and touch nothing', async () => {
    const { call } = routerWith(null);
    expect(await call('files.save', { suggestedName: 'x.csv', content: 'x', filters: csv })).toMatchObject({
      ok: true,
      result: { outcome: 'renderer' },
    });
    expect(await call('files.open', { filters: csv })).toMatchObject({
      ok: true,
      result: { outcome: 'renderer' },
    });
    expect(await readdir(tmp.dir)).toEqual([]);
  });
});
