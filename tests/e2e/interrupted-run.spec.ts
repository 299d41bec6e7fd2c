import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { test, expect } from './support/fixtures.js';
import { connectRpc } from './support/rpc.js';
import { provision, SyncWizardPage } from './support/sync-wizard-page.js';
import { startSshd, type SshdServer } from '../support/sshd.js';
import { applyAndKillMidSwap } from '../support/killed-apply.js';
import { rootStateDir } from '../../src-main/engine/state-dir.js';

test.describe('a destination left by a killed run', () => {
  let primary: SshdServer;
  let second: SshdServer;
  test.beforeAll(async () => {
    [primary, second] = await Promise.all([startSshd(), startSshd()]);
  });
  test.afterAll(async () => {
    await Promise.all([primary?.stop(), second?.stop()]);
  });

  test('the wizard says so and completes the interrupted run from its journal', async ({ page, shell }) => {
    const src = join(primary.dataRoot, 'conf');
    const dst = join(second.dataRoot, 'conf');
    await mkdir(src, { recursive: true });
    await mkdir(dst, { recursive: true });
    for (let i = 0; i < 200; i++) {
      await writeFile(join(src, `f${i}.conf`), `new ${i}\n`);
      await writeFile(join(dst, `f${i}.conf`), `old ${i}, an older and longer version\n`);
    }
    const rpc = await connectRpc(shell);
    await provision(
      rpc,
      [
        { name: 'primary', role: 'primary', root: src, sshd: primary },
        { name: 'second-1', role: 'secondary', root: dst, sshd: second },
      ],
      primary.clientKey.privateKeyPath,
    );
    await rpc.call('sets.save', { set: { name: 'e2e-interrupted', items: [{ path: '${CONFIG_ROOT}' }] } });
    // The state folder every store and process uses for this destination root (the killed run's own).
    const stateDir = rootStateDir(join(homedir(), '.configsync'), dst);
    try {
      await applyAndKillMidSwap(second, { src, dst, stateDir: join(homedir(), '.configsync') });
      const [journal] = (await readdir(join(stateDir, 'journal'))).filter((n) => n.endsWith('.json'));
      const runId = (journal ?? '').replace(/\.json$/, '');
      await page.goto(shell.url);
      const w = new SyncWizardPage(page);
      await w.open();
      await w.button('Next').click();
      const alert = w.dialog.getByTestId('target-interrupted');
      await expect(alert).toContainText('an earlier run was interrupted');
      await w.snapBoth('sync-wizard-10-interrupted');
      await alert.getByRole('button', { name: 'Complete that run' }).click();
      // The killed run's lock is still there: it is broken only when the user confirms, and the
      // message says whose it was and that its process is gone.
      await expect(alert.getByTestId('recover-error')).toContainText('its process is gone');
      await w.snapBoth('sync-wizard-11-interrupted-locked');
      await alert.getByRole('button', { name: 'Break the lock and complete that run' }).click();
      await expect(w.dialog.getByTestId('target-panel-second-1')).toContainText('already in sync');
      for (let i = 0; i < 200; i++)
        expect(await readFile(join(dst, `f${i}.conf`), 'utf8')).toBe(`new ${i}\n`);
      expect((await readdir(dst)).filter((n) => n.startsWith('.configsync'))).toEqual([]);

      // The recovery is a run of its own: in History, naming the run it completed.
      await w.button('Cancel').click();
      await expect(w.dialog).toBeHidden();
      await page.getByRole('menuitem', { name: 'Manage' }).click();
      await page.getByRole('menuitem', { name: 'History…' }).click();
      const history = page.getByRole('dialog', { name: 'History' });
      await expect(history.getByTestId('history-recovery-of')).toHaveText(
        `Recovery of interrupted run ${runId}`,
      );
      await expect(history.getByTestId('history-row')).toHaveCount(1);
    } finally {
      rpc.close();
      await rm(stateDir, { recursive: true, force: true });
    }
  });
});
