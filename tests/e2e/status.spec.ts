import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { test, expect, snap } from './support/fixtures.js';
import { connectRpc } from './support/rpc.js';
import { provisionMembers, syncNow } from './support/status-rpc.js';
import { startSshd, type SshdServer } from '../support/sshd.js';

async function openStatusTab(page: Page): Promise<void> {
  await page.getByRole('tab', { name: 'Synchronization status' }).click();
  await expect(page.getByTestId('status-table')).toBeVisible();
}

async function openFromManage(page: Page, item: string): Promise<void> {
  await page.getByRole('menuitem', { name: 'Manage' }).click();
  await page.getByRole('menuitem', { name: item }).click();
}

test.describe('Synchronization status, schedules and switch-over', () => {
  let primary: SshdServer;
  let s1: SshdServer;
  let s2: SshdServer;
  const root = (s: SshdServer) => join(s.dataRoot, 'status-conf');

  test.beforeAll(async () => {
    [primary, s1, s2] = await Promise.all([startSshd(), startSshd(), startSshd()]);
  });
  test.afterAll(async () => {
    await Promise.all([primary, s1, s2].map((s) => s?.stop()));
  });

  test('a schedule entry typed as five fields shows its reading and next run', async ({ page, shell }) => {
    const rpc = await connectRpc(shell);
    await rpc.call('sets.save', { set: { name: 'plant-config', items: [{ path: '${CONFIG_ROOT}' }] } });
    rpc.close();
    await page.goto(shell.url);
    await openFromManage(page, 'Schedules…');
    const dialog = page.getByRole('dialog', { name: 'Schedules' });
    await dialog.getByRole('button', { name: 'Add entry' }).click();
    const editor = dialog.getByTestId('schedule-editor');
    await expect(editor.getByRole('textbox', { name: 'Sync set' })).toHaveValue('plant-config');
    for (const [field, value] of [
      ['Minute', '30'],
      ['Hour', '16'],
      ['Day', '8'],
      ['Month', 'ANY'],
      ['Weekday', 'ANY'],
    ] as const)
      await editor.getByRole('textbox', { name: field, exact: true }).fill(value);
    await expect(editor.getByTestId('schedule-reading')).toHaveText('At 04:30 PM, on day 8 of the month');
    await expect(editor.getByTestId('schedule-next-runs')).toContainText(/Next: .*8.*4:30/);
    await editor.getByRole('textbox', { name: 'Day', exact: true }).fill('32');
    await expect(editor.getByTestId('schedule-preview-error')).toHaveText('Day must be 1–31 or ANY');
    await editor.getByRole('textbox', { name: 'Day', exact: true }).fill('8');
    await expect(editor.getByTestId('schedule-reading')).toHaveText('At 04:30 PM, on day 8 of the month');
    await snap(page, 'schedules-01-editor');
    await editor.getByRole('button', { name: 'Save entry' }).click();
    const row = dialog.getByTestId('schedule-row');
    await expect(row).toHaveCount(1);
    await expect(row.getByTestId('schedule-row-reading')).toHaveText('At 04:30 PM, on day 8 of the month');
    await expect(row).toContainText('plant-config');
    await expect(row.getByTestId('schedule-row-next')).toContainText(/8.*4:30/);
    await dialog.getByTestId('auto-sync-table').getByText('On change', { exact: true }).click();
    // A Strict set: switching automatic sync on says what it would delete, and asks.
    await expect(dialog.getByTestId('auto-sync-warning')).toContainText('is a Strict set');
    await dialog.getByRole('button', { name: 'Switch it on' }).click();
    await expect(dialog.getByRole('radio', { name: 'On change' })).toBeChecked();
    await snap(page, 'schedules-02-saved');
  });

  test('the status tab shows a secondary going out of sync and back in after a sync', async ({
    page,
    shell,
  }) => {
    for (const s of [primary, s1, s2]) {
      await rm(root(s), { recursive: true, force: true });
      await mkdir(root(s), { recursive: true });
    }
    await writeFile(join(root(primary), 'app.conf'), 'port=8080\n');
    await writeFile(join(root(primary), 'users.ini'), '[users]\nalice\n');
    const rpc = await connectRpc(shell);
    await provisionMembers(rpc, [
      { name: 'primary', role: 'primary', sshd: primary, root: root(primary) },
      { name: 'second-1', role: 'secondary', sshd: s1, root: root(s1) },
      { name: 'second-2', role: 'secondary', sshd: s2, root: root(s2) },
    ]);
    const { set } = await rpc.call('sets.save', {
      set: { name: 'status-e2e', items: [{ path: '${CONFIG_ROOT}' }] },
    });
    await syncNow(rpc, set.id);

    await page.goto(shell.url);
    await openStatusTab(page);
    await page.getByRole('button', { name: 'Check now' }).click();
    await expect(page.getByTestId('drift-second-1')).toHaveText('In sync');
    await expect(page.getByTestId('drift-second-2')).toHaveText('In sync');
    await expect(page.getByTestId('status-row-second-1')).toContainText('Reachable');
    await expect(page.getByTestId('status-row-second-1')).toContainText('Healthy');

    // Someone edits a file on second-1 behind the app's back.
    await writeFile(join(root(s1), 'app.conf'), 'port=1\n');
    await page.getByRole('button', { name: 'Check now' }).click();
    await expect(page.getByTestId('drift-second-1')).toHaveText('1 difference');
    await expect(page.getByTestId('drift-second-2')).toHaveText('In sync');
    await snap(page, 'status-01-drift');

    // A sync (here from another client) brings it back; the tab follows by itself.
    await syncNow(rpc, set.id);
    await expect(page.getByTestId('drift-second-1')).toHaveText('In sync');
    await expect(page.getByTestId('status-row-second-1')).toContainText('Succeeded');
    await snap(page, 'status-02-in-sync');

    await openFromManage(page, 'History…');
    const history = page.getByRole('dialog', { name: 'History' });
    await expect(history.getByTestId('history-row')).toHaveCount(2);
    await history.getByTestId('history-row').first().click();
    await expect(history.getByTestId('history-detail')).toContainText('second-1');
    await expect(history.getByTestId('history-detail')).toContainText('1 updated');
    await snap(page, 'history-01-detail');
    rpc.close();
  });

  test('promote a secondary when the primary is down', async ({ page, shell }) => {
    const down = await startSshd();
    try {
      const rpc = await connectRpc(shell);
      await provisionMembers(rpc, [
        { name: 'old-primary', role: 'primary', sshd: down, root: root(down) },
        { name: 'standby', role: 'secondary', sshd: s2, root: root(s2) },
      ]);
      rpc.close();
      await down.halt();
      await page.goto(shell.url);
      await openStatusTab(page);
      await page.getByRole('button', { name: 'Check now' }).click();
      const offer = page.getByTestId('promote-offer');
      await expect(offer).toContainText('The primary "old-primary" did not answer');
      await expect(page.getByTestId('status-row-old-primary')).toContainText('Unreachable');
      await offer.getByRole('button', { name: 'Promote to primary…' }).click();
      const confirm = page.getByRole('dialog', { name: 'Promote standby to primary?' });
      await expect(confirm).toContainText('standby becomes the primary');
      await expect(confirm).toContainText(
        'old-primary becomes a secondary: when it is back, the next synchronization overwrites its files',
      );
      await expect.poll(() => confirm.evaluate((el) => getComputedStyle(el).opacity)).toBe('1');
      await snap(page, 'status-03-promote-confirm');
      await confirm.getByRole('button', { name: 'Promote standby' }).click();
      await expect(page.getByTestId('status-row-standby')).toContainText('Primary');
      await expect(page.getByTestId('status-row-old-primary')).toContainText('Secondary');
      await expect(offer).toHaveCount(0);
      await snap(page, 'status-04-promoted');
    } finally {
      await down.stop();
    }
  });
});
