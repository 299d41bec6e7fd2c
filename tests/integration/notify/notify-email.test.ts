import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendEmail, sendTestEmail } from '../../../src-main/services/notify/notify-email.js';
import { formatRunSummary } from '../../../src-main/services/notify/notify-summary.js';
import { notifyRunFinished, type NoticeLevel } from '../../../src-main/services/notify/notify-notifier.js';
import { describeSmtp, smtpSettings, type SmtpSettings } from '../../../src-main/services/notify/notify-settings.js';
import { AppError } from '../../../src-main/errors/app-error.js';
import type { RunRecord } from '../../../src-shared/model/history.js';
import { freePort } from '../../support/net.js';
import { startSmtpSink } from './smtp-sink.js';

const PASSWORD = 'mail-secret-pa55';

const run: RunRecord = {
  id: 'run-42',
  setId: 'set-web',
  trigger: 'schedule',
  startedAt: Date.parse('2025-06-10T01:00:00Z'),
  finishedAt: Date.parse('2025-06-10T01:00:04Z'),
  destinations: [
    {
      serverId: 'srv-b',
      status: 'ok',
      counts: { created: 2, updated: 1, deleted: 3, unchanged: 40 },
      bytes: 4096,
      durationMs: 3500,
      message: '',
      logPath: '/var/log/configsync/run-42-b.log',
    },
    {
      serverId: 'srv-c',
      status: 'unreachable',
      counts: { created: 0, updated: 0, deleted: 0, unchanged: 0 },
      bytes: 0,
      durationMs: 15000,
      message: 'did not answer within 15 s',
      logPath: null,
    },
  ],
};

const names = {
  setName: (id: string) => ({ 'set-web': 'web-config' })[id],
  serverName: (id: string) => ({ 'srv-b': 'secondary-b', 'srv-c': 'secondary-c' })[id],
};

describe('e-mail through a real SMTP server on loopback', () => {
  let sink: Awaited<ReturnType<typeof startSmtpSink>>;
  let settings: SmtpSettings;
  beforeAll(async () => {
    sink = await startSmtpSink({ user: 'configsync', password: PASSWORD });
    settings = smtpSettings.parse({
      host: '127.0.0.1',
      port: sink.port,
      secure: false,
      user: 'configsync',
      from: 'configsync@primary.example',
      to: ['ops@example.com', 'oncall@example.com'],
    });
  });
  afterAll(async () => sink?.stop());

  it('sends the test e-mail to every recipient, logged in', async () => {
    const arrived = sink.nextMail();
    const sent = await sendTestEmail(settings, PASSWORD);
    const mail = await arrived;
    expect(sent.accepted).toEqual(['ops@example.com', 'oncall@example.com']);
    expect(mail.user).toBe('configsync');
    expect(mail.from).toBe('configsync@primary.example');
    expect(mail.recipients).toEqual(['ops@example.com', 'oncall@example.com']);
    expect(mail.headers.get('subject')).toBe('[ConfigSync] Test e-mail');
    expect(mail.headers.get('to')).toBe('ops@example.com, oncall@example.com');
    expect(mail.body).toContain(
      `It went out through 127.0.0.1:${sink.port} (STARTTLS when offered) as configsync.`,
    );
    expect(mail.raw).not.toContain(PASSWORD);
  });

  it('delivers the per-run summary: subject with set, result and counts; one line per destination', async () => {
    const arrived = sink.nextMail();
    await notifyRunFinished(run, {
      notifier: { notify: () => undefined },
      desktop: 'off',
      email: 'failures',
      sendMail: (content) => sendEmail(settings, PASSWORD, content),
      names,
    });
    const mail = await arrived;
    expect(mail.headers.get('subject')).toBe('[ConfigSync] web-config: partial (1 ok, 1 failed)');
    expect(mail.recipients).toEqual(['ops@example.com', 'oncall@example.com']);
    expect(mail.body).toContain(
      'Sync set: web-config\nResult: partial, 1 of 2 destinations ok\nTrigger: schedule\n',
    );
    expect(mail.body).toContain(
      '  secondary-b: ok - 2 created, 1 updated, 3 deleted, 40 unchanged; 4.0 KiB in 3.5 s\n    log: /var/log/configsync/run-42-b.log\n',
    );
    expect(mail.body).toContain(
      '  secondary-c: unreachable - 0 created, 0 updated, 0 deleted, 0 unchanged; 0 B in 15.0 s\n    did not answer within 15 s\n',
    );
    expect(mail.body).toBe(formatRunSummary(run, names).text);
  });

  it('a wrong password is SMTP_AUTH, and the password is in no message', async () => {
    const err = await sendTestEmail(settings, 'wrong-password-xyz').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('SMTP_AUTH');
    expect((err as AppError).message).toContain(`127.0.0.1:${sink.port}`);
    expect((err as AppError).message).not.toContain('wrong-password-xyz');
    expect(describeSmtp(settings)).not.toContain(PASSWORD);
  });

  it('a port where nothing listens is SMTP_CONNECT; a failed summary mail becomes a warning notice, not a throw', async () => {
    const dead = { ...settings, port: await freePort() };
    const err = await sendTestEmail(dead, PASSWORD).catch((e: unknown) => e);
    expect((err as AppError).code).toBe('SMTP_CONNECT');
    const notices: Array<[string, string, NoticeLevel]> = [];
    await notifyRunFinished(run, {
      notifier: { notify: (t, b, l) => notices.push([t, b, l]) },
      desktop: 'failures',
      email: 'all',
      sendMail: (content) => sendEmail(dead, PASSWORD, content),
      names,
    });
    expect(notices[0]).toEqual([
      'web-config: partial (1 ok, 1 failed)',
      'Not synchronized: secondary-c',
      'warning',
    ]);
    expect(notices[1]?.[0]).toBe('Summary e-mail not sent');
    expect(notices[1]?.[2]).toBe('warning');
  });
});

describe('SMTP settings validation', () => {
  it('names the field that is wrong', () => {
    const r = smtpSettings.safeParse({ host: '', port: 70000, secure: false, from: 'nope', to: [] });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.message)).toEqual([
      'Give the SMTP server name',
      'port must be 1–65535',
      'from must be an e-mail address',
      'Give at least one recipient',
    ]);
  });
});
