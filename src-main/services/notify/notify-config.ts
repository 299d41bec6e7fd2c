import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  notificationSettings,
  type NotificationSettings,
} from '../../../src-shared/contract/methods/notify.js';
import type { RunRecord } from '../../../src-shared/model/history.js';
import { AppError } from '../../errors/app-error.js';
import type { SecretBox } from '../../secrets/secret-box.js';
import type { SettingsStore } from '../../store/settings-store.js';
import { writeFileAtomicSync } from '../../store/atomic-file.js';
import { sendEmail } from './notify-email.js';
import { notifyRunFinished, type Notifier } from './notify-notifier.js';
import type { NameLookup } from './notify-summary.js';

export const NOTIFICATIONS_KEY = 'notifications';
const KEY = NOTIFICATIONS_KEY;
const PASSWORD_FILE = 'smtp-password.json';

/**
 * Notification settings under `notifications` in the settings store; the SMTP password apart, in
 * `smtp-password.json` in the data dir, sealed with the app's secret box (the OS keychain in Electron).
 */
export class NotifyConfig {
  private readonly passwordPath: string;

  constructor(
    private readonly store: SettingsStore,
    dataDir: string,
    private readonly box: SecretBox,
    /** A box no longer sealed with, kept to open a password an earlier version sealed with it. */
    private readonly legacy: SecretBox | null = null,
  ) {
    this.passwordPath = join(dataDir, PASSWORD_FILE);
  }

  settings(): NotificationSettings {
    const parsed = notificationSettings.safeParse(this.store.get<unknown>(KEY) ?? {});
    if (!parsed.success)
      throw new AppError(
        'STORE_CORRUPT',
        `The notification settings in ${this.store.path} are not valid (${parsed.error.issues[0]?.message ?? 'unknown problem'}).`,
      );
    return parsed.data;
  }

  save(settings: NotificationSettings, password: string | null | undefined): void {
    this.store.set(KEY, notificationSettings.parse(settings));
    if (password === null) rmSync(this.passwordPath, { force: true });
    else if (password !== undefined) {
      const sealed = {
        box: this.box.kind,
        sealed: this.box.seal(Buffer.from(password, 'utf8')).toString('base64'),
      };
      writeFileAtomicSync(this.passwordPath, JSON.stringify(sealed), { mode: 0o600 });
    }
  }

  hasPassword(): boolean {
    return existsSync(this.passwordPath);
  }

  password(): string | null {
    if (!this.hasPassword()) return null;
    const stored = JSON.parse(readFileSync(this.passwordPath, 'utf8')) as { box?: string; sealed?: string };
    if (this.legacy && stored.box === this.legacy.kind && typeof stored.sealed === 'string') {
      // Kept from now on the way every shell of the store can read it (see key-protection.ts).
      const password = this.legacy.open(Buffer.from(stored.sealed, 'base64')).toString('utf8');
      this.save(this.settings(), password);
      return password;
    }
    if (stored.box !== this.box.kind || typeof stored.sealed !== 'string')
      throw new AppError(
        'SECRET_BOX',
        `The SMTP password was sealed with ${stored.box ?? 'an unknown box'}; enter it again.`,
      );
    return this.box.open(Buffer.from(stored.sealed, 'base64')).toString('utf8');
  }

  /** Tells the user about one finished run as the settings say (desktop notice, summary mail). */
  async runFinished(record: RunRecord, notifier: Notifier, names: NameLookup): Promise<void> {
    const settings = this.settings();
    const smtp = settings.smtp;
    // A run of automatic sync changed the secondaries with nobody watching: it is always told in
    // the app (unless notices are off altogether), a success too.
    const automatic = record.trigger === 'watch' || record.trigger === 'poll';
    await notifyRunFinished(record, {
      notifier,
      desktop: automatic && settings.desktop !== 'off' ? 'all' : settings.desktop,
      email: settings.email,
      names,
      ...(smtp ? { sendMail: (content) => sendEmail(smtp, this.password(), content) } : {}),
    });
  }
}
