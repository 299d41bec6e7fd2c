import { readFile, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { test, expect, snap } from './support/fixtures.js';
import { connectRpc } from './support/rpc.js';
import { startShellProcess } from './support/browser-shell-process.js';
import { provision, put, SyncWizardPage } from './support/sync-wizard-page.js';
import { startSshd, type SshdServer } from '../support/sshd.js';
import { makeTempDir } from '../support/temp.js';

/** The contract methods the page sends over its socket, in order (what the renderer really calls). */
function methodsSent(page: Page): string[] {
  const sent: string[] = [];
  page.on('websocket', (ws) =>
    ws.on('framesent', (frame) => {
      try {
        const msg = JSON.parse(String(frame.payload)) as { method?: string };
        if (msg.method) sent.push(msg.method);
      } catch {
        // not a request
      }
    }),
  );
  return sent;
}

test.describe('exports and file choices go through the contract; the browser shell downloads and uses a file input', () => {
  let primary: SshdServer;
  let s1: SshdServer;
  const root = (s: SshdServer) => join(s.dataRoot, 'conf');

  test.beforeAll(async () => {
    [primary, s1] = await Promise.all([startSshd(), startSshd()]);
  });
  test.afterAll(async () => {
    await Promise.all([primary, s1].map((s) => s?.stop()));
  });

  test("a plan's CSV and JSON: files.save answers renderer, the page downloads what the plan holds", async ({
    page,
    shell,
  }) => {
    for (const s of [primary, s1]) {
      await rm(root(s), { recursive: true, force: true });
      await mkdir(root(s), { recursive: true });
    }
    await put(root(primary), 'app.conf', 'port=8080\n', { mtime: new Date('2026-01-15T08:30:00Z') });
    await put(root(s1), 'app.conf', 'port=1\n', { mtime: new Date('2025-03-01T10:00:00Z') });
    await put(root(s1), 'stale "quoted", name.conf', 'x\n');
    const rpc = await connectRpc(shell);
    await provision(
      rpc,
      [
        { name: 'primary', role: 'primary', sshd: primary, root: root(primary) },
        { name: 'second-1', role: 'secondary', sshd: s1, root: root(s1) },
      ],
      primary.clientKey.privateKeyPath,
    );
    await rpc.call('sets.save', { set: { name: 'e2e-export', items: [{ path: '${CONFIG_ROOT}' }] } });
    const sent = methodsSent(page);
    await page.goto(shell.url);
    const w = new SyncWizardPage(page);
    await w.open();
    await w.button('Next').click();
    const p1 = w.panel('second-1');
    await expect(p1.getByTestId('entry-row')).toHaveCount(2);

    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      p1.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    expect(csv.suggestedFilename()).toMatch(/second-1.*\.csv$/);
    const csvText = await readFile((await csv.path()) ?? '', 'utf8');
    expect(csvText.split('\n')[0]).toMatch(/^action,path,reason,/);
    expect(csvText).toContain('app.conf');
    expect(csvText).toContain('"stale ""quoted"", name.conf"');
    await expect(p1.getByTestId('export-done')).toContainText(
      `Downloaded ${csv.suggestedFilename()} (2 entries)`,
    );

    const [json] = await Promise.all([
      page.waitForEvent('download'),
      p1.getByRole('button', { name: 'Export JSON' }).click(),
    ]);
    const parsed = JSON.parse(await readFile((await json.path()) ?? '', 'utf8')) as {
      destination: string;
      entries: Array<{ path: string; action: string }>;
    };
    expect(parsed.destination).toBe('second-1');
    expect(parsed.entries.map((e) => [e.path, e.action]).sort()).toEqual([
      ['app.conf', 'update'],
      ['stale "quoted", name.conf', 'delete'],
    ]);
    // Both went through the contract first: the same renderer code the desktop shell runs.
    expect(sent.filter((m) => m === 'files.save')).toHaveLength(2);
    await w.snapBoth('file-choices-export');
    rpc.close();
  });

  test('Backup Configuration: Save as… downloads, Choose file… opens a file input, and the chosen file is imported', async ({
    page,
    shell,
  }) => {
    const files = await makeTempDir('configsync-e2e-files-');
    const rpc = await connectRpc(shell);
    await provision(
      rpc,
      [
        { name: 'primary', role: 'primary', sshd: primary, root: root(primary) },
        { name: 'second-1', role: 'secondary', sshd: s1, root: root(s1) },
      ],
      primary.clientKey.privateKeyPath,
    );
    await rpc.call('sets.save', { set: { name: 'e2e-chosen', items: [{ path: '${CONFIG_ROOT}' }] } });
    rpc.close();
    const sent = methodsSent(page);
    await page.goto(shell.url);
    const dialog = page.getByRole('dialog', { name: 'Backup Configuration' });
    const openBackup = async () => {
      await page.getByRole('menuitem', { name: 'Manage' }).click();
      await page.getByRole('menuitem', { name: 'Backup Configuration…' }).click();
      await expect(dialog).toHaveCSS('opacity', '1');
    };
    await openBackup();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      dialog.getByRole('button', { name: 'Save as…', exact: true }).click(),
    ]);
    const saved = join(files.dir, download.suggestedFilename());
    await download.saveAs(saved);
    await expect(dialog.getByTestId('export-outcome')).toContainText('Downloaded configsync-backup-');
    expect(sent).toContain('files.save');

    const fresh = await startShellProcess();
    try {
      await page.goto(fresh.url);
      await openBackup();
      await dialog.getByRole('tab', { name: 'Import' }).click();
      const [chooser] = await Promise.all([
        page.waitForEvent('filechooser'),
        dialog.getByRole('button', { name: 'Choose file…', exact: true }).click(),
      ]);
      expect(chooser.isMultiple()).toBe(false);
      await chooser.setFiles(saved);
      // The chosen file's text is previewed at once: its servers and its sync set.
      const diff = dialog.getByTestId('config-diff');
      await expect(diff.getByTestId('diff-added').getByRole('listitem')).toHaveText(['primary', 'second-1']);
      await expect(diff.getByTestId('part-added-e2e-chosen')).toBeVisible();
      await expect(dialog.getByRole('textbox', { name: /^Backup file/ })).toHaveValue(
        download.suggestedFilename(),
      );
      await snap(page, 'file-choices-import-chosen-light');
      await page.emulateMedia({ colorScheme: 'dark' });
      await expect(page.locator('html')).toHaveAttribute('data-mantine-color-scheme', 'dark');
      await page.waitForFunction(() =>
        document.getAnimations().every((a) => !(a instanceof CSSTransition) || a.playState !== 'running'),
      );
      await snap(page, 'file-choices-import-chosen-dark');
      await page.emulateMedia({ colorScheme: 'light' });
      await dialog.getByRole('button', { name: 'Import and commit', exact: true }).click();
      await expect(dialog.getByTestId('import-done')).toContainText(
        `Imported ${download.suggestedFilename()} and saved it`,
      );
      expect(sent).toContain('files.open');
      const rpc2 = await connectRpc(fresh);
      expect((await rpc2.call('servers.list', {})).committed.map((s) => s.name).sort()).toEqual(
        expect.arrayContaining(['primary', 'second-1']),
      );
      expect((await rpc2.call('sets.list', {})).sets.map((s) => s.name)).toEqual(['e2e-chosen']);
      rpc2.close();
    } finally {
      await fresh.stop();
      await files.cleanup();
    }
  });
});
