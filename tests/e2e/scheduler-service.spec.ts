import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { test as base, expect, snap } from './support/fixtures.js';
import { startShellProcess } from './support/browser-shell-process.js';
import { SchedulerLease } from '../../src-main/scheduler/scheduler-lease.js';
import { makeTempDir } from '../support/temp.js';

async function openFromManage(page: Page, item: string): Promise<void> {
  await page.getByRole('menuitem', { name: 'Manage' }).click();
  await page.getByRole('menuitem', { name: item }).click();
}

base.describe('schedules run by a service: the status tab and the Schedules dialog say where', () => {
  base(
    'a service holding the store: shown with its pid; the unit it would install; the app takes over when it stops',
    async ({ page }) => {
      base.setTimeout(90_000);
      const tmp = await makeTempDir('configsync-e2e-store-');
      const dataDir = join(tmp.dir, 'store');
      // This test process plays the running service: it holds the store's scheduler lease.
      const service = new SchedulerLease({ dataDir, kind: 'service' });
      expect(await service.acquire(() => undefined)).toBe(true);
      const shell = await startShellProcess({ dataDir });
      try {
        await page.goto(shell.url);
        await page.getByRole('tab', { name: 'Synchronization status' }).click();
        const line = page.getByTestId('background-line');
        await expect(line).toContainText(
          `Schedules run in the ConfigSync system service on ${hostname()} (pid ${process.pid}`,
        );
        await expect(line).toContainText('this window shows them and does not fire them itself');

        await openFromManage(page, 'Schedules…');
        const dialog = page.getByRole('dialog', { name: 'Schedules' });
        const panel = dialog.getByTestId('service-panel');
        await expect(panel.getByTestId('service-runner')).toContainText(`pid ${process.pid}`);
        await expect(panel.getByTestId('service-state')).toHaveText('not installed');
        await expect(panel.getByTestId('service-unavailable')).toContainText(
          'systemd is not running on this host',
        );
        await expect(panel.getByRole('button', { name: 'Install service' })).toBeDisabled();
        await panel.getByRole('button', { name: /^Show configsync-scheduler-[0-9a-f]{8}\.service$/ }).click();
        await expect(panel.getByTestId('service-definition')).toContainText(
          `"--store" "${dataDir}" "scheduler" "--service"`,
        );
        await expect(panel.getByTestId('service-definition')).toContainText('Restart=on-failure');
        await snap(page, 'schedules-service-panel');
        await dialog.getByRole('button', { name: 'Close' }).click();

        // The service stops: the app takes the schedules over (it tries again every 10 s).
        await service.giveUp();
        await expect(line).toContainText('Running in the background while ConfigSync is open', {
          timeout: 30_000,
        });
      } finally {
        await service.giveUp();
        await shell.stop();
        await tmp.cleanup();
      }
    },
  );
});
