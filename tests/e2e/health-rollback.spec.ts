import { execFileSync } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, expect } from './support/fixtures.js';
import { connectRpc } from './support/rpc.js';
import { provision, put, SyncWizardPage, tree } from './support/sync-wizard-page.js';
import { startSshd, type SshdServer } from '../support/sshd.js';

/** rsync's itemized differences of `to` against `from` (contents by checksum, links, modes, times). */
function rsyncDiff(from: string, to: string): string {
  return execFileSync('rsync', ['-anci', '--delete', `${from}/`, `${to}/`], { encoding: 'utf8' }).trim();
}

test.describe('health command in the wizard', () => {
  let primary: SshdServer;
  let s1: SshdServer;
  let s2: SshdServer;
  const root = (s: SshdServer) => join(s.dataRoot, 'conf');

  test.beforeAll(async () => {
    [primary, s1, s2] = await Promise.all([startSshd(), startSshd(), startSshd()]);
  });
  test.afterAll(async () => {
    await Promise.all([primary, s1, s2].map((s) => s?.stop()));
  });

  test('set in the Sync Sets editor; a destination whose health command fails is rolled back as it was, and the results say so', async ({
    page,
    shell,
  }) => {
    const old = new Date('2025-03-01T10:00:00Z');
    for (const s of [primary, s1, s2]) {
      await rm(root(s), { recursive: true, force: true });
      await mkdir(root(s), { recursive: true });
    }
    await put(root(primary), 'app.conf', 'port=8080\n');
    await put(root(primary), 'sites/new.conf', 'new site\n');
    for (const s of [s1, s2]) {
      await put(root(s), 'app.conf', 'port=80\n', { mtime: old });
      await put(root(s), 'retired.conf', 'deleted by the run\n', { mtime: old });
    }
    // second-2's service answers 503 (its probe looks for this marker beside the folder).
    await writeFile(`${root(s2)}.broken`, '');
    const copy = join(s2.dataRoot, 'before');
    execFileSync('cp', ['-a', root(s2), copy]);
    const rpc = await connectRpc(shell);
    await provision(
      rpc,
      [
        { name: 'primary', role: 'primary', sshd: primary, root: root(primary) },
        { name: 'second-1', role: 'secondary', sshd: s1, root: root(s1) },
        { name: 'second-2', role: 'secondary', sshd: s2, root: root(s2) },
      ],
      primary.clientKey.privateKeyPath,
    );
    await rpc.call('sets.save', { set: { name: 'e2e-health', items: [{ path: '${CONFIG_ROOT}' }] } });
    await page.goto(shell.url);

    // Manage › Sync Sets: the health command and its time limit.
    await page.getByRole('menuitem', { name: 'Manage' }).click();
    await page.getByRole('menuitem', { name: 'Sync Sets…' }).click();
    const sets = page.getByRole('dialog', { name: 'Sync Sets' });
    await sets.getByText('e2e-health', { exact: true }).click();
    const probe = 'if [ -e %s.broken ]; then echo "probe refused: 503" >&2; exit 3; fi';
    await sets.getByRole('textbox', { name: 'Health command' }).fill(probe);
    await sets.getByRole('textbox', { name: 'Health time limit (s)' }).fill('20');
    await sets.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(sets.getByText('Saved', { exact: true })).toBeVisible();
    const saved = (await rpc.call('sets.list', {})).sets.find((s) => s.name === 'e2e-health');
    expect(saved).toMatchObject({ healthCommand: probe, healthTimeoutSec: 20 });
    await sets.getByRole('button', { name: 'Close', exact: true }).click();

    const w = new SyncWizardPage(page);
    await w.open();
    await w.button('Next').click();
    await expect(w.panel('second-1').getByTestId('action-filters')).toContainText('Create');
    await w.button('Next').click();
    await expect(w.dialog).toContainText('checks each destination; if it fails or takes over 20 s');
    await w.button('Start').click();
    await expect(w.dialog.getByTestId('progress-page')).toContainText('Finished', { timeout: 60_000 });
    await w.button('Next').click();
    await expect(w.result('second-1').getByTestId('result-status')).toHaveText('Succeeded');
    await expect(w.result('second-2')).toContainText(
      'rolled back: health command failed (exit 3: probe refused: 503)',
    );
    await expect(w.result('second-2').getByTestId('result-status')).not.toHaveText('Succeeded');

    // On disk: second-1 is the source; second-2 is exactly as it was before the run.
    expect(await tree(root(s1))).toEqual(await tree(root(primary)));
    expect(rsyncDiff(copy, root(s2))).toBe('');
    expect(await readFile(join(root(s2), 'app.conf'), 'utf8')).toBe('port=80\n');
    rpc.close();
  });
});
