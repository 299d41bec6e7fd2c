import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { test, expect } from './support/fixtures.js';
import { connectRpc } from './support/rpc.js';
import { provision, put, SyncWizardPage } from './support/sync-wizard-page.js';
import { startSshd, type SshdServer } from '../support/sshd.js';

test.describe('Automatic sync of a Strict set', () => {
  let primary: SshdServer;
  let s1: SshdServer;
  const root = (s: SshdServer) => join(s.dataRoot, 'conf');

  test.beforeAll(async () => {
    [primary, s1] = await Promise.all([startSshd(), startSshd()]);
  });
  test.afterAll(async () => {
    await Promise.all([primary, s1].map((s) => s?.stop()));
  });

  test('switching it on says what it would delete now and asks; Keep it off changes nothing', async ({
    page,
    shell,
  }) => {
    for (const s of [primary, s1]) {
      await rm(root(s), { recursive: true, force: true });
      await mkdir(root(s), { recursive: true });
    }
    await put(root(primary), 'app.conf', 'a\n');
    await put(root(s1), 'app.conf', 'a\n');
    await put(root(s1), 'local-only-1.conf', 'x\n');
    await put(root(s1), 'local-only-2.conf', 'y\n');
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
      set: { name: 'e2e-auto', items: [{ path: '${CONFIG_ROOT}' }], mode: 'mirror' },
    });
    await page.goto(shell.url);
    await page.getByRole('menuitem', { name: 'Manage' }).click();
    await page.getByRole('menuitem', { name: 'Schedules…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Schedules' });
    const control = dialog.getByRole('radiogroup', { name: 'Automatic synchronization of e2e-auto' });
    await control.getByText('On change').click();
    const warning = dialog.getByTestId('auto-sync-warning');
    await expect(warning).toContainText('e2e-auto is a Strict set');
    await expect(warning).toContainText('mass-deletion guard');
    await expect(warning.getByTestId('auto-sync-deletes')).toContainText(
      'second-1: 2 entries would be deleted now',
    );
    // Neither answer is under Enter: the focus is not on "Switch it on".
    await expect(warning.getByRole('button', { name: 'Switch it on' })).not.toBeFocused();
    await new SyncWizardPage(page).snapBoth('auto-sync-strict-warning');
    await warning.getByRole('button', { name: 'Keep it off' }).click();
    await expect(warning).toBeHidden();
    expect((await rpc.call('autoSync.list', {})).sets.find((x) => x.setId === set.id)?.trigger).toBe('off');
    // Asked again, and this time switched on.
    await control.getByText('On change').click();
    await expect(dialog.getByTestId('auto-sync-deletes')).toBeVisible();
    await dialog.getByRole('button', { name: 'Switch it on' }).click();
    await expect
      .poll(async () => (await rpc.call('autoSync.list', {})).sets.find((x) => x.setId === set.id)?.trigger)
      .toBe('on-change');
    await rpc.call('autoSync.set', { setId: set.id, trigger: 'off' });
    rpc.close();
  });
});
