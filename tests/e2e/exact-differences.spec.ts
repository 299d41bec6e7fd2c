import { execFileSync } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { test, expect } from './support/fixtures.js';
import { connectRpc } from './support/rpc.js';
import { provision, put, SyncWizardPage } from './support/sync-wizard-page.js';
import { startSshd, type SshdServer } from '../support/sshd.js';
import { ensureSudoAccounts, SERVICE_ACCOUNT } from '../support/sudo-accounts.js';

test.describe('Differences page: owners and skipped entries', () => {
  let primary: SshdServer;
  let s1: SshdServer;
  const root = (s: SshdServer) => join(s.dataRoot, 'conf');

  test.beforeAll(async () => {
    await ensureSudoAccounts();
    [primary, s1] = await Promise.all([startSshd(), startSshd()]);
  });
  test.afterAll(async () => {
    await Promise.all([primary, s1].map((s) => s?.stop()));
  });

  test('shows an owner change as an update with its reason, and a FIFO as skipped with why', async ({
    page,
    shell,
  }) => {
    const t0 = new Date('2026-01-15T08:30:00Z');
    for (const s of [primary, s1]) {
      await rm(root(s), { recursive: true, force: true });
      await mkdir(root(s), { recursive: true });
      await put(root(s), 'postgresql.conf', 'max_connections=100\n', { mode: 0o640, mtime: t0 });
      await put(root(s), 'same.conf', 'same\n', { mtime: t0 });
    }
    // Only the owner differs: the service account's on the primary, root's on the secondary.
    execFileSync('chown', [`${SERVICE_ACCOUNT}:${SERVICE_ACCOUNT}`, join(root(primary), 'postgresql.conf')]);
    execFileSync('mkfifo', [join(root(primary), 'app.fifo')]);
    const rpc = await connectRpc(shell);
    await provision(
      rpc,
      [
        { name: 'primary', role: 'primary', sshd: primary, root: root(primary) },
        { name: 'second-1', role: 'secondary', sshd: s1, root: root(s1) },
      ],
      primary.clientKey.privateKeyPath,
    );
    await rpc.call('sets.save', { set: { name: 'owners', items: [{ path: '${CONFIG_ROOT}' }] } });
    await page.goto(shell.url);
    const w = new SyncWizardPage(page);
    await w.open();
    await w.button('Next').click();
    const p1 = w.panel('second-1');
    await expect(p1.getByTestId('action-filters')).toContainText('Update 1');
    await expect(p1.getByTestId('action-filters')).toContainText('Skipped 1');
    const owner = p1.getByTestId('entry-row').filter({ hasText: 'postgresql.conf' });
    await expect(owner).toContainText('Update');
    await expect(owner).toContainText(
      `owner differs (root → ${SERVICE_ACCOUNT}), group differs (root → ${SERVICE_ACCOUNT})`,
    );
    const fifo = p1.getByTestId('entry-row').filter({ hasText: 'app.fifo' });
    await expect(fifo).toContainText('Skipped');
    await expect(fifo).toContainText(
      'on the source: a FIFO (named pipe): only files, folders and symlinks are copied',
    );
    await w.snapBoth('exact-differences-owner-and-skipped');
  });
});
