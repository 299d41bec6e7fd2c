import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { test, expect } from './support/fixtures.js';
import { connectRpc } from './support/rpc.js';
import { provision, put, SyncWizardPage } from './support/sync-wizard-page.js';
import { startSshd, type SshdServer } from '../support/sshd.js';

/** Every file below `dir`, as paths relative to it. */
async function filesBelow(dir: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const name of await readdir(join(dir, rel)).catch(() => [] as string[])) {
    const r = rel ? `${rel}/${name}` : name;
    if ((await stat(join(dir, r))).isDirectory()) out.push(...(await filesBelow(dir, r)));
    else out.push(r);
  }
  return out;
}

test.describe('Confirmation: the backup counts only what stays ticked', () => {
  let primary: SshdServer;
  let s1: SshdServer;
  const root = (s: SshdServer) => join(s.dataRoot, 'conf');

  test.beforeAll(async () => {
    [primary, s1] = await Promise.all([startSshd(), startSshd()]);
  });
  test.afterAll(async () => {
    await Promise.all([primary, s1].map((s) => s?.stop()));
  });

  test('unticked overwrites and deletions leave the backup size, and the backup holds only the ticked ones', async ({
    page,
    shell,
  }) => {
    const old = new Date('2025-03-01T10:00:00Z');
    const t0 = new Date('2026-01-15T08:30:00Z');
    for (const s of [primary, s1]) {
      await rm(root(s), { recursive: true, force: true });
      await mkdir(root(s), { recursive: true });
    }
    // Overwritten: small.conf (300 B on the destination), big.conf (40,000 B); deleted: extra.conf (7,000 B)
    // and old/gone.conf (2,000 B); created: new.conf (nothing to back up).
    await put(root(primary), 'small.conf', 's'.repeat(310), { mtime: t0 });
    await put(root(s1), 'small.conf', 'o'.repeat(300), { mtime: old });
    await put(root(primary), 'big.conf', 'b'.repeat(41_000), { mtime: t0 });
    await put(root(s1), 'big.conf', 'o'.repeat(40_000), { mtime: old });
    await put(root(s1), 'extra.conf', 'x'.repeat(7_000), { mtime: old });
    await put(root(s1), 'old/gone.conf', 'g'.repeat(2_000), { mtime: old });
    await put(root(primary), 'new.conf', 'n'.repeat(500), { mtime: t0 });

    const rpc = await connectRpc(shell);
    await provision(
      rpc,
      [
        { name: 'primary', role: 'primary', sshd: primary, root: root(primary) },
        { name: 'second-1', role: 'secondary', sshd: s1, root: root(s1) },
      ],
      primary.clientKey.privateKeyPath,
    );
    await rpc.call('sets.save', {
      set: { name: 'e2e-backup-size', mode: 'mirror', items: [{ path: '${CONFIG_ROOT}' }] },
    });
    await page.goto(shell.url);
    const w = new SyncWizardPage(page);
    await w.open();
    await w.button('Next').click();
    const p1 = w.panel('second-1');
    await expect(p1.getByTestId('entry-row').filter({ hasText: 'big.conf' })).toHaveCount(1);

    // Everything ticked: the backup is what is overwritten and deleted (300 + 40,000 + 7,000 + 2,000).
    await w.button('Next').click();
    const sentences = w.dialog.getByTestId('sentences');
    await expect(sentences).toContainText('backup of 49.3 kB kept at');
    await w.button('Back').click();

    // Untick the big overwrite and the extra deletion: only small.conf and old/gone.conf are backed up.
    await p1.getByTestId('entry-row').filter({ hasText: 'big.conf' }).getByRole('checkbox').uncheck();
    await p1.getByTestId('entry-row').filter({ hasText: 'extra.conf' }).getByRole('checkbox').uncheck();
    await expect(p1.getByTestId('ticked-summary')).toContainText('4 of 6 changes ticked');
    await w.button('Next').click();
    await expect(sentences).toContainText(
      'second-1: 1 entry created, 1 updated, 2 deleted, 810 B to copy; backup of 2.3 kB kept at',
    );
    await expect(sentences).toContainText('2 changes you unticked are left as they are.');
    await w.snapBoth('confirm-backup-ticked');

    // Untick every overwrite and deletion: nothing is backed up.
    await w.button('Back').click();
    await p1.getByTestId('entry-row').filter({ hasText: 'small.conf' }).getByRole('checkbox').uncheck();
    await p1.locator('[data-testid="folder-row"][data-folder="old"]').getByRole('checkbox').uncheck();
    await w.button('Next').click();
    await expect(sentences).toContainText('second-1: 1 entry created, 500 B to copy; nothing is overwritten');
    await w.button('Back').click();
    await p1.getByTestId('entry-row').filter({ hasText: 'small.conf' }).getByRole('checkbox').check();
    await p1.locator('[data-testid="folder-row"][data-folder="old"]').getByRole('checkbox').check();
    await w.button('Next').click();
    await expect(sentences).toContainText('backup of 2.3 kB kept at');

    // The run backs up exactly what the page said.
    const guard = w.dialog.getByRole('checkbox', { name: /I have checked this/ });
    if (await guard.isVisible()) await guard.check();
    await w.button('Start').click();
    await expect(w.dialog.getByTestId('progress-page')).toContainText('Finished');
    const { runs } = await rpc.call('sync.runs', {});
    const report = runs[0]?.reports[0];
    const backupDir = report?.backupDir ?? '';
    try {
      expect(report?.status).toBe('completed');
      const backedUp = await filesBelow(join(backupDir, 'files'));
      expect(backedUp.sort()).toEqual(['old/gone.conf', 'small.conf']);
      let bytes = 0;
      for (const f of backedUp) bytes += (await stat(join(backupDir, 'files', f))).size;
      expect(bytes).toBe(2_300);
    } finally {
      // The sshd share this machine's home: take the backup back out of it.
      if (backupDir) await rm(backupDir, { recursive: true, force: true });
      rpc.close();
    }
  });
});
