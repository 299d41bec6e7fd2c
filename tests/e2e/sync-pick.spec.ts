import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, expect } from './support/fixtures.js';
import { connectRpc } from './support/rpc.js';
import { provision, put, SyncWizardPage } from './support/sync-wizard-page.js';
import { startSshd, type SshdServer } from '../support/sshd.js';

test.describe('Synchronize: changes first, pick what to apply', () => {
  let primary: SshdServer;
  let s1: SshdServer;
  const root = (s: SshdServer) => join(s.dataRoot, 'conf');

  test.beforeAll(async () => {
    [primary, s1] = await Promise.all([startSshd(), startSshd()]);
  });
  test.afterAll(async () => {
    await Promise.all([primary, s1].map((s) => s?.stop()));
  });

  test('unchanged hidden until asked, folders with counts, an unticked folder and file are left as they are on disk', async ({
    page,
    shell,
  }) => {
    const old = new Date('2025-03-01T10:00:00Z');
    const t0 = new Date('2026-01-15T08:30:00Z');
    for (const s of [primary, s1]) {
      await rm(root(s), { recursive: true, force: true });
      await mkdir(root(s), { recursive: true });
    }
    await put(root(primary), 'app.conf', 'port=8080\n', { mtime: t0 });
    await put(root(primary), 'keep.conf', 'same\n', { mtime: old });
    await put(root(primary), 'sub/one.conf', 'one\n', { mtime: t0 });
    await put(root(primary), 'sub/two.conf', 'two\n', { mtime: t0 });
    await put(root(primary), 'lib/x.conf', 'x\n', { mtime: t0 });
    await put(root(s1), 'app.conf', 'port=1\n', { mtime: old });
    // A long file changed far from its top: the diff opens at the change, and steps between changes.
    const long = (changed: boolean) =>
      Array.from({ length: 300 }, (_, i) =>
        changed && (i === 149 || i === 249) ? `line ${i + 1} new` : `line ${i + 1}`,
      ).join('\n');
    await put(root(primary), 'long.conf', `${long(true)}\n`, { mtime: t0 });
    await put(root(s1), 'long.conf', `${long(false)}\n`, { mtime: old });
    await put(root(s1), 'keep.conf', 'same\n', { mtime: old });
    await put(root(s1), 'stale.conf', 'keep me\n', { mtime: old });
    await put(root(s1), 'oldsub/gone.conf', 'gone\n', { mtime: old });
    await put(root(s1), 'a1.conf', 'a\n', { mtime: old });
    await put(root(s1), 'a2.conf', 'a\n', { mtime: old });
    await put(root(s1), 'a3.conf', 'a\n', { mtime: old });
    await put(root(s1), 'a4.conf', 'a\n', { mtime: old });

    const rpc = await connectRpc(shell);
    await provision(
      rpc,
      [
        { name: 'primary', role: 'primary', sshd: primary, root: root(primary) },
        { name: 'second-1', role: 'secondary', sshd: s1, root: root(s1) },
      ],
      primary.clientKey.privateKeyPath,
    );
    await rpc.call('sets.save', { set: { name: 'e2e-pick', items: [{ path: '${CONFIG_ROOT}' }] } });
    await page.goto(shell.url);
    const w = new SyncWizardPage(page);
    await w.open();
    await w.button('Next').click();
    const p1 = w.panel('second-1');

    // Changes first: the unchanged entry is hidden, one click shows it.
    await expect(p1.getByTestId('rows-shown')).toContainText('(1 unchanged hidden)');
    await expect(p1.getByTestId('entry-row').filter({ hasText: 'keep.conf' })).toHaveCount(0);
    await p1.getByRole('switch', { name: 'Show unchanged (1)' }).click();
    await expect(p1.getByTestId('entry-row').filter({ hasText: 'keep.conf' })).toHaveCount(1);
    await p1.getByRole('switch', { name: 'Show unchanged (1)' }).click();
    await expect(p1.getByTestId('entry-row').filter({ hasText: 'keep.conf' })).toHaveCount(0);

    // Grouped by folder, each with its counts.
    const sub = p1.locator('[data-testid="folder-row"][data-folder="sub"]');
    await expect(sub).toContainText('sub/');
    await expect(sub).toContainText('2 entries · 2 create');
    await expect(p1.locator('[data-testid="folder-row"][data-folder="oldsub"]')).toContainText('1 delete');
    // A collapsed folder shows its header only.
    await sub.click();
    await expect(p1.getByTestId('entry-row').filter({ hasText: 'sub/one.conf' })).toHaveCount(0);
    await sub.click();
    await expect(p1.getByTestId('entry-row').filter({ hasText: 'sub/one.conf' })).toHaveCount(1);

    // The diff viewer: tall, opened at the first change, next / previous change.
    await p1.getByTestId('entry-row').filter({ hasText: 'long.conf' }).dblclick();
    const diff = p1.getByTestId('file-diff');
    const lines = diff.getByTestId('diff-lines');
    await expect(diff.getByTestId('change-position')).toHaveText('change 1 of 2');
    const inView = async (text: string) => {
      const box = await lines.boundingBox();
      const row = await lines.getByText(text).first().boundingBox();
      return !!box && !!row && row.y >= box.y && row.y + row.height <= box.y + box.height;
    };
    await expect.poll(() => inView('line 150 new')).toBe(true);
    expect(await lines.evaluate((el) => el.scrollTop)).toBeGreaterThan(1000);
    expect((await lines.boundingBox())?.height ?? 0).toBeGreaterThan(240);
    await diff.getByRole('button', { name: '↓ Next change' }).click();
    await expect(diff.getByTestId('change-position')).toHaveText('change 2 of 2');
    await expect.poll(() => inView('line 250 new')).toBe(true);
    await diff.getByRole('button', { name: '↑ Previous change' }).click();
    await expect.poll(() => inView('line 150 new')).toBe(true);
    await w.snapBoth('sync-pick-diff');
    await diff.getByRole('button', { name: 'Close the file comparison' }).click();

    // Untick the folder sub (with what is in it) and the deletion of stale.conf.
    await sub.getByRole('checkbox').uncheck();
    await expect(p1.getByTestId('entry-row').filter({ hasText: 'sub/one.conf' })).toHaveAttribute(
      'data-ticked',
      'false',
    );
    await expect(
      p1.getByTestId('entry-row').filter({ hasText: 'sub/one.conf' }).getByRole('checkbox'),
    ).toBeDisabled();
    await p1.getByTestId('entry-row').filter({ hasText: 'stale.conf' }).getByRole('checkbox').uncheck();
    // Changes: create sub, sub/one, sub/two, lib, lib/x; update app.conf; delete stale, oldsub, oldsub/gone, a1-a4.
    await expect(p1.getByTestId('ticked-summary')).toHaveText(
      '10 of 14 changes ticked; the run leaves the others as they are.',
    );
    await w.snapBoth('sync-pick-differences');

    // The Confirmation page names source and destination, says what is left out, lists the deletions.
    await w.button('Next').click();
    await expect(w.dialog.getByTestId('confirm-from-to')).toContainText('from primary to second-1');
    await expect(w.dialog.getByTestId('sentences')).toContainText(
      'second-1: 2 entries created, 2 updated, 6 deleted',
    );
    await expect(w.dialog.getByTestId('sentences')).toContainText(
      '4 changes you unticked are left as they are.',
    );
    const deletions = w.dialog.getByTestId('deletions-second-1');
    await expect(deletions).toContainText('On second-1 (6)');
    await expect(deletions).toContainText('oldsub/gone.conf');
    await expect(deletions).not.toContainText('stale.conf');
    await w.snapBoth('sync-pick-confirm');

    // An unticked file changed on the destination meanwhile is no obstacle: the run leaves it alone.
    await writeFile(join(root(s1), 'stale.conf'), 'edited by hand meanwhile\n');
    const guard = w.dialog.getByRole('checkbox', { name: /I have checked this/ });
    if (await guard.isVisible()) await guard.check();
    await w.button('Start').click();
    await expect(w.dialog.getByTestId('progress-page')).toContainText('Finished');
    await w.button('Next').click();
    await expect(w.result('second-1').getByTestId('result-status')).toHaveText('Succeeded');
    await expect(w.result('second-1')).toContainText('2 / 2 / 6');
    await expect(w.result('second-1')).toContainText('4 unticked changes left as they were');

    // On disk: only the ticked changes.
    expect(await readFile(join(root(s1), 'app.conf'), 'utf8')).toBe('port=8080\n');
    expect(await readFile(join(root(s1), 'lib/x.conf'), 'utf8')).toBe('x\n');
    expect(existsSync(join(root(s1), 'sub'))).toBe(false);
    expect(await readFile(join(root(s1), 'stale.conf'), 'utf8')).toBe('edited by hand meanwhile\n');
    expect(existsSync(join(root(s1), 'oldsub'))).toBe(false);
    expect(existsSync(join(root(s1), 'a1.conf'))).toBe(false);
    // The run's log says what was left out.
    const { runs } = await rpc.call('sync.runs', {});
    const runId = runs[0]?.runId ?? '';
    const log = await readFile(join(shell.dataDir, 'logs', `${runId}.log`), 'utf8');
    expect(log).toContain('"event":"unticked"');
    expect(log).toContain('"changesLeftOut":4');
    rpc.close();
  });
});
