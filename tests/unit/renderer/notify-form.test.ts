import { describe, expect, it } from 'vitest';
import {
  checkNotifyForm,
  describeTestResult,
  formOfSettings,
  type NotifyForm,
} from '../../../src-renderer/views/notifications/notify-form.js';

const saved = {
  desktop: 'failures' as const,
  email: 'all' as const,
  smtp: {
    host: 'mail.example.test',
    port: 587,
    secure: false,
    user: 'mailer',
    from: 'configsync@example.test',
    to: ['ops@example.test'],
    allowUntrustedCertificate: false,
  },
  hasPassword: true,
};

const blank: NotifyForm = { ...formOfSettings({ ...saved, email: 'off', smtp: null, hasPassword: false }) };

describe('formOfSettings', () => {
  it('fills every field but the password, which starts empty even when one is stored', () => {
    const form = formOfSettings(saved);
    expect(form).toMatchObject({
      host: 'mail.example.test',
      port: '587',
      user: 'mailer',
      to: ['ops@example.test'],
    });
    expect(form.password).toBe('');
    expect(form.removePassword).toBe(false);
  });
});

describe('checkNotifyForm', () => {
  it('keeps the stored password when the box is empty, sets a typed one, removes it when asked', () => {
    const form = formOfSettings(saved);
    const keep = checkNotifyForm(form);
    expect(keep.ok && 'password' in keep.input).toBe(false);
    const set = checkNotifyForm({ ...form, password: 's3cret' });
    expect(set.ok && set.input.password).toBe('s3cret');
    const remove = checkNotifyForm({ ...form, removePassword: true });
    expect(remove.ok && remove.input.password).toBeNull();
  });

  it('saves no SMTP server while e-mail is off and the SMTP fields are blank', () => {
    expect(checkNotifyForm(blank)).toEqual({
      ok: true,
      input: { desktop: 'failures', email: 'off', smtp: null },
    });
  });

  it('asks for a server when e-mail is wanted', () => {
    expect(checkNotifyForm({ ...blank, email: 'failures' })).toEqual({
      ok: false,
      errors: { host: 'Give the SMTP server to send e-mail' },
    });
  });

  it('puts each problem beside its field, with the contract messages', () => {
    const checked = checkNotifyForm({
      ...formOfSettings(saved),
      port: '70000',
      from: 'nobody',
      to: ['ops@example.test', 'not mail'],
      user: '',
      password: 'x',
    });
    expect(checked).toEqual({
      ok: false,
      errors: {
        port: 'port must be 1–65535',
        from: 'from must be an e-mail address',
        to: 'each recipient must be an e-mail address',
        user: 'Give the login name that goes with the password',
      },
    });
    expect(checkNotifyForm({ ...formOfSettings(saved), port: '25a' })).toMatchObject({
      ok: false,
      errors: { port: 'port must be a number (25, 465, 587…)' },
    });
  });
});

describe('describeTestResult', () => {
  it('says who got the mail, or who the server refused', () => {
    expect(describeTestResult({ accepted: ['a@x.test', 'b@x.test'], rejected: [] })).toEqual({
      ok: true,
      text: 'Test e-mail sent to a@x.test, b@x.test.',
    });
    expect(describeTestResult({ accepted: ['a@x.test'], rejected: ['b@x.test'] })).toEqual({
      ok: false,
      text: 'The server refused b@x.test; it accepted a@x.test.',
    });
  });
});
