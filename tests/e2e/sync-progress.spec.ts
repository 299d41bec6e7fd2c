import { mkdir, rm, writeFile, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { test, expect } from './support/fixtures.js';
import { connectRpc } from './support/rpc.js';
import { provision, SyncWizardPage, tree } from './support/sync-wizard-page.js';
import { startSshd, type SshdServer } from '../support/sshd.js';

type Sample = {
  overall: number | null;
  rows: Array<{ id: string; fraction: number; phase: string }>;
};

/** Writes `count` files of `size` bytes in folders of 100, all with the same mtime. */
async function bulkTree(root: string, count: number, size: number, tag: string, mtime: Date): Promise<void> {
  for (let i = 0; i < count; i++) {
    const dir = join(root, `d${String(Math.floor(i / 100)).padStart(2, '0')}`);
    if (i % 100 === 0) await mkdir(dir, { recursive: true });
    const file = join(dir, `f${i}.conf`);
    await writeFile(file, `${tag} ${i}\n`.padEnd(size, 'x'));
    await utimes(file, mtime, mtime);
  }
}

test.describe('Synchronize: progress', () => {
  let primary: SshdServer;
  let s1: SshdServer;
  let s2: SshdServer;
  const root = (s: SshdServer) => join(s.dataRoot, 'conf');

  test.beforeAll(async () => {
    [primary, s1, s2] = await Promise.all([startSshd(), startSshd(), startSshd()]);
  });
  test.afterAll(async () => {
    await Promise.all([primary, s1, s2].map((s) => s?.stop()));
  });

  test('every bar only moves forward through every phase, backing up included, and ends at the counts Results shows', async ({
    page,
    shell,
  }) => {
    test.setTimeout(240_000);
    for (const s of [primary, s1, s2]) {
      await rm(root(s), { recursive: true, force: true });
      await mkdir(root(s), { recursive: true });
    }
    // 2,000 files: second-1 holds an older copy of each (overwritten, so backed up first) and 30
    // extras (deleted); second-2 is empty (a first copy, nothing to back up). second-1's 20 folders were
    // made at other times than the source's, so their mtimes are updated too (2,020 updates).
    await bulkTree(root(primary), 2000, 2048, 'new', new Date('2026-01-15T08:30:00Z'));
    await bulkTree(root(s1), 2000, 1024, 'old', new Date('2025-03-01T10:00:00Z'));
    for (let i = 0; i < 30; i++) await writeFile(join(root(s1), `extra-${i}.conf`), 'extra\n');

    const rpc = await connectRpc(shell);
    await provision(
      rpc,
      [
        { name: 'primary', role: 'primary', sshd: primary, root: root(primary) },
        { name: 'second-1', role: 'secondary', sshd: s1, root: root(s1) },
        { name: 'second-2', role: 'secondary', sshd: s2, root: root(s2) },
      ],
      primary.clientKey.privateKeyPath,
    );
    await rpc.call('sets.save', { set: { name: 'e2e-progress', items: [{ path: '${CONFIG_ROOT}' }] } });

    await page.goto(shell.url);
    const w = new SyncWizardPage(page);
    await w.open();
    await w.button('Next').click();
    await expect(w.panel('second-1').getByTestId('action-filters')).toContainText('Update 2,020');
    await w.button('Next').click();
    await expect(w.dialog.getByTestId('sentences')).toContainText('second-1:');

    // Every change the page draws is recorded from here on, in the page itself.
    await page.evaluate(() => {
      const samples: Sample[] = [];
      (window as unknown as { samples: Sample[] }).samples = samples;
      const read = () => {
        const o = document.querySelector('[data-testid="overall-percent"]');
        samples.push({
          overall: o ? Number(o.getAttribute('data-fraction')) : null,
          rows: Array.from(
            document.querySelectorAll<HTMLElement>('[data-testid^="progress-"][data-fraction]'),
          ).map((r) => ({
            id: r.dataset.testid ?? '',
            fraction: Number(r.dataset.fraction),
            phase: r.dataset.phase ?? '',
          })),
        });
      };
      new MutationObserver(read).observe(document.body, {
        subtree: true,
        attributes: true,
        childList: true,
        characterData: true,
      });
    });
    await w.button('Start').click();
    await expect(w.dialog.getByTestId('progress-page')).toContainText('Finished', { timeout: 180_000 });
    await expect(w.dialog.getByTestId('overall-percent')).toHaveText('100 %');

    const samples = await page.evaluate(() => (window as unknown as { samples: Sample[] }).samples);
    const overall = samples.map((s) => s.overall).filter((v): v is number => v !== null && !Number.isNaN(v));
    expect(overall.length).toBeGreaterThan(3);
    for (let i = 1; i < overall.length; i++) expect(overall[i]).toBeGreaterThanOrEqual(overall[i - 1] ?? 0);
    expect(overall.at(-1)).toBe(1);
    for (const id of ['progress-second-1', 'progress-second-2']) {
      const seen = samples.flatMap((s) => s.rows.filter((r) => r.id === id));
      for (let i = 1; i < seen.length; i++)
        expect(seen[i]?.fraction, `${id} sample ${i}`).toBeGreaterThanOrEqual(seen[i - 1]?.fraction ?? 0);
      expect(seen.at(-1)?.fraction).toBe(100);
      // The phases seen move the bar: each one's first sample is further than the previous one's.
      const firsts = new Map<string, number>();
      for (const r of seen)
        if (r.phase && r.phase !== 'reported' && !firsts.has(r.phase)) firsts.set(r.phase, r.fraction);
      const values = [...firsts.values()];
      for (let i = 1; i < values.length; i++) expect(values[i]).toBeGreaterThan(values[i - 1] ?? 0);
    }
    const phases1 = new Set(
      samples.flatMap((s) => s.rows.filter((r) => r.id === 'progress-second-1').map((r) => r.phase)),
    );
    expect(phases1.has('backing-up')).toBe(true);
    expect(phases1.has('transferring')).toBe(true);

    // A finished destination shows its real counts, the entries Results counts, in the same words.
    const p1 = w.dialog.getByTestId('progress-second-1');
    await expect(p1.getByTestId('target-counts')).toContainText('0 created · 2,020 updated · 30 deleted');
    await expect(w.dialog.getByTestId('progress-second-2').getByTestId('target-counts')).toContainText(
      '2,020 created · 0 updated · 0 deleted',
    );
    await w.snapBoth('sync-progress-finished');
    await w.button('Next').click();
    await expect(w.result('second-1')).toContainText('0 / 2020 / 30');
    await expect(w.result('second-2')).toContainText('2020 / 0 / 0');
    expect(await tree(root(s1))).toEqual(await tree(root(primary)));
    rpc.close();
  });
});
