import { mkdir, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, expect } from './support/fixtures.js';
import { connectRpc } from './support/rpc.js';
import { provision, SyncWizardPage } from './support/sync-wizard-page.js';
import { startSshd, type SshdServer } from '../support/sshd.js';

type Drawn = { phase: string; fraction: number; filesDone: number; bytesDone: number; words: string };
type Pushed = { phase: string; filesDone: number; filesTotal: number; bytesDone: number; bytesTotal: number };

async function bulkTree(root: string, count: number, size: number, tag: string, mtime: Date): Promise<void> {
  for (let i = 0; i < count; i++) {
    const dir = join(root, `d${String(Math.floor(i / 100)).padStart(2, '0')}`);
    if (i % 100 === 0) await mkdir(dir, { recursive: true });
    const file = join(dir, `f${i}.conf`);
    await writeFile(file, `${tag} ${i}\n`.padEnd(size, 'x'));
    await utimes(file, mtime, mtime);
  }
}

test.describe('Synchronize: the backing-up phase moves', () => {
  let primary: SshdServer;
  let s1: SshdServer;
  const root = (s: SshdServer) => join(s.dataRoot, 'conf');
  let backupDir = '';

  test.beforeAll(async () => {
    [primary, s1] = await Promise.all([startSshd(), startSshd()]);
  });
  test.afterAll(async () => {
    await Promise.all([primary, s1].map((s) => s?.stop()));
    if (backupDir) await rm(backupDir, { recursive: true, force: true });
  });

  test('progress inside the backup, per batch: counts and bytes only go up, the bar moves, and it ends at the whole backup', async ({
    page,
    shell,
  }) => {
    test.setTimeout(240_000);
    for (const s of [primary, s1]) {
      await rm(root(s), { recursive: true, force: true });
      await mkdir(root(s), { recursive: true });
    }
    // 3,000 files second-1 holds an older version of: all overwritten, so all backed up first (24 MB).
    await bulkTree(root(primary), 3000, 4096, 'new', new Date('2026-01-15T08:30:00Z'));
    await bulkTree(root(s1), 3000, 8192, 'old', new Date('2025-03-01T10:00:00Z'));
    const rpc = await connectRpc(shell);
    await provision(
      rpc,
      [
        { name: 'primary', role: 'primary', sshd: primary, root: root(primary) },
        { name: 'second-1', role: 'secondary', sshd: s1, root: root(s1) },
      ],
      primary.clientKey.privateKeyPath,
    );
    await rpc.call('sets.save', {
      set: { name: 'e2e-backup-progress', items: [{ path: '${CONFIG_ROOT}' }] },
    });

    // What main pushes to the page: every sync.progress event, as the renderer receives it.
    const pushed: Pushed[] = [];
    page.on('websocket', (ws) =>
      ws.on('framereceived', (frame) => {
        const msg = JSON.parse(String(frame.payload)) as { event?: string; payload?: Pushed };
        if (msg.event === 'sync.progress' && msg.payload) pushed.push(msg.payload);
      }),
    );
    await page.goto(shell.url);
    const w = new SyncWizardPage(page);
    await w.open();
    await w.button('Next').click();
    await expect(w.panel('second-1').getByTestId('action-filters')).toContainText('Update 3,0');
    await w.button('Next').click();
    await expect(w.dialog.getByTestId('sentences')).toContainText('backup of 24.6 MB');

    // What the page draws, from here on, recorded in the page itself.
    await page.evaluate(() => {
      const drawn: Drawn[] = [];
      (window as unknown as { drawn: Drawn[] }).drawn = drawn;
      new MutationObserver(() => {
        const r = document.querySelector<HTMLElement>('[data-testid="progress-second-1"]');
        if (!r) return;
        drawn.push({
          phase: r.dataset.phase ?? '',
          fraction: Number(r.dataset.fraction),
          filesDone: Number(r.dataset.filesDone),
          bytesDone: Number(r.dataset.bytesDone),
          words: r.querySelector('[data-testid="target-doing"]')?.textContent ?? '',
        });
      }).observe(document.body, { subtree: true, attributes: true, childList: true, characterData: true });
    });
    await w.button('Start').click();
    await expect(w.dialog.getByTestId('progress-page')).toContainText('Finished', { timeout: 180_000 });

    // Main: several samples inside the backup, counts and bytes never going back, ending at the whole backup.
    const backing = pushed.filter((p) => p.phase === 'backing-up');
    expect(backing[0]?.filesTotal).toBe(3000);
    expect(backing[0]?.bytesTotal).toBe(3000 * 8192);
    for (let i = 1; i < backing.length; i++) {
      expect(backing[i]?.filesDone ?? 0).toBeGreaterThanOrEqual(backing[i - 1]?.filesDone ?? 0);
      expect(backing[i]?.bytesDone ?? 0).toBeGreaterThanOrEqual(backing[i - 1]?.bytesDone ?? 0);
    }
    const inBetween = backing.filter((p) => p.filesDone > 0 && p.filesDone < p.filesTotal);
    expect(inBetween.length, JSON.stringify(backing)).toBeGreaterThanOrEqual(1);
    expect(backing.at(-1)?.filesDone).toBe(3000);
    expect(backing.at(-1)?.bytesDone).toBe(3000 * 8192);

    // The page: the bar moves inside the phase and never back, with the counts in words.
    const drawn = await page.evaluate(() => (window as unknown as { drawn: Drawn[] }).drawn);
    const inBackup = drawn.filter((d) => d.phase === 'backing-up');
    const fractions = [...new Set(inBackup.map((d) => d.fraction))];
    expect(fractions.length, JSON.stringify(inBackup.slice(0, 20))).toBeGreaterThan(1);
    const all = drawn.map((d) => d.fraction);
    for (let i = 1; i < all.length; i++) expect(all[i]).toBeGreaterThanOrEqual(all[i - 1] ?? 0);
    expect(
      inBackup.some((d) =>
        /Backing up what it will overwrite or delete: [1-9][\d,]* of 3,000 entries/.test(d.words),
      ),
    ).toBe(true);

    const { runs } = await rpc.call('sync.runs', {});
    backupDir = runs[0]?.reports[0]?.backupDir ?? '';
    expect(runs[0]?.reports[0]?.status).toBe('completed');
    rpc.close();
  });
});
