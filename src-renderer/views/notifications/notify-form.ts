import { smtpSettings, type NotificationSettings } from '../../../src-shared/contract/methods/notify.js';
import type { Input, Output } from '../../../src-shared/contract/api.js';

export type NotifyWhen = NotificationSettings['desktop'];

/** The Notifications dialog as the user edits it: text as typed, the password only if newly entered. */
export type NotifyForm = {
  readonly desktop: NotifyWhen;
  readonly email: NotifyWhen;
  readonly host: string;
  readonly port: string;
  readonly secure: boolean;
  readonly user: string;
  /** A new password; empty keeps the stored one (which is never shown). */
  readonly password: string;
  readonly removePassword: boolean;
  readonly from: string;
  readonly to: ReadonlyArray<string>;
  readonly allowUntrustedCertificate: boolean;
};

export type NotifyField = 'host' | 'port' | 'user' | 'password' | 'from' | 'to';
export type NotifyErrors = Partial<Readonly<Record<NotifyField, string>>>;

export const whenChoices: ReadonlyArray<{ readonly value: NotifyWhen; readonly label: string }> = [
  { value: 'off', label: 'Off' },
  { value: 'failures', label: 'Failures' },
  { value: 'all', label: 'Every run' },
];

/** The saved settings as a form; the password field starts empty whatever is stored. */
export function formOfSettings(s: Output<'notify.getSettings'>): NotifyForm {
  return {
    desktop: s.desktop,
    email: s.email,
    host: s.smtp?.host ?? '',
    port: String(s.smtp?.port ?? 587),
    secure: s.smtp?.secure ?? false,
    user: s.smtp?.user ?? '',
    password: '',
    removePassword: false,
    from: s.smtp?.from ?? '',
    to: s.smtp?.to ?? [],
    allowUntrustedCertificate: s.smtp?.allowUntrustedCertificate ?? false,
  };
}

const smtpBlank = (f: NotifyForm) => f.host.trim() === '' && f.from.trim() === '' && f.to.length === 0;

function passwordOf(f: NotifyForm): string | null | undefined {
  if (f.removePassword) return null;
  return f.password === '' ? undefined : f.password;
}

/**
 * The form as `notify.saveSettings` input, or a message per field. SMTP may stay blank while e-mail is
 * off; once any of it is filled in, it is checked with the contract's own schema so the messages here
 * are the ones the backend would give.
 */
export function checkNotifyForm(
  f: NotifyForm,
): { ok: true; input: Input<'notify.saveSettings'> } | { ok: false; errors: NotifyErrors } {
  const password = passwordOf(f);
  const base = { desktop: f.desktop, email: f.email, ...(password !== undefined ? { password } : {}) };
  if (smtpBlank(f)) {
    if (f.email !== 'off') return { ok: false, errors: { host: 'Give the SMTP server to send e-mail' } };
    return { ok: true, input: { ...base, smtp: null } };
  }
  const errors: Partial<Record<NotifyField, string>> = {};
  const port = /^\d+$/.test(f.port.trim()) ? Number(f.port.trim()) : NaN;
  if (Number.isNaN(port)) errors.port = 'port must be a number (25, 465, 587…)';
  const parsed = smtpSettings.safeParse({
    host: f.host,
    port: Number.isNaN(port) ? 0 : port,
    secure: f.secure,
    user: f.user,
    from: f.from.trim(),
    to: f.to.map((t) => t.trim()),
    allowUntrustedCertificate: f.allowUntrustedCertificate,
  });
  if (!parsed.success)
    for (const issue of parsed.error.issues) {
      const field = issue.path[0];
      if (isField(field) && !errors[field]) errors[field] = issue.message;
    }
  if (f.password !== '' && f.user.trim() === '')
    errors.user = 'Give the login name that goes with the password';
  if (!parsed.success || Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, input: { ...base, smtp: parsed.data } };
}

function isField(key: unknown): key is NotifyField {
  return key === 'host' || key === 'port' || key === 'user' || key === 'from' || key === 'to';
}

/** What a test send did, in words. */
export function describeTestResult(out: Output<'notify.sendTest'>): { ok: boolean; text: string } {
  if (out.rejected.length > 0)
    return {
      ok: false,
      text: `The server refused ${out.rejected.join(', ')}${out.accepted.length > 0 ? `; it accepted ${out.accepted.join(', ')}` : ''}.`,
    };
  return { ok: true, text: `Test e-mail sent to ${out.accepted.join(', ')}.` };
}
