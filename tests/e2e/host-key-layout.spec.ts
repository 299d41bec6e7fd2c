import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { test, expect, snap } from './support/fixtures.js';
import { connectRpc } from './support/rpc.js';
import { startShellProcess } from './support/browser-shell-process.js';
import { provision, SyncWizardPage } from './support/sync-wizard-page.js';
import { startSshd, type SshdServer } from '../support/sshd.js';
import { makeTempDir } from '../support/temp.js';

/** True when the element's box lies wholly inside the window (not below the fold, not clipped). */
async function wholyInView(page: Page, el: Locator): Promise<boolean> {
  const box = await el.boundingBox();
  const vp = page.viewportSize();
  return (
    !!box &&
    !!vp &&
    box.y >= 0 &&
    box.x >= 0 &&
    box.y + box.height <= vp.height &&
    box.x + box.width <= vp.width
  );
}

test.describe('Host keys and layout', () => {
  let primary: SshdServer;
  let s1: SshdServer;
  let files: { dir: string; cleanup: () => Promise<void> };
  const root = (s: SshdServer) => join(s.dataRoot, 'conf');

  test.beforeAll(async () => {
    [primary, s1] = await Promise.all([startSshd(), startSshd()]);
    files = await makeTempDir('configsync-e2e-hostkey-');
  });
  test.afterAll(async () => {
    await Promise.all([primary, s1].map((s) => s?.stop()));
    await files.cleanup();
  });

  test('a changed host key is named as such, never ticked, and leads to the review; Next waits for the replacement', async ({
    page,
  }) => {
    for (const s of [primary, s1]) {
      await rm(root(s), { recursive: true, force: true });
      await mkdir(root(s), { recursive: true });
    }
    await writeFile(join(root(primary), 'app.conf'), 'port=1\n');
    const store = join(files.dir, 'store');
    const first = await startShellProcess({ dataDir: store });
    const rpc = await connectRpc(first);
    await provision(
      rpc,
      [
        { name: 'primary', role: 'primary', sshd: primary, root: root(primary) },
        { name: 'second-1', role: 'secondary', sshd: s1, root: root(s1) },
      ],
      primary.clientKey.privateKeyPath,
    );
    await rpc.call('sets.save', { set: { name: 'e2e-hostkey', items: [{ path: '${CONFIG_ROOT}' }] } });
    rpc.close();
    await first.stop();
    // The pin no longer matches what second-1 presents: as after a reinstall, or an interception.
    const file = join(store, 'config.json');
    const doc = JSON.parse(await readFile(file, 'utf8')) as {
      servers: Array<{ name: string; pinnedHostKey: { fingerprint: string } | null }>;
    };
    for (const s of doc.servers)
      if (s.name === 'second-1' && s.pinnedHostKey) s.pinnedHostKey.fingerprint = `SHA256:${'A'.repeat(43)}`;
    await writeFile(file, JSON.stringify(doc));

    const shell = await startShellProcess({ dataDir: store });
    try {
      await page.goto(shell.url);
      const w = new SyncWizardPage(page);
      await w.open();
      const row = w.dialog.getByTestId('destination-second-1');
      await expect(row.getByTestId('contact')).toContainText('Host key changed');
      await expect(row.getByTestId('contact')).not.toContainText('Unreachable');
      await expect(row.getByRole('checkbox')).not.toBeChecked();
      await expect(row.getByRole('checkbox')).toBeDisabled();
      await expect(row).toContainText('Its host key has CHANGED');
      await expect(row.getByTestId('contact-message')).toContainText('has CHANGED');
      // The words stay inside the card.
      expect(await row.evaluate((el) => el.scrollWidth <= el.clientWidth + 1)).toBe(true);
      // The primary was contacted just now, for real.
      await expect(w.dialog.getByTestId('source-page').getByTestId('contact').first()).toContainText(
        'Reachable',
      );
      await w.snapBoth('host-key-changed-sync-source');

      // The way to review it: the Server List Wizard's Trust page, where Next waits for the replacement.
      await row.getByRole('button', { name: 'Review and replace the host key…' }).click();
      const list = page.getByRole('dialog', { name: 'Server List Wizard' });
      await expect(list).toBeVisible();
      await list.getByRole('button', { name: 'Edit second-1' }).click();
      await list.getByRole('button', { name: 'Next', exact: true }).click();
      await expect(list.getByText('The host key has CHANGED')).toBeVisible();
      await expect(list.getByRole('button', { name: 'Next', exact: true })).toBeDisabled();
      await expect(list.getByTestId('presented-key')).toContainText(s1.hostKeyFingerprint);
      await w.snapBoth('host-key-changed-trust-page');
      await list.getByRole('checkbox', { name: /I know why the key changed/ }).check();
      await list.getByRole('button', { name: 'Replace pinned key' }).click();
      await expect(list.getByTestId('key-pinned')).toBeVisible();
      await expect(list.getByRole('button', { name: 'Next', exact: true })).toBeEnabled();
    } finally {
      await shell.stop();
    }
  });

  for (const size of [
    { name: '1366x768', width: 1366, height: 768, scale: 1 },
    // 200 % zoom of a 1366×768 window: half as many CSS pixels each way.
    { name: '1366x768-zoom200', width: 683, height: 384, scale: 2 },
  ])
    test(`the wizards' Cancel / Back / Next stay in view at ${size.name}`, async ({ browser }) => {
      const shell = await startShellProcess();
      const context = await browser.newContext({
        viewport: { width: size.width, height: size.height },
        deviceScaleFactor: size.scale,
      });
      const page = await context.newPage();
      try {
        await rm(root(primary), { recursive: true, force: true });
        await mkdir(root(primary), { recursive: true });
        await writeFile(join(root(primary), 'app.conf'), 'port=1\n');
        const rpc = await connectRpc(shell);
        await provision(
          rpc,
          [
            { name: 'primary', role: 'primary', sshd: primary, root: root(primary) },
            { name: 'second-1', role: 'secondary', sshd: s1, root: root(s1) },
          ],
          primary.clientKey.privateKeyPath,
        );
        await rpc.call('sets.save', { set: { name: 'e2e-layout', items: [{ path: '${CONFIG_ROOT}' }] } });
        rpc.close();
        await page.goto(shell.url);

        // Server List Wizard, Server info page (the page whose footer fell below the fold).
        await page.getByRole('tab', { name: 'Servers' }).click();
        await page.getByRole('button', { name: 'Open the Server List Wizard' }).click();
        const list = page.getByRole('dialog', { name: 'Server List Wizard' });
        await list.getByRole('button', { name: /Add server/ }).click();
        await expect(list.getByRole('textbox', { name: /^Name/ })).toBeVisible();
        for (const name of ['Cancel', 'Back', 'Next'])
          expect(await wholyInView(page, list.getByRole('button', { name, exact: true }).last()), name).toBe(
            true,
          );
        await snap(page, `layout-${size.name}-server-info`);
        await list.getByRole('button', { name: 'Cancel', exact: true }).last().click();
        const discard = list.getByRole('button', { name: 'Discard changes' });
        if (await discard.isVisible()) await discard.click();
        await expect(list).toBeHidden();

        // Synchronize wizard: source page and Differences.
        const w = new SyncWizardPage(page);
        await w.open();
        for (const name of ['Cancel', 'Back', 'Next'])
          expect(await wholyInView(page, w.button(name)), name).toBe(true);
        await snap(page, `layout-${size.name}-sync-source`);
        await w.button('Next').click();
        await expect(w.panel('second-1')).toBeVisible();
        for (const name of ['Cancel', 'Back', 'Next'])
          expect(await wholyInView(page, w.button(name)), name).toBe(true);
        await snap(page, `layout-${size.name}-sync-differences`);
      } finally {
        await context.close();
        await shell.stop();
      }
    });
});
