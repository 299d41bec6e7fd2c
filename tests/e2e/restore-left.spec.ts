import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, expect } from './support/fixtures.js';
import { connectRpc, type ShellRpc } from './support/rpc.js';
import { provision, put, SyncWizardPage } from './support/sync-wizard-page.js';
import { syncNow } from './support/status-rpc.js';
import { startSshd, type SshdServer } from '../support/sshd.js';

test.describe('restore leaves what changed after the run, and overwrites it only when asked', () => {
  let primary: SshdServer;
  let s1: SshdServer;
  const root = (s: SshdServer) => join(s.dataRoot, 'conf');
  const backupDirs = new Set<string>();

  test.beforeAll(async () => {
    [primary, s1] = await Promise.all([startSshd(), startSshd()]);
  });
  test.afterAll(async () => {
    await Promise.all([primary, s1].map((s) => s?.stop()));
    // The sshd share this machine's home: take our backups back out of it.
    for (const dir of backupDirs) await rm(dir, { recursive: true, force: true });
  });

  /** The backup folder of the newest restore run (its record says "Restore of run …"), remembered for clean-up. */
  async function newestRestoreBackup(rpc: ShellRpc, ofRun: string): Promise<string> {
    const { runs } = await rpc.call('sync.runs', {});
    for (const r of runs.flatMap((x) => x.reports)) if (r.backupDir) backupDirs.add(r.backupDir);
    const restores = runs
      .filter((r) => r.reports.some((p) => p.message?.startsWith(`Restore of run ${ofRun}`)))
      .sort((a, b) => b.startedAt.localeCompare(a.startedAt));
    return restores[0]?.reports[0]?.backupDir ?? '';
  }

  test('the Results page and Backups list the edited path, leave it, then overwrite it with the edit in the new backup', async ({
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
    await put(root(primary), 'other.conf', 'other new\n', { mtime: t0 });
    await put(root(s1), 'app.conf', 'port=1\n', { mtime: old });
    await put(root(s1), 'other.conf', 'other old\n', { mtime: old });

    const rpc = await connectRpc(shell);
    await provision(
      rpc,
      [
        { name: 'primary', role: 'primary', sshd: primary, root: root(primary) },
        { name: 'second-1', role: 'secondary', sshd: s1, root: root(s1) },
      ],
      primary.clientKey.privateKeyPath,
    );
    const { set } = await rpc.call('sets.save', {
      set: { name: 'e2e-left', items: [{ path: '${CONFIG_ROOT}' }] },
    });
    await page.goto(shell.url);
    const w = new SyncWizardPage(page);
    await w.open();
    await w.button('Next').click();
    await w.button('Next').click();
    await w.button('Start').click();
    await expect(w.dialog.getByTestId('progress-page')).toContainText('Finished');
    await w.button('Next').click();
    await expect(w.result('second-1').getByTestId('result-status')).toHaveText('Succeeded');
    expect(await readFile(join(root(s1), 'app.conf'), 'utf8')).toBe('port=8080\n');
    const firstRun = (await rpc.call('sync.runs', {})).runs[0]?.runId ?? '';

    // Someone fixes app.conf on the destination after the run.
    await writeFile(join(root(s1), 'app.conf'), 'port=9090 # fixed by hand\n');

    // Restore: other.conf comes back, app.conf is left and listed.
    await w.button('Restore this run…').click();
    await w.button('Restore now').click();
    const result = w.result('second-1');
    await expect(result.getByTestId('restore-outcome')).toContainText(
      '1 changed after the run left as they are',
    );
    const left = result.getByTestId('left-paths');
    await expect(left).toContainText('1 path on second-1 changed after the run and was left as it is');
    await expect(left.getByTestId('left-paths-list')).toContainText('app.conf');
    await expect(left.getByTestId('left-paths-list')).not.toContainText('other.conf');
    await expect(w.dialog.getByTestId('restore-done')).toContainText('but for the paths changed after it');
    expect(await readFile(join(root(s1), 'app.conf'), 'utf8')).toBe('port=9090 # fixed by hand\n');
    expect(await readFile(join(root(s1), 'other.conf'), 'utf8')).toBe('other old\n');
    await w.snapBoth('restore-left-results');

    // "Overwrite them too": app.conf is put back, and the hand edit is in the new restore's backup.
    await left.getByRole('button', { name: 'Overwrite them too (backed up first)' }).click();
    await expect(result.getByTestId('left-paths')).toHaveCount(0);
    await expect(result.getByTestId('restore-outcome')).toContainText('what it overwrote is in its backup');
    await expect(w.dialog.getByTestId('restore-done')).toContainText('every destination is back as it was');
    expect(await readFile(join(root(s1), 'app.conf'), 'utf8')).toBe('port=1\n');
    const saved = await newestRestoreBackup(rpc, firstRun);
    expect(await readFile(join(saved, 'files/app.conf'), 'utf8')).toBe('port=9090 # fixed by hand\n');
    await w.button('Finish').click();
    await expect(w.dialog).toBeHidden();

    // The same from Manage › Backups, for a second run.
    await syncNow(rpc, set.id);
    expect(await readFile(join(root(s1), 'app.conf'), 'utf8')).toBe('port=8080\n');
    const secondRun = (await rpc.call('sync.runs', {})).runs.find((r) =>
      r.reports.some((p) => p.applied.length > 0),
    )?.runId;
    await writeFile(join(root(s1), 'app.conf'), 'port=7070 # edited again\n');
    await page.getByRole('menuitem', { name: 'Manage' }).click();
    await page.getByRole('menuitem', { name: 'Backups…' }).click();
    const backups = page.getByRole('dialog', { name: 'Backups' });
    const row = backups.getByTestId('backup-row').filter({ hasText: secondRun ?? 'none' });
    await row.getByRole('button', { name: 'Restore…' }).click();
    await row.getByRole('button', { name: 'Restore now' }).click();
    await expect(row.getByTestId('backup-restore-outcome')).toContainText(
      '1 changed after the run left as they are',
    );
    await expect(row.getByTestId('left-paths-list')).toContainText('app.conf');
    expect(await readFile(join(root(s1), 'app.conf'), 'utf8')).toBe('port=7070 # edited again\n');
    await w.snapBoth('restore-left-backups');
    await row.getByRole('button', { name: 'Overwrite them too (backed up first)' }).click();
    await expect(row.getByTestId('backup-restore-outcome')).toContainText(
      'what it overwrote is in its backup',
    );
    await expect(row.getByTestId('left-paths')).toHaveCount(0);
    expect(await readFile(join(root(s1), 'app.conf'), 'utf8')).toBe('port=1\n');
    const savedAgain = await newestRestoreBackup(rpc, secondRun ?? '');
    expect(savedAgain).not.toBe(saved);
    expect(existsSync(join(savedAgain, 'files/app.conf'))).toBe(true);
    expect(await readFile(join(savedAgain, 'files/app.conf'), 'utf8')).toBe('port=7070 # edited again\n');
    rpc.close();
  });
});
