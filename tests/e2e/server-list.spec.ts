import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { test, expect, snap } from './support/fixtures.js';
import { startSshd, PASSWORD, PASSWORD_USER, type SshdServer } from '../support/sshd.js';

/** The Server List Wizard as a page object: one method per thing a user does on its pages. */
class ServerListWizard {
  readonly dialog: Locator;
  constructor(private readonly page: Page) {
    this.dialog = page.getByRole('dialog', { name: 'Server List Wizard' });
  }
  async open(): Promise<void> {
    await this.page.getByRole('button', { name: 'Open the Server List Wizard' }).click();
    await expect(this.dialog).toBeVisible();
  }
  button(name: string | RegExp): Locator {
    return this.dialog.getByRole('button', typeof name === 'string' ? { name, exact: true } : { name });
  }
  field(name: RegExp): Locator {
    return this.dialog.getByRole('textbox', { name });
  }
  row(name: string): Locator {
    return this.dialog.getByTestId(`server-row-${name}`);
  }
  async fillInfo(info: {
    name: string;
    host: string;
    port: number;
    user: string;
    timeout?: number;
  }): Promise<void> {
    await this.field(/^Name/).fill(info.name);
    await this.field(/^Host/).fill(info.host);
    await this.field(/^Port/).fill(String(info.port));
    await this.field(/^SSH user/).fill(info.user);
    await this.field(/^Contact timeout/).fill(String(info.timeout ?? 5));
  }
  /** Trust page: the key shown must be the server's, as ssh-keygen -lf prints it. */
  async trust(server: SshdServer): Promise<void> {
    const presented = this.dialog.getByTestId('presented-key');
    await expect(presented).toContainText(`256 ${server.hostKeyFingerprint} (ED25519)`);
    await this.button('Trust this key').click();
    await expect(this.dialog.getByTestId('key-pinned')).toBeVisible();
    await expect(this.button('Next')).toBeEnabled();
  }
  /** Key setup page: the password typed once; Enter runs the setup, then Enter goes on. */
  async setUpKey(options: { wrongFirst?: boolean } = {}): Promise<void> {
    await expect(this.dialog.getByTestId('key-setup-page')).toBeVisible();
    const password = this.dialog.getByLabel(/^Password for/);
    if (options.wrongFirst) {
      // A wrong password (sshd waits ~2 s before refusing it, the contact timeout is 5 s) reads as a
      // refused password, never as a host that did not answer.
      await password.fill(`${PASSWORD}-wrong`);
      await password.press('Enter');
      const result = this.dialog.getByTestId('key-setup-result');
      await expect(result).toContainText('Key setup failed');
      await expect(result).toContainText('did not accept the password');
      await expect(result).not.toContainText(/did not answer|firewalled|timed? ?out/i);
      await snap(this.page, 'server-list-wrong-password');
    }
    await password.fill(PASSWORD);
    await password.press('Enter');
    await expect(this.dialog.getByTestId('key-setup-result')).toContainText('key login works');
    await expect(password).toHaveValue('');
  }
  async addServer(server: SshdServer, name: string, snapPrefix?: string, wrongFirst = false): Promise<void> {
    await this.fillInfo({ name, host: server.host, port: server.port, user: PASSWORD_USER });
    await this.field(/^Port/).press('Enter');
    await expect(this.dialog.getByTestId('trust-page')).toBeVisible();
    if (snapPrefix) await snap(this.page, `${snapPrefix}-trust`);
    await this.trust(server);
    await this.page.keyboard.press('Enter');
    await this.setUpKey({ wrongFirst });
    if (snapPrefix) await snap(this.page, `${snapPrefix}-key-setup`);
    await this.page.keyboard.press('Enter');
    await expect(this.dialog.getByTestId('summary-page')).toBeVisible();
  }
}

