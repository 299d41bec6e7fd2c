import { createHash } from 'node:crypto';
import { chmod, mkdir, readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { expect, snap } from './fixtures.js';
import type { ShellRpc } from './rpc.js';
import type { SshdServer } from '../../support/sshd.js';

/** The Synchronize Configurations wizard as a page object. */
export class SyncWizardPage {
  readonly dialog: Locator;
  constructor(private readonly page: Page) {
    this.dialog = page.getByRole('dialog', { name: 'Synchronize Configurations' });
  }
  async open(): Promise<void> {
    await this.page.getByRole('menuitem', { name: 'Manage' }).click();
    await this.page.getByRole('menuitem', { name: 'Synchronize Configurations…' }).click();
    await expect(this.dialog.getByTestId('source-page')).toBeVisible();
  }
  button(name: string): Locator {
    return this.dialog.getByRole('button', { name, exact: true });
  }
  panel(destination: string): Locator {
    return this.dialog.getByTestId(`target-panel-${destination}`);
  }
  result(destination: string): Locator {
    return this.dialog.getByTestId(`result-${destination}`);
  }
  /**
   * Keyboard only: presses Tab until `target` has the focus (a keyboard user's walk, no clicks); fails
   * when it is not reached within `max` presses.
   */
  async tabTo(target: Locator, max = 60): Promise<void> {
    for (let i = 0; i < max; i++) {
      if (await target.evaluate((el) => el === document.activeElement).catch(() => false)) return;
      await this.page.keyboard.press('Tab');
    }
    await expect(target).toBeFocused({ timeout: 1 });
  }
  /** Tab to a button of the wizard (within `max` presses) and press Enter on it. */
  async pressButton(name: string, max = 60): Promise<void> {
    const b = this.button(name);
    await expect(b).toBeEnabled();
    await this.tabTo(b, max);
    await this.page.keyboard.press('Enter');
  }
  /** Presses Tab `times` times (Shift+Tab when `back`); after each, the focus must be inside the dialog. */
  async expectFocusStaysInside(times: number, back = false): Promise<void> {
    for (let i = 0; i < times; i++) {
      await this.page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
      const inside = await this.dialog.evaluate((d) => d.contains(document.activeElement));
      expect(inside, `focus left the dialog after ${i + 1} ${back ? 'Shift+Tab' : 'Tab'}`).toBe(true);
    }
  }
  /** Colour transitions (150 ms in Mantine) over, so a screenshot shows the scheme's own colours. */
  private async transitionsDone(): Promise<void> {
    await this.page.waitForFunction(() =>
      document.getAnimations().every((a) => !(a instanceof CSSTransition) || a.playState !== 'running'),
    );
  }
  /** The same page in light and in dark, once the open dialog has faded in. */
  async snapBoth(name: string): Promise<void> {
    const open = this.page.getByRole('dialog').last();
    await expect.poll(() => open.evaluate((el) => getComputedStyle(el).opacity)).toBe('1');
    await snap(this.page, `${name}-light`);
    await this.page.emulateMedia({ colorScheme: 'dark' });
    await expect(this.page.locator('html')).toHaveAttribute('data-mantine-color-scheme', 'dark');
    await this.transitionsDone();
    await snap(this.page, `${name}-dark`);
    await this.page.emulateMedia({ colorScheme: 'light' });
    await expect(this.page.locator('html')).toHaveAttribute('data-mantine-color-scheme', 'light');
  }
}

export type Tree = Record<string, string>;

/** Every file below root: mode, mtime (s) and a hash of the content; `*.lic` left out (never synchronized). */
export async function tree(root: string): Promise<Tree> {
  const out: Tree = {};
  async function walk(dir: string, rel: string): Promise<void> {
    for (const name of (await readdir(dir).catch(() => [] as string[])).sort()) {
      const full = join(dir, name);
      const st = await stat(full);
      const r = rel ? `${rel}/${name}` : name;
      if (st.isDirectory()) await walk(full, r);
      else if (!name.endsWith('.lic'))
        out[r] = `${(st.mode & 0o777).toString(8)} ${Math.floor(st.mtimeMs / 1000)} ${createHash('sha256')
          .update(await readFile(full))
          .digest('hex')
          .slice(0, 16)}`;
    }
  }
  await walk(root, '');
  return out;
}

export async function put(
  root: string,
  rel: string,
  content: string | Buffer,
  opts: { mode?: number; mtime?: Date } = {},
): Promise<void> {
  const full = join(root, rel);
  await mkdir(join(full, '..'), { recursive: true });
  await writeFile(full, content);
  await chmod(full, opts.mode ?? 0o644);
  if (opts.mtime) await utimes(full, opts.mtime, opts.mtime);
}

export type Member = {
  name: string;
  role: 'primary' | 'secondary';
  root: string;
  sshd?: SshdServer;
  port?: number;
  user?: string;
  timeoutSec?: number;
};

/** Adds the servers through the contract (as the Server List Wizard would), pins keys, commits, tests each. */
export async function provision(
  rpc: ShellRpc,
  members: ReadonlyArray<Member>,
  keyPath: string,
): Promise<void> {
  const ids: string[] = [];
  for (const m of members) {
    const { id } = await rpc.call('servers.add', {
      server: {
        name: m.name,
        host: '127.0.0.1',
        port: m.sshd?.port ?? m.port ?? 22,
        user: m.user ?? m.sshd?.user ?? 'root',
        role: m.role,
        contactTimeoutSec: m.timeoutSec ?? 5,
        vars: { CONFIG_ROOT: m.root },
        auth: { kind: 'key-file', path: m.sshd?.clientKey.privateKeyPath ?? keyPath },
      },
    });
    if (m.sshd) await rpc.call('servers.trustHostKey', { id, fingerprint: m.sshd.hostKeyFingerprint });
    ids.push(id);
  }
  await rpc.call('servers.commit', {});
  // Gives each server its "last contact" as the wizard shows it.
  await Promise.all(ids.map((id) => rpc.call('servers.test', { id })));
}
