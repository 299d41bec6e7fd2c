import { test as base, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { repoRoot, startShellProcess, type RunningShell } from './browser-shell-process.js';

export const screenshotDir = `${repoRoot}test-results/screenshots`;

/** Saves a full-page screenshot as test-results/screenshots/<name>.png (kept as a CI artifact, ignored by git). */
export async function snap(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: `${screenshotDir}/${name}.png`, fullPage: true });
}

/** `shell`: a browser shell process of its own, with an empty temp store, stopped after the test. */
export const test = base.extend<{ shell: RunningShell }>({
  // Playwright reads the fixture list from this destructuring; this one depends on no other fixture.
  // eslint-disable-next-line no-empty-pattern
  shell: async ({}, use) => {
    const shell = await startShellProcess();
    await use(shell);
    await shell.stop();
  },
});

export { expect } from '@playwright/test';