test.describe('Server List Wizard', () => {
  const servers: SshdServer[] = [];
  let sshDir: string;

  test.beforeAll(async () => {
    for (let i = 0; i < 3; i++) servers.push(await startSshd({ passwordAuth: true }));
    const home = execFileSync('sh', ['-c', `getent passwd ${PASSWORD_USER} | cut -d: -f6`])
      .toString()
      .trim();
    sshDir = join(home, '.ssh');
    rmSync(sshDir, { recursive: true, force: true });
  });
  test.afterAll(async () => {
    rmSync(sshDir, { recursive: true, force: true });
    for (const s of servers) await s.stop();
  });

  test('adds a primary and two secondaries, trusts them, sets up keys, commits; Reset and Cancel discard', async ({
    page,
    shell,
  }) => {
    test.setTimeout(180_000);
    const [a, b, c] = servers as [SshdServer, SshdServer, SshdServer];
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(shell.url);
    const wizard = new ServerListWizard(page);
    await expect(page.getByTestId('committed-row-This computer')).toBeVisible();
    await wizard.open();
    await expect(wizard.row('This computer')).toBeVisible();
    await snap(page, 'server-list-01-list-empty');

    // Server info: Enter with nothing typed shows the problems beside their fields.
    await wizard.button(/Add server$/).click();
    await wizard.field(/^Name/).press('Enter');
    await expect(wizard.dialog.getByText('Give the server a name')).toBeVisible();
    await expect(wizard.dialog.getByText('Give the host name or IP address')).toBeVisible();
    await wizard.field(/^Port/).fill('70000');
    await wizard.field(/^Port/).press('Enter');
    await expect(wizard.dialog.getByText('The port is a number between 1 and 65535')).toBeVisible();
    // Discover resolves a name to its address.
    await wizard.field(/^Host/).fill('localhost');
    await wizard.button('Discover').click();
    await expect(wizard.dialog.getByTestId('discover-result')).toContainText(
      /localhost resolves to .*(127\.0\.0\.1|::1)/,
    );
    // A path variable, with its name checked.
    await wizard.dialog.getByRole('button', { name: '+ Add variable' }).click();
    await wizard.dialog.getByRole('textbox', { name: 'Variable 1 name' }).fill('1ROOT');
    await wizard.dialog.getByRole('textbox', { name: 'Variable 1 value' }).fill('/srv/app/conf');
    await wizard.field(/^Name/).fill('Plant A primary');
    await wizard.field(/^Name/).press('Enter');
    await expect(wizard.dialog.getByText(/does not start with a digit/)).toBeVisible();
    await wizard.dialog.getByRole('textbox', { name: 'Variable 1 name' }).fill('CONFIG_ROOT');
    await snap(page, 'server-list-02-server-info');

    await wizard.addServer(a, 'Plant A primary', 'server-list-03', true);
    await snap(page, 'server-list-04-summary-one');
    for (const [s, name] of [
      [b, 'Plant B secondary'],
      [c, 'Plant C secondary'],
    ] as const) {
      await wizard.button('Add another server').click();
      await wizard.addServer(s, name);
    }
    await expect(wizard.dialog.getByTestId('summary-row-Plant A primary')).toContainText('Primary');
    await expect(wizard.dialog.getByTestId('summary-row-Plant B secondary')).toContainText('Secondary');
    await expect(wizard.dialog.getByTestId('summary-row-Plant C secondary')).toContainText('new');
    await snap(page, 'server-list-05-summary-three');
    // Nothing is written before Finish.
    expect(JSON.parse(readFileSync(join(shell.dataDir, 'config.json'), 'utf8')).servers).toHaveLength(1);
    await wizard.button('Finish').click();
    await expect(wizard.dialog).toBeHidden();

    const view = page.getByTestId('committed-servers');
    await expect(view.getByTestId('committed-row-Plant A primary')).toContainText('Primary');
    await expect(view.getByTestId('committed-row-Plant C secondary')).toContainText('Secondary');

    // The file holds the three servers with their pinned keys; the password is nowhere in it.
    const saved = readFileSync(join(shell.dataDir, 'config.json'), 'utf8');
    expect(saved).not.toContain(PASSWORD);
    const doc = JSON.parse(saved) as {
      servers: Array<{
        name: string;
        port?: number;
        pinnedHostKey?: { fingerprint: string } | null;
        vars: object;
      }>;
    };
    for (const s of [a, b, c])
      expect(doc.servers.find((x) => x.port === s.port)?.pinnedHostKey?.fingerprint).toBe(
        s.hostKeyFingerprint,
      );
    expect(doc.servers.find((x) => x.name === 'Plant A primary')?.vars).toEqual({
      CONFIG_ROOT: '/srv/app/conf',
    });
    // One key line, however many servers share the account.
    expect(readFileSync(join(sshDir, 'authorized_keys'), 'utf8').trim().split('\n')).toHaveLength(1);

    // Reload: the committed list comes back from main.
    await page.reload();
    await expect(page.getByTestId('committed-row-Plant B secondary')).toBeVisible();
    await snap(page, 'server-list-06-servers-view');

    // Reset discards staged edits: a role change and a removal.
    await wizard.open();
    await wizard.dialog.getByRole('textbox', { name: 'Role of Plant C secondary' }).click();
    await page.getByRole('option', { name: 'Not selected' }).click();
    await wizard.dialog.getByRole('button', { name: 'Remove Plant B secondary' }).click();
    await expect(wizard.row('Plant B secondary')).toHaveCount(0);
    await expect(wizard.dialog.getByTestId('staged-note')).toHaveText('Staged changes are not saved yet.');
    await snap(page, 'server-list-07-staged');
    await wizard.button('Reset').click();
    await expect(wizard.dialog.getByTestId('staged-note')).toHaveText('No staged changes.');
    await expect(wizard.row('Plant B secondary')).toBeVisible();
    await expect(wizard.dialog.getByRole('textbox', { name: 'Role of Plant C secondary' })).toHaveValue(
      'Secondary',
    );

    // Esc is Cancel: with staged edits it asks first, and Discard throws them away.
    await wizard.dialog.getByRole('button', { name: 'Remove Plant C secondary' }).click();
    await page.keyboard.press('Escape');
    await expect(wizard.dialog.getByTestId('confirm-cancel')).toBeVisible();
    await wizard.button('Discard changes').click();
    await expect(wizard.dialog).toBeHidden();
    await expect(view.getByTestId('committed-row-Plant C secondary')).toBeVisible();
    await wizard.open();
    await expect(wizard.row('Plant C secondary')).toBeVisible();
    await expect(wizard.dialog.getByTestId('staged-note')).toHaveText('No staged changes.');
    await page.keyboard.press('Escape');
    await expect(wizard.dialog).toBeHidden();

    expect(errors).toEqual([]);
  });
});
