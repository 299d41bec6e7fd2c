import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { createServer, type Server as NetServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { test, expect, snap } from './support/fixtures.js';
import { connectRpc, type ShellRpc } from './support/rpc.js';
import type { RunningShell } from './support/browser-shell-process.js';
import { provision, put, SyncWizardPage, tree, type Member } from './support/sync-wizard-page.js';
import { startSshd, type SshdServer } from '../support/sshd.js';
import { freePort } from '../support/net.js';

test.describe('Synchronize Configurations wizard', () => {
  let primary: SshdServer;
  let s1: SshdServer;
  let s2: SshdServer;
  let blackHole: NetServer;
  let blackHolePort = 0;
  const held = new Set<Socket>();
  const root = (s: SshdServer) => join(s.dataRoot, 'conf');
  const backupDirs = new Set<string>();

  test.beforeAll(async () => {
    [primary, s1, s2] = await Promise.all([startSshd(), startSshd(), startSshd()]);
    // A host that accepts the connection and never says a word.
    blackHolePort = await freePort();
    blackHole = createServer((sock) => {
      held.add(sock);
      sock.on('close', () => held.delete(sock));
    });
    await new Promise<void>((r) => blackHole.listen(blackHolePort, '127.0.0.1', r));
  });
  test.afterAll(async () => {
    for (const s of held) s.destroy();
    await new Promise((r) => blackHole?.close(r));
    await Promise.all([primary, s1, s2].map((s) => s?.stop()));
    // The three sshd share this machine's home: take our backups back out of it.
    for (const dir of backupDirs) await rm(dir, { recursive: true, force: true });
  });

  async function fresh(...roots: string[]): Promise<void> {
    for (const r of roots) {
      await rm(r, { recursive: true, force: true });
      await mkdir(r, { recursive: true });
    }
  }
  async function forgetBackupsLater(rpc: ShellRpc): Promise<void> {
    for (const r of (await rpc.call('sync.runs', {})).runs.flatMap((x) => x.reports))
      if (r.backupDir) backupDirs.add(r.backupDir);
  }
  async function setUp(
    shell: RunningShell,
    members: ReadonlyArray<Member>,
    set: { name: string },
  ): Promise<ShellRpc> {
    const rpc = await connectRpc(shell);
    await provision(rpc, members, primary.clientKey.privateKeyPath);
    await rpc.call('sets.save', { set: { name: set.name, items: [{ path: '${CONFIG_ROOT}' }] } });
    return rpc;
  }

  test('mirror: differences, diff, export, guard, progress, results; trees equal the source; restore puts them back', async ({
    page,
    shell,
  }) => {
    const old = new Date('2025-03-01T10:00:00Z');
    const t0 = new Date('2026-01-15T08:30:00Z');
    await fresh(root(primary), root(s1), root(s2));
    await put(root(primary), 'app.conf', 'port=8080\nhost=plant-a\nworkers=4\n', { mtime: t0 });
    await put(root(primary), 'keep.conf', 'same everywhere\n', { mtime: old });
    await put(root(primary), 'sub/users.ini', '[users]\nalice\nbob\n', { mode: 0o600, mtime: t0 });
    await put(root(primary), 'sub/deep/x.xml', '<x a="1"/>\n', { mode: 0o640, mtime: t0 });
    await put(root(primary), 'logo.bin', Buffer.from([0, 1, 2, 255, 0, 7]), { mtime: t0 });
    await put(root(primary), 'site.lic', 'licensed to the primary');
    await put(root(s1), 'app.conf', 'port=1\nhost=plant-a\n', { mtime: old });
    await put(root(s1), 'keep.conf', 'same everywhere\n', { mtime: old });
    await put(root(s1), 'stale.conf', 'old\n', { mtime: old });
    await put(root(s1), 'stale2.conf', 'old too\n', { mtime: old });
    await put(root(s1), 'sub/old.ini', 'gone soon\n', { mtime: old });
    await put(root(s1), 'site.lic', 'licensed to second-1');
    await put(root(s2), 'app.conf', 'port=2\n', { mtime: old });
    const before = { s1: await tree(root(s1)), s2: await tree(root(s2)) };
    const rpc = await setUp(
      shell,
      [
        { name: 'primary', role: 'primary', sshd: primary, root: root(primary) },
        { name: 'second-1', role: 'secondary', sshd: s1, root: root(s1) },
        { name: 'second-2', role: 'secondary', sshd: s2, root: root(s2) },
      ],
      { name: 'e2e-mirror' },
    );
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(shell.url);
    const w = new SyncWizardPage(page);
    await w.open();

    // Page 1: the primary is the source, every secondary a destination, "This computer" greyed with why.
    await expect(w.dialog.getByRole('textbox', { name: 'Source server' })).toHaveValue('primary (Primary)');
    await expect(w.dialog.getByRole('checkbox', { name: 'Synchronize to second-1' })).toBeChecked();
    await expect(w.dialog.getByRole('checkbox', { name: 'Synchronize to second-2' })).toBeChecked();
    const local = w.dialog.getByTestId('destination-This computer');
    await expect(local).toContainText('Not Selected in the server list');
    await expect(local.getByRole('checkbox')).toBeDisabled();
    await expect(w.dialog.getByTestId('destination-second-1')).toContainText('Reachable');
    await expect(w.dialog.getByTestId('mode-explained')).toContainText(
      'Strict: each destination becomes an exact copy',
    );
    await w.snapBoth('sync-wizard-01-source');

    // Page 2: the differences per destination.
    await w.button('Next').click();
    const p1 = w.panel('second-1');
    await expect(p1.getByTestId('action-filters')).toContainText('Create 4'); // sub/deep, x.xml, users.ini, logo.bin
    // app.conf, and the folder sub (its modified time differs, as rsync -a would set it).
    await expect(p1.getByTestId('action-filters')).toContainText('Update 2');
    await expect(p1.getByTestId('action-filters')).toContainText('Delete 3');
    await expect(p1.getByTestId('action-filters')).toContainText('Unchanged 1'); // keep.conf
    // The changed text file side by side.
    await p1.getByTestId('entry-row').filter({ hasText: 'app.conf' }).dblclick();
    const diff = p1.getByTestId('file-diff');
    await expect(diff).toContainText('port=1');
    await expect(diff).toContainText('port=8080');
    await expect(diff).toContainText('workers=4');
    await w.snapBoth('sync-wizard-02-differences');
    // A binary file is named as such.
    await p1.getByTestId('entry-row').filter({ hasText: 'logo.bin' }).click();
    await expect(p1.getByTestId('diff-not-text')).toContainText('binary');
    // Filter by action, search by path.
    await p1.getByText(/^Delete 3$/).click();
    await expect(p1.getByTestId('rows-shown')).toContainText('3 matching entries');
    await p1.getByRole('textbox', { name: 'Search paths' }).fill('old.ini');
    await expect(p1.getByTestId('rows-shown')).toContainText('1 matching entries');
    await expect(p1.getByTestId('entry-row')).toHaveText(/sub\/old\.ini/);
    await p1.getByRole('textbox', { name: 'Search paths' }).fill('');
    await p1.getByText(/^Delete 3$/).click();
    // Changes first: the unchanged entry (keep.conf) is hidden until asked for.
    await expect(p1.getByTestId('rows-shown')).toContainText('9 entries (1 unchanged hidden)');
    // Exports hold every entry.
    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      p1.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    const csvText = await readFile(await csv.path(), 'utf8');
    expect(csvText.split('\r\n')[0]).toMatch(/^action,path,reason,/);
    expect(csvText).toContain('delete,stale2.conf,');
    const [json] = await Promise.all([
      page.waitForEvent('download'),
      p1.getByRole('button', { name: 'Export JSON' }).click(),
    ]);
    const doc = JSON.parse(await readFile(await json.path(), 'utf8')) as { entries: Array<{ path: string }> };
    expect(doc.entries.map((e) => e.path)).toContain('sub/users.ini');
    await w.dialog.getByTestId('tab-second-2').click();
    await expect(w.panel('second-2').getByTestId('action-filters')).toContainText('Update 1');

    // Page 3: one sentence per destination; the mass-deletion guard needs an explicit yes.
    await w.button('Next').click();
    const sentences = w.dialog.getByTestId('sentences');
    await expect(sentences).toContainText('second-1: 4 entries created, 2 updated, 3 deleted');
    await expect(sentences).toContainText('backup of');
    await expect(sentences).toContainText('second-2: 6 entries created, 1 updated');
    await expect(w.dialog.getByTestId('guards')).toContainText('deletes 3 of the 5 files');
    await expect(w.button('Start')).toBeDisabled();
    await w.dialog.getByRole('checkbox', { name: /I have checked this/ }).check();
    await w.snapBoth('sync-wizard-03-confirm');

    // Pages 4 and 5.
    await w.button('Start').click();
    await expect(w.dialog.getByTestId('progress-page')).toContainText('Finished');
    await expect(w.dialog.getByTestId('overall-percent')).toHaveText('100 %');
    await w.snapBoth('sync-wizard-04-progress');
    await w.button('Next').click();
    await expect(w.result('second-1').getByTestId('result-status')).toHaveText('Succeeded');
    await expect(w.result('second-2').getByTestId('result-status')).toHaveText('Succeeded');
    await expect(w.result('second-1')).toContainText('4 / 2 / 3');
    await w.snapBoth('sync-wizard-05-results');

    // On disk: both destinations equal the source (content, mode, mtime); each kept its own license.
    const want = await tree(root(primary));
    expect(await tree(root(s1))).toEqual(want);
    expect(await tree(root(s2))).toEqual(want);
    expect(await readFile(join(root(s1), 'site.lic'), 'utf8')).toBe('licensed to second-1');
    // Each destination kept what the run overwrote or deleted, in a backup of its own.
    const { runs } = await rpc.call('sync.runs', {});
    const runId = runs[0]?.runId ?? '';
    const servers = (await rpc.call('servers.list', {})).committed;
    const backupOf = (name: string) => {
      const id = servers.find((s) => s.name === name)?.id ?? name;
      return runs[0]?.reports.find((r) => r.targetId === `${id}#0`)?.backupDir ?? '';
    };
    await forgetBackupsLater(rpc);
    expect(backupOf('second-1')).not.toBe(backupOf('second-2'));
    expect(await readFile(join(backupOf('second-1'), 'files/stale.conf'), 'utf8')).toBe('old\n');
    expect(await readFile(join(backupOf('second-1'), 'files/app.conf'), 'utf8')).toBe(
      'port=1\nhost=plant-a\n',
    );
    expect(await readFile(join(backupOf('second-2'), 'files/app.conf'), 'utf8')).toBe('port=2\n');
    await expect(w.dialog.getByTestId('log-path')).toContainText(`logs/${runId}.log`);

    // Restore this run: after a confirmation, both trees are back as they were.
    await w.button('Restore this run…').click();
    await expect(w.dialog.getByTestId('confirm-restore')).toContainText('second-1, second-2');
    await w.button('Restore now').click();
    await expect(w.dialog.getByTestId('restore-done')).toContainText('back as it was');
    await expect(w.dialog.getByTestId('results-title')).toContainText('This run was undone: restored at');
    await w.snapBoth('sync-wizard-06-restored');
    expect(await tree(root(s1))).toEqual(before.s1);
    expect(await tree(root(s2))).toEqual(before.s2);

    await w.button('Finish').click();
    await expect(w.dialog).toBeHidden();

    // The restore is a run of its own: in History, beside the run it undid ("restored at …").
    await page.getByRole('menuitem', { name: 'Manage' }).click();
    await page.getByRole('menuitem', { name: 'History…' }).click();
    const history = page.getByRole('dialog', { name: 'History' });
    await expect(history.getByTestId('history-restore-of')).toHaveCount(2);
    await expect(history.getByTestId('history-restore-of').first()).toContainText(`Restore of run ${runId}`);
    await expect(history.getByTestId('history-restored-at')).toContainText('restored at');
    await expect(
      history.getByTestId('history-row').filter({ has: page.getByText('Restored', { exact: true }) }),
    ).toHaveCount(2);
    await w.snapBoth('history-01-restore');
    await history.getByRole('button', { name: 'Close', exact: true }).click();
    // And on the status tab: the secondaries' last operation is the restore.
    await page.getByRole('tab', { name: 'Synchronization status' }).click();
    await expect(page.getByTestId('status-row-second-1').getByTestId('last-sync')).toContainText('Restored');
    await expect(page.getByTestId('status-row-primary').getByTestId('last-sync')).not.toContainText(
      'Restored',
    );
    rpc.close();
    expect(errors).toEqual([]);
  });

  test('Easy mode leaves extras and newer files alone; an unreachable secondary is skipped with its reason', async ({
    page,
    shell,
  }) => {
    const old = new Date('2025-03-01T10:00:00Z');
    const newer = new Date('2026-02-01T10:00:00Z');
    await fresh(root(primary), root(s1), root(s2));
    await put(root(primary), 'a.conf', 'a from the primary\n', { mtime: old });
    await put(root(primary), 'b.conf', 'b from the primary\n', { mtime: old });
    await put(root(s1), 'a.conf', 'a edited on second-1\n', { mtime: newer });
    await put(root(s1), 'extra.conf', 'only on second-1\n', { mtime: old });
    const rpc = await setUp(
      shell,
      [
        { name: 'primary', role: 'primary', sshd: primary, root: root(primary) },
        { name: 'second-1', role: 'secondary', sshd: s1, root: root(s1) },
        { name: 'second-2', role: 'secondary', sshd: s2, root: root(s2) },
        { name: 'second-3', role: 'secondary', port: blackHolePort, root: '/nowhere', timeoutSec: 1 },
      ],
      { name: 'e2e-easy' },
    );
    await page.goto(shell.url);
    const w = new SyncWizardPage(page);
    await w.open();
    // A host that never answers is named as such (not as a refused login or a changed key).
    await expect(w.dialog.getByTestId('destination-second-3')).toContainText('No answer');
    await w.dialog.getByText('Easy', { exact: true }).click();
    await expect(w.dialog.getByTestId('mode-explained')).toContainText(
      'Easy: only files that are newer on the source',
    );
    await w.button('Next').click();
    await expect(w.panel('second-1').getByTestId('action-filters')).toContainText('Skip 1');
    await expect(w.panel('second-1').getByTestId('action-filters')).toContainText('Delete 0');
    await w.dialog.getByTestId('tab-second-3').click();
    await expect(w.dialog.getByTestId('target-unreachable')).toContainText('second-3 will be skipped');
    await w.snapBoth('sync-wizard-07-unreachable');
    await w.button('Next').click();
    await expect(w.dialog.getByTestId('sentences')).toContainText('second-3: skipped');
    await expect(w.dialog.getByTestId('warnings')).toContainText('second-3 could not be reached');
    await w.button('Start').click();
    await expect(w.dialog.getByTestId('progress-page')).toContainText('Finished');
    await w.button('Next').click();
    await expect(w.result('second-1').getByTestId('result-status')).toHaveText('Succeeded');
    await expect(w.result('second-2').getByTestId('result-status')).toHaveText('Succeeded');
    await expect(w.result('second-3').getByTestId('result-status')).toHaveText('Skipped (unreachable)');
    await expect(w.result('second-3').getByTestId('result-reason')).not.toBeEmpty();
    await w.snapBoth('sync-wizard-08-results-skipped');

    expect(await readFile(join(root(s1), 'a.conf'), 'utf8')).toBe('a edited on second-1\n');
    expect(await readFile(join(root(s1), 'extra.conf'), 'utf8')).toBe('only on second-1\n');
    expect(await readFile(join(root(s1), 'b.conf'), 'utf8')).toBe('b from the primary\n');
    expect(await tree(root(s2))).toEqual(await tree(root(primary)));
    await forgetBackupsLater(rpc);
    await w.button('Finish').click();
    await expect(w.dialog).toBeHidden();

    // Manage › Sync Sets: validated as you type, with the live preview of what the globs take.
    await page.getByRole('menuitem', { name: 'Manage' }).click();
    await page.getByRole('menuitem', { name: 'Sync Sets…' }).click();
    const sets = page.getByRole('dialog', { name: 'Sync Sets' });
    const preview = sets.getByTestId('set-preview');
    await expect(preview).toContainText('a.conf');
    await expect(sets.getByTestId('resolved-paths')).toContainText(`second-1: ${root(s1)}`);
    await sets.getByRole('textbox', { name: 'Exclude (globs, one a line)' }).fill('*.lic\nb.*');
    await expect(preview.getByText('b.conf')).toBeVisible();
    await expect(sets.getByText('Default exclusions removed: licenses/**')).toBeVisible();
    await sets.getByRole('textbox', { name: 'Name' }).fill('bad name!');
    await expect(sets.getByText(/Give the set a name of letters/)).toBeVisible();
    await expect(sets.getByRole('button', { name: 'Save', exact: true })).toBeDisabled();
    await w.snapBoth('sync-sets-01-editor');
    await sets.getByRole('button', { name: 'Close', exact: true }).click();

    // Manage › Backups: this run's backup per destination, restorable after a confirmation.
    await page.getByRole('menuitem', { name: 'Manage' }).click();
    await page.getByRole('menuitem', { name: 'Backups…' }).click();
    const backups = page.getByRole('dialog', { name: 'Backups' });
    const row = backups.getByTestId('backup-row').filter({ hasText: 'second-1' });
    await expect(row).toContainText('e2e-easy');
    await w.snapBoth('sync-backups-01-list');
    await row.getByRole('button', { name: 'Restore…' }).click();
    await row.getByRole('button', { name: 'Restore now' }).click();
    await expect(row.getByTestId('backup-restore-outcome')).toContainText('1 removed');
    await expect(stat(join(root(s1), 'b.conf'))).rejects.toThrow();
    expect(await readFile(join(root(s1), 'a.conf'), 'utf8')).toBe('a edited on second-1\n');
    rpc.close();
  });

  test('a 100,000-entry plan shows its counts and first rows, and pages in rows as it scrolls', async ({
    page,
    shell,
  }) => {
    await fresh(root(primary), root(s1));
    // 100 folders of 1,000 empty files, made by the shell in about a second.
    execFileSync(
      'sh',
      [
        '-c',
        'for d in $(seq -f "d%03g" 1 100); do mkdir "$d"; seq -f "$d/f%04g.conf" 1 1000; done | xargs touch',
      ],
      {
        cwd: root(primary),
      },
    );
    const rpc = await setUp(
      shell,
      [
        { name: 'primary', role: 'primary', sshd: primary, root: root(primary) },
        { name: 'second-1', role: 'secondary', sshd: s1, root: root(s1) },
      ],
      { name: 'e2e-large' },
    );
    await page.goto(shell.url);
    const w = new SyncWizardPage(page);
    await w.open();
    await w.button('Next').click();
    const p1 = w.panel('second-1');
    await expect(p1.getByTestId('action-filters')).toContainText('Create 100,100', { timeout: 60_000 });
    await expect(p1.getByTestId('rows-shown')).toContainText('100,100 entries');
    await expect(p1.getByTestId('entry-row').first()).toContainText('d001');
    // Only the visible rows exist; scrolling to the middle pages in the rows there.
    expect(await p1.getByTestId('entry-row').count()).toBeLessThan(60);
    await p1.getByTestId('entries-scroller').evaluate((el) => (el.scrollTop = el.scrollHeight / 2));
    await expect(p1.getByTestId('entry-row').filter({ hasText: 'd050/' }).first()).toBeVisible();
    await w.snapBoth('sync-wizard-09-large-plan');
    await w.button('Cancel').click();
    await expect(w.dialog).toBeHidden();
    rpc.close();
    await rm(root(primary), { recursive: true, force: true });
  });

  test('keyboard only: the menu shortcut opens the wizard, Tab and Enter walk it to a finished run, Esc closes', async ({
    page,
    shell,
  }) => {
    const t0 = new Date('2026-01-15T08:30:00Z');
    await fresh(root(primary), root(s1));
    await put(root(primary), 'app.conf', 'port=8080\n', { mtime: t0 });
    await put(root(primary), 'sub/users.ini', '[users]\nalice\n', { mtime: t0 });
    await put(root(s1), 'app.conf', 'port=1\n', { mtime: new Date('2025-03-01T10:00:00Z') });
    const rpc = await setUp(
      shell,
      [
        { name: 'primary', role: 'primary', sshd: primary, root: root(primary) },
        { name: 'second-1', role: 'secondary', sshd: s1, root: root(s1) },
      ],
      { name: 'e2e-keyboard' },
    );
    await page.goto(shell.url);
    const w = new SyncWizardPage(page);
    // From the app frame, with nothing focused in particular.
    await expect(page.getByRole('menuitem', { name: 'Manage' })).toBeVisible();
    await page.keyboard.press('Control+Shift+S');
    await expect(w.dialog.getByTestId('source-page')).toBeVisible();
    await expect(w.dialog.getByRole('checkbox', { name: 'Synchronize to second-1' })).toBeChecked();
    // Next is in a few Tabs from wherever a page puts the focus, and the focus never leaves the dialog.
    await w.pressButton('Next', 8);
    await expect(w.panel('second-1').getByTestId('action-filters')).toContainText('Update 1');
    await expect(w.button('Next')).toBeFocused();
    await w.expectFocusStaysInside(40);
    await w.expectFocusStaysInside(15, true);
    await w.pressButton('Next', 60);
    await expect(w.dialog.getByTestId('sentences')).toContainText('second-1: 2 entries created, 1 updated');
    // The Confirmation page does not put Start under Enter: Enter, Enter does not start a run.
    await expect(w.button('Start')).not.toBeFocused();
    await page.keyboard.press('Enter');
    await expect(w.dialog.getByTestId('sentences')).toBeVisible();
    await expect(w.button('Start')).not.toBeFocused();
    await w.pressButton('Start', 6);
    await expect(w.dialog.getByTestId('progress-page')).toContainText('Finished');
    await w.expectFocusStaysInside(20);
    await w.pressButton('Next', 8);
    await expect(w.result('second-1').getByTestId('result-status')).toHaveText('Succeeded');
    await w.snapBoth('sync-wizard-10-keyboard-results');
    await page.keyboard.press('Escape');
    await expect(w.dialog).toBeHidden();
    expect(await tree(root(s1))).toEqual(await tree(root(primary)));
    await forgetBackupsLater(rpc);
    rpc.close();
  });

  test('cancel mid-run: every destination file is whole, old or new; the journal and the Results page say cancelled', async ({
    page,
    shell,
  }) => {
    const old = new Date('2025-03-01T10:00:00Z');
    const t0 = new Date('2026-01-15T08:30:00Z');
    await fresh(root(primary), root(s1));
    // Large files so that the transfer outlasts the two clicks of a cancel even on a fast, idle machine
    // (768 MiB), and many small ones so the swap takes a while too.
    const blob = randomBytes(32 * 1024 * 1024);
    for (let i = 0; i < 24; i++) {
      blob.writeUInt32BE(i, 0);
      await put(root(primary), `big/blob-${i}.bin`, blob, { mtime: t0 });
    }
    execFileSync(
      'sh',
      [
        '-c',
        'for d in $(seq -f "d%02g" 1 20); do mkdir -p "small/$d"; seq -f "small/$d/f%03g.conf" 1 100; done | xargs touch',
      ],
      { cwd: root(primary) },
    );
    for (let i = 0; i < 40; i++)
      await put(root(s1), `small/d01/f${String(i + 1).padStart(3, '0')}.conf`, `old ${i}\n`, { mtime: old });
    await put(root(s1), 'big/blob-0.bin', 'an old, small blob\n', { mtime: old });
    await put(root(s1), 'extra.conf', 'only on second-1\n', { mtime: old });
    const before = await tree(root(s1));
    const source = await tree(root(primary));
    const rpc = await setUp(
      shell,
      [
        { name: 'primary', role: 'primary', sshd: primary, root: root(primary) },
        { name: 'second-1', role: 'secondary', sshd: s1, root: root(s1) },
      ],
      { name: 'e2e-cancel' },
    );
    await page.goto(shell.url);
    const w = new SyncWizardPage(page);
    await w.open();
    await w.button('Next').click();
    // 40 files and the blob, and the folders small, small/d01 and big (their modified times differ).
    await expect(w.panel('second-1').getByTestId('action-filters')).toContainText('Update 44');
    await w.button('Next').click();
    await w.button('Start').click();
    // The run has started (its progress row is on the page) and 768 MiB are still to be copied: stop now.
    const row = w.dialog.getByTestId('progress-second-1');
    await expect(row).toBeVisible();
    await w.button('Cancel run…').click();
    await expect(w.dialog.getByTestId('confirm-stop')).toBeVisible();
    await snap(page, 'sync-wizard-11-cancel-asked');
    // Enter on the focused button, as a keyboard user would: the page keeps updating while it asks.
    await w.button('Stop the run').press('Enter');
    await expect(w.dialog.getByTestId('progress-page')).toContainText('Finished', { timeout: 30_000 });
    await w.button('Next').click();
    const result = w.result('second-1');
    await expect(result.getByTestId('result-status')).toHaveText('Cancelled');
    await expect(w.dialog.getByRole('heading', { name: /The run was cancelled/ })).toBeVisible();
    await expect(result.getByTestId('result-applied')).toContainText(/[\d,]+ of [\d,]+ changes applied/);
    await w.snapBoth('sync-wizard-12-cancelled');

    // What the engine reported and journaled.
    const { runs } = await rpc.call('sync.runs', {});
    const report = runs[0]?.reports[0];
    expect(report?.status).toBe('cancelled');
    await forgetBackupsLater(rpc);
    // The journal's head holds its phase; the paths it lists (applied ones included) sit beside it.
    const journalPath = report?.journalPath ?? '';
    const journal = {
      ...(JSON.parse(await readFile(journalPath, 'utf8')) as { phase: string }),
      ...(JSON.parse(await readFile(journalPath.replace(/\.json$/, '.lists'), 'utf8')) as {
        applied?: string[];
      }),
    };
    expect(journal.phase).toBe('cancelled');
    // The cancel lands wherever the run is when it arrives: still in the transfer (nothing live changed,
    // every change "not applied") or in the swap (some applied). Both are checked exactly on disk below.
    expect(new Set(journal.applied ?? [])).toEqual(new Set(report?.applied));
    expect(report?.notApplied.length).toBeGreaterThan(0);
    await expect(result.getByTestId('result-applied')).toContainText(
      `${report?.applied.length.toLocaleString('en-US')} of ${((report?.applied.length ?? 0) + (report?.notApplied.length ?? 0)).toLocaleString('en-US')} changes applied`,
    );

    // On disk: every file is whole, either its old version or the source's (content, mode, mtime).
    const after = await tree(root(s1));
    for (const [path, now] of Object.entries(after))
      expect([before[path], source[path]], `${path} is neither its old nor its new version`).toContain(now);
    // Applied changes are the new version; changes not applied left the old one (or no file) in place.
    const applied = new Set(report?.applied);
    for (const path of report?.notApplied ?? []) expect(after[path], path).toBe(before[path]);
    for (const path of applied)
      if (source[path] !== undefined && !path.endsWith('/')) {
        const st = await stat(join(root(s1), path));
        if (st.isFile()) expect(after[path], path).toBe(source[path]);
      }
    // Nothing of the run is left beside the files: no staging folder, no temp names.
    const names = await readdir(root(s1));
    expect(names.filter((n) => n.startsWith('.configsync-'))).toEqual([]);
    for (const path of Object.keys(after)) expect(before[path] ?? source[path], path).toBeDefined();
    rpc.close();
  });
});
