import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { test, expect, snap } from './support/fixtures.js';
import { connectRpc } from './support/rpc.js';
import { provisionMembers, syncNow } from './support/status-rpc.js';
import { put } from './support/sync-wizard-page.js';
import { startSshd, type SshdServer } from '../support/sshd.js';

/** The page in light, then in dark (the status tab has no dialog to wait for). */
async function snapBoth(page: Page, name: string): Promise<void> {
  await snap(page, `${name}-light`);
  await page.emulateMedia({ colorScheme: 'dark' });
  await expect(page.locator('html')).toHaveAttribute('data-mantine-color-scheme', 'dark');
  await page.waitForFunction(() =>
    document.getAnimations().every((a) => !(a instanceof CSSTransition) || a.playState !== 'running'),
  );
  await snap(page, `${name}-dark`);
  await page.emulateMedia({ colorScheme: 'light' });
  await expect(page.locator('html')).toHaveAttribute('data-mantine-color-scheme', 'light');
}

async function openStatusTab(page: Page): Promise<void> {
  await page.getByRole('tab', { name: 'Synchronization status' }).click();
  await expect(page.getByTestId('status-table')).toBeVisible();
}

test.describe('the status tab is one truth: every cell from a run or a check History and the checks name', () => {
  let primary: SshdServer;
  let s1: SshdServer;
  let s2: SshdServer;
  const root = (s: SshdServer) => join(s.dataRoot, 'truth-conf');

  test.beforeAll(async () => {
    [primary, s1, s2] = await Promise.all([startSshd(), startSshd(), startSshd()]);
  });
  test.afterAll(async () => {
    await Promise.all([primary, s1, s2].map((s) => s?.stop()));
  });

  test('an Easy run that leaves extra files is not "in sync": the run says so, and so does the check', async ({
    page,
    shell,
  }) => {
    for (const s of [primary, s1]) {
      await rm(root(s), { recursive: true, force: true });
      await mkdir(root(s), { recursive: true });
    }
    await writeFile(join(root(primary), 'app.conf'), 'port=8080\n');
    // Older on the secondary, by its mtime (written a moment apart, the two could otherwise read as
    // "newer on the destination", which an Easy run keeps).
    await put(root(s1), 'app.conf', 'port=1, an older and longer one\n', {
      mtime: new Date('2025-01-01T00:00:00Z'),
    });
    for (const n of ['a', 'b', 'c']) await writeFile(join(root(s1), `extra-${n}.conf`), 'only here\n');
    // Files both sides hold alike, so the Strict run at the end deletes fewer than half (no guard).
    for (let i = 0; i < 8; i++)
      for (const s of [primary, s1])
        await put(root(s), `same-${i}.conf`, `same ${i}\n`, { mtime: new Date('2025-06-01T00:00:00Z') });
    const rpc = await connectRpc(shell);
    await provisionMembers(rpc, [
      { name: 'primary', role: 'primary', sshd: primary, root: root(primary) },
      { name: 'second-1', role: 'secondary', sshd: s1, root: root(s1) },
    ]);
    const { set } = await rpc.call('sets.save', {
      set: { name: 'truth-easy', mode: 'update', items: [{ path: '${CONFIG_ROOT}' }] },
    });
    await page.goto(shell.url);
    await openStatusTab(page);
    await syncNow(rpc, set.id);
    const runId = (await rpc.call('history.list', { limit: 10 })).records[0]?.id ?? '';
    expect(runId).not.toBe('');

    // The run succeeded and left the three extras: "3 differences", from that run (the one History lists).
    const row = page.getByTestId('status-row-second-1');
    await expect(page.getByTestId('drift-second-1')).toHaveText('3 differences');
    await expect(page.getByTestId('drift-source-second-1')).toContainText(`from run ${runId}`);
    await expect(page.getByTestId('drift-why-second-1')).toContainText(
      'extra and newer files an Easy run keeps',
    );
    await expect(row.getByTestId('last-sync')).toContainText('Succeeded');
    await expect(row.getByTestId('last-sync-source')).toContainText(`from run ${runId}`);
    await snapBoth(page, 'status-truth-easy-run');

    // A check says the same, in its own words, and says it is the check's.
    await page.getByRole('button', { name: 'Check now' }).click();
    await expect(page.getByTestId('drift-source-second-1')).toContainText('from the check');
    await expect(page.getByTestId('drift-second-1')).toHaveText('3 differences');
    await expect(page.getByTestId('drift-why-second-1')).toContainText('3 of them extra or newer there');
    await expect(row).toContainText('Healthy');
    await snapBoth(page, 'status-truth-easy-check');

    // A Strict run removes them: in sync, from that run.
    await rpc.call('sets.save', { set: { ...set, mode: 'mirror' } });
    await syncNow(rpc, set.id);
    const strictRun = (await rpc.call('history.list', { limit: 10 })).records[0]?.id ?? '';
    await expect(page.getByTestId('drift-second-1')).toHaveText('In sync');
    await expect(page.getByTestId('drift-source-second-1')).toContainText(`from run ${strictRun}`);
    rpc.close();
  });

  test('a failing health check beside an older success, then a later run: no two cells contradict', async ({
    page,
    shell,
  }) => {
    for (const s of [primary, s2]) {
      await rm(root(s), { recursive: true, force: true });
      await mkdir(root(s), { recursive: true });
    }
    await writeFile(join(root(primary), 'app.conf'), 'port=8080\n');
    const rpc = await connectRpc(shell);
    await provisionMembers(rpc, [
      { name: 'primary', role: 'primary', sshd: primary, root: root(primary) },
      { name: 'second-2', role: 'secondary', sshd: s2, root: root(s2) },
    ]);
    const { set } = await rpc.call('sets.save', {
      set: { name: 'truth-health', items: [{ path: '${CONFIG_ROOT}' }] },
    });
    await syncNow(rpc, set.id);
    const okRun = (await rpc.call('history.list', { limit: 10 })).records[0]?.id ?? '';
    await page.goto(shell.url);
    await openStatusTab(page);
    const row = page.getByTestId('status-row-second-2');
    await expect(row.getByTestId('last-sync')).toContainText('Succeeded');

    // second-2 goes down; the health check fails its link, and says it is the check, newer than the run.
    await s2.halt();
    try {
      await page.getByRole('button', { name: 'Check now' }).click();
      await expect(page.getByTestId('health-second-2')).toHaveText('Failed');
      const link = row.getByTestId('health-problem-link');
      await expect(link).toContainText('Link up:');
      await expect(link.getByTestId('health-source-link')).toContainText('from the check');
      await expect(row).toContainText('Unreachable');
      await expect(page.getByTestId('drift-second-2')).toHaveText('Unknown');
      await expect(page.getByTestId('drift-source-second-2')).toContainText('from the check');
      await expect(row.getByTestId('last-sync-source')).toContainText(`from run ${okRun}`);
      await snapBoth(page, 'status-truth-health-failed');

      // A run while it is down: that run's failure is the last synchronization and the errors check's.
      await syncNow(rpc, set.id);
      const failedRun = (await rpc.call('history.list', { limit: 10 })).records[0]?.id ?? '';
      await expect(row.getByTestId('last-sync')).toContainText('Unreachable');
      await expect(row.getByTestId('last-sync-source')).toContainText(`from run ${failedRun}`);
      await expect(row.getByTestId('health-problem-errors')).toContainText('the latest included');
      await expect(row.getByTestId('health-source-errors')).toContainText(`from run ${failedRun}`);
    } finally {
      await s2.restart();
    }

    // Back up, a run succeeds: the health no longer says the link is down or the latest run failed.
    await syncNow(rpc, set.id);
    const laterRun = (await rpc.call('history.list', { limit: 10 })).records[0]?.id ?? '';
    await expect(row.getByTestId('last-sync')).toContainText('Succeeded');
    await expect(row.getByTestId('last-sync-source')).toContainText(`from run ${laterRun}`);
    await expect(page.getByTestId('health-second-2')).not.toHaveText('Failed');
    await expect(row.getByTestId('health-problem-link')).toHaveCount(0);
    await expect(row.getByTestId('health-problem-errors')).not.toContainText('the latest included');
    await expect(page.getByTestId('drift-second-2')).toHaveText('In sync');
    await expect(page.getByTestId('drift-source-second-2')).toContainText(`from run ${laterRun}`);
    await snapBoth(page, 'status-truth-health-after-run');
    rpc.close();
  });
});
