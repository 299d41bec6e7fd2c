import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { test, expect } from './support/fixtures.js';
import { connectRpc } from './support/rpc.js';
import { provision, SyncWizardPage } from './support/sync-wizard-page.js';
import { startSshd, type SshdServer } from '../support/sshd.js';
import { applyAndKillMidSwap } from '../support/killed-apply.js';
import { rootStateDir } from '../../src-main/engine/state-dir.js';

test.describe('recover leaves what changed after the killed run, and the wizard keeps saying so', () => {
  let primary: SshdServer;
  let second: SshdServer;
  test.beforeAll(async () => {
    [primary, second] = await Promise.all([startSshd(), startSshd()]);
  });
  test.afterAll(async () => {
    await Promise.all([primary?.stop(), second?.stop()]);
  });

  test('a file edited by rename after the kill is listed and left by "Complete that run", then shown as a difference', async ({
    page,
    shell,
  }) => {
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
    await rpc.call('sets.save', { set: { name: 'e2e-recover-left', items: [{ path: '${CONFIG_ROOT}' }] } });
    const stateDir = rootStateDir(join(homedir(), '.configsync'), dst);
    try {
      await applyAndKillMidSwap(second, { src, dst, stateDir: join(homedir(), '.configsync') });
      // An admin fixes f99.conf the usual way (new file, renamed over the old one), after the kill.
      await writeFile(join(dst, 'f99.conf.tmp'), 'fixed by hand after the kill\n');
      await rename(join(dst, 'f99.conf.tmp'), join(dst, 'f99.conf'));

      await page.goto(shell.url);
      const w = new SyncWizardPage(page);
      await w.open();
      await w.button('Next').click();
      const alert = w.dialog.getByTestId('target-interrupted');
      await expect(alert.getByTestId('recover-overwrite')).not.toBeChecked();
      await alert.getByRole('button', { name: 'Complete that run' }).click();
      await alert.getByRole('button', { name: 'Break the lock and complete that run' }).click();

      const panel = w.panel('second-1');
      const left = w.dialog.getByTestId('left-paths');
      await expect(left).toContainText('1 path on second-1 changed after the run and was left as it is');
      await expect(left.getByTestId('left-paths-list')).toContainText('f99.conf');
      await expect(left).toContainText('The interrupted run was completed without them');
      await w.snapBoth('recover-left-differences');
      expect(await readFile(join(dst, 'f99.conf'), 'utf8')).toBe('fixed by hand after the kill\n');
      expect(await readFile(join(dst, 'f0.conf'), 'utf8')).toBe('new 0\n');
      // The plan made after the recover shows it as the one difference a sync would overwrite.
      await expect(panel.getByTestId('entry-row')).toHaveCount(1);
      await expect(panel.getByTestId('entry-row')).toContainText('f99.conf');
    } finally {
      rpc.close();
      await rm(stateDir, { recursive: true, force: true });
    }
  });
});
