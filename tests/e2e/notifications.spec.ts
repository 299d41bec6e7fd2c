import type { Locator, Page } from '@playwright/test';
import { test, expect, snap } from './support/fixtures.js';
import { connectRpc } from './support/rpc.js';
import { startSmtpSink } from '../integration/notify/smtp-sink.js';

const login = { user: 'mailer', password: 'relay-secret-7' };

/** Manage › Notifications as a page object: one method per thing a user does in it. */
class NotificationsDialog {
  readonly dialog: Locator;
  constructor(private readonly page: Page) {
    this.dialog = page.getByRole('dialog', { name: 'Notifications' });
  }
  async open(): Promise<void> {
    await this.page.getByRole('menuitem', { name: 'Manage' }).click();
    await this.page.getByRole('menuitem', { name: 'Notifications…' }).click();
    await expect(this.dialog).toBeVisible();
    // Mantine fades the modal in; a screenshot taken mid-transition shows it half drawn.
    await expect(this.dialog).toHaveCSS('opacity', '1');
  }
  field(label: string): Locator {
    return this.dialog.getByRole('textbox', { name: label, exact: true });
  }
  password(): Locator {
    return this.dialog.getByLabel('Password', { exact: true });
  }
  /** The field's message, shown beside it (Mantine links it with aria-describedby). */
  async errorOf(field: Locator): Promise<string> {
    const ids = (await field.getAttribute('aria-describedby')) ?? '';
    const texts = await Promise.all(
      ids
        .split(' ')
        .filter((id) => id.endsWith('-error'))
        .map((id) => this.page.locator(`[id="${id}"]`).innerText()),
    );
    return texts.join(' ');
  }
  async choose(group: 'Desktop notices' | 'Summary e-mail', label: string): Promise<void> {
    await this.dialog.getByRole('radiogroup', { name: group }).getByText(label, { exact: true }).click();
  }
  async addRecipient(address: string): Promise<void> {
    await this.field('To').fill(address);
    await this.field('To').press('Enter');
  }
  button(name: string): Locator {
    return this.dialog.getByRole('button', { name, exact: true });
  }
  outcome(): Locator {
    return this.dialog.getByTestId('notify-outcome');
  }
}

test.describe('Notifications', () => {
  test('fields are checked, a test e-mail reaches every recipient, the password is never shown back', async ({
    page,
    shell,
  }) => {
    const smtp = await startSmtpSink(login);
    try {
      await page.goto(shell.url);
      const notify = new NotificationsDialog(page);
      await notify.open();
      await expect(notify.password()).toHaveValue('');
      await expect(notify.dialog.getByTestId('password-state')).toHaveText('No password is set.');

      // Mail wanted but no server, then a bad sender and port: each message beside its field, nothing saved.
      await notify.choose('Summary e-mail', 'Every run');
      await notify.button('Save').click();
      await expect
        .poll(() => notify.errorOf(notify.field('SMTP server')))
        .toBe('Give the SMTP server to send e-mail');
      await notify.field('SMTP server').fill('127.0.0.1');
      await notify.field('Port').fill('70000');
      await notify.field('From').fill('not-an-address');
      await notify.button('Save').click();
      await expect.poll(() => notify.errorOf(notify.field('From'))).toBe('from must be an e-mail address');
      expect(await notify.errorOf(notify.field('Port'))).toBe('port must be 1–65535');
      expect(await notify.errorOf(notify.field('To'))).toBe('Give at least one recipient');
      await snap(page, 'notifications-field-errors');
      const rpc = await connectRpc(shell);
      expect((await rpc.call('notify.getSettings', {})).smtp).toBeNull();

      // A wrong password: the server's refusal in words, and no mail.
      await notify.field('Port').fill(String(smtp.port));
      await notify.field('From').fill('configsync@example.test');
      await notify.addRecipient('ops@example.test');
      await notify.addRecipient('oncall@example.test');
      await notify.field('User').fill(login.user);
      await notify.password().fill('wrong-password');
      await notify.button('Send test e-mail').click();
      await expect(notify.outcome()).toContainText('The test e-mail was not sent');
      await expect(notify.outcome()).toContainText('Invalid username or password');
      expect(smtp.received).toHaveLength(0);

      // The right one: the mail arrives, from our sender, to both recipients, after logging in.
      await notify.password().fill(login.password);
      const arriving = smtp.nextMail();
      await notify.button('Send test e-mail').click();
      await expect(notify.outcome()).toHaveText('Test e-mail sent to ops@example.test, oncall@example.test.');
      const mail = await arriving;
      expect(mail.recipients).toEqual(['ops@example.test', 'oncall@example.test']);
      expect(mail.from).toBe('configsync@example.test');
      expect(mail.user).toBe(login.user);
      expect(smtp.received).toHaveLength(1);
      // Saved: the box is emptied and only says that a password is set.
      await expect(notify.password()).toHaveValue('');
      await expect(notify.dialog.getByTestId('password-state')).toContainText('A password is set');
      await snap(page, 'notifications-test-sent');

      // After a reload the settings are back, the password is not.
      await page.reload();
      await notify.open();
      await expect(notify.field('SMTP server')).toHaveValue('127.0.0.1');
      await expect(notify.field('Port')).toHaveValue(String(smtp.port));
      await expect(notify.dialog.getByRole('radio', { name: 'Every run' }).nth(1)).toBeChecked();
      await expect(notify.dialog.getByText('oncall@example.test', { exact: true })).toBeVisible();
      await expect(notify.password()).toHaveValue('');
      await expect(notify.dialog.getByTestId('password-state')).toContainText('A password is set');
      const settings = await rpc.call('notify.getSettings', {});
      expect(settings.hasPassword).toBe(true);
      expect(JSON.stringify(settings)).not.toContain(login.password);
      expect(await page.content()).not.toContain(login.password);
      await snap(page, 'notifications-reloaded');

      // A second test send after the reload uses the stored password.
      const again = smtp.nextMail();
      await notify.button('Send test e-mail').click();
      await expect(notify.outcome()).toHaveText('Test e-mail sent to ops@example.test, oncall@example.test.');
      expect((await again).user).toBe(login.user);
      rpc.close();
    } finally {
      await smtp.stop();
    }
  });
});
