import { test, expect, snap } from './support/fixtures.js';

test('the app frame loads through the token link and shows real data from main', async ({ page, shell }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));

  await page.goto(shell.url);
  // The token left the address bar; the page now runs on the cookie.
  expect(page.url()).toBe(`${shell.origin}/`);

  await expect(page.getByRole('menubar', { name: 'Application menu' })).toBeVisible();
  await expect(page.getByRole('tab', { name: 'Servers' })).toBeVisible();
  await expect(page.getByRole('tab', { name: 'Synchronization status' })).toBeVisible();

  // Real RPC: version and store path come from app.info in the main process.
  await expect(page.getByTestId('app-version')).toHaveText('0.1.0');
  await expect(page.getByTestId('store-path')).toHaveText(`${shell.dataDir}/config.json`);
  await snap(page, 'app-frame-light');

  await page.getByRole('menuitem', { name: 'Manage' }).click();
  await expect(page.getByRole('menuitem', { name: 'Synchronize Configurations…' })).toBeVisible();
  await expect(page.getByRole('menuitem', { name: 'Server List…' })).toBeVisible();
  await expect(page.getByRole('menuitem', { name: 'Backup Configuration…' })).toBeVisible();
  await snap(page, 'app-frame-manage-menu');
  await page.keyboard.press('Escape');

  await page.getByRole('menuitem', { name: 'View' }).click();
  await page.getByRole('menuitem', { name: 'Synchronization Status' }).click();
  await expect(page.getByRole('tab', { name: 'Synchronization status' })).toHaveAttribute('aria-selected', 'true');

  await page.getByRole('menuitem', { name: 'Help' }).click();
  await page.getByRole('menuitem', { name: 'About ConfigSync' }).click();
  const about = page.getByRole('dialog', { name: 'About ConfigSync' });
  await expect(about.getByTestId('about-facts')).toContainText('Browser shell (loopback)');
  await expect(about.getByTestId('about-facts')).toContainText(shell.dataDir);
  await page.keyboard.press('Escape');

  await page.getByRole('button', { name: /Switch to dark mode/ }).click();
  await expect(page.locator('html')).toHaveAttribute('data-mantine-color-scheme', 'dark');
  await snap(page, 'app-frame-dark');

  expect(errors).toEqual([]);
});

test('without the token the browser gets only a short refusal', async ({ page, shell }) => {
  const res = await page.goto(shell.origin + '/');
  expect(res?.status()).toBe(401);
  await expect(page.locator('body')).toContainText('needs the per-run token');
  await expect(page.locator('#root')).toHaveCount(0);
});
