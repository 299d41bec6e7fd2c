import { hostname } from 'node:os';
import { AppError } from '../../errors/app-error.js';
import { describeSmtp, type SmtpSettings } from './notify-settings.js';

export type MailContent = { readonly subject: string; readonly text: string };

export type MailSent = {
  readonly messageId: string;
  readonly accepted: ReadonlyArray<string>;
  readonly rejected: ReadonlyArray<string>;
};

const TIMEOUT_MS = 15_000;

/**
 * Sends one plain-text mail to the configured recipients. Failures come back as AppError with a code
 * (SMTP_CONNECT, SMTP_TLS, SMTP_AUTH, SMTP_REJECTED, SMTP_FAILED) and a message that names the server
 * but never the password.
 */
export async function sendEmail(
  settings: SmtpSettings,
  password: string | null,
  content: MailContent,
): Promise<MailSent> {
  // Loaded when a mail is sent: most runs (every CLI command) never need the mailer.
  const { default: nodemailer } = await import('nodemailer');
  const transport = nodemailer.createTransport({
    host: settings.host,
    port: settings.port,
    secure: settings.secure,
    ...(settings.user ? { auth: { user: settings.user, pass: password ?? '' } } : {}),
    tls: { rejectUnauthorized: !settings.allowUntrustedCertificate },
    connectionTimeout: TIMEOUT_MS,
    greetingTimeout: TIMEOUT_MS,
    socketTimeout: 2 * TIMEOUT_MS,
    logger: false,
  });
  try {
    const info = await transport.sendMail({
      from: settings.from,
      to: [...settings.to],
      subject: content.subject,
      text: content.text,
    });
    return {
      messageId: String(info.messageId),
      accepted: info.accepted.map(String),
      rejected: info.rejected.map(String),
    };
  } catch (err) {
    throw smtpError(err, settings, password);
  } finally {
    transport.close();
  }
}

/** The "Send test e-mail" button: proves the settings (server, login, recipients) work end to end. */
export function sendTestEmail(settings: SmtpSettings, password: string | null): Promise<MailSent> {
  return sendEmail(settings, password, {
    subject: '[ConfigSync] Test e-mail',
    text: [
      `This is a test e-mail from ConfigSync on ${hostname()}.`,
      '',
      `It went out through ${describeSmtp(settings)}.`,
      'Run summaries will arrive the same way.',
      '',
    ].join('\n'),
  });
}

function smtpError(err: unknown, settings: SmtpSettings, password: string | null): AppError {
  const e = err as Error & { code?: string; response?: string };
  const where = `${settings.host}:${settings.port}`;
  let detail = e.response ?? e.message ?? String(err);
  if (password) detail = detail.split(password).join('***');
  switch (e.code) {
    case 'ECONNECTION':
    case 'ETIMEDOUT':
    case 'ESOCKET':
    case 'EDNS':
      return new AppError('SMTP_CONNECT', `Could not reach the mail server ${where}: ${detail}`);
    case 'ETLS':
      return new AppError('SMTP_TLS', `The TLS handshake with ${where} failed: ${detail}`);
    case 'EAUTH':
    case 'ENOAUTH':
      return new AppError(
        'SMTP_AUTH',
        `The mail server ${where} refused the login of ${settings.user || '(no user)'}: ${detail}`,
      );
    case 'EENVELOPE':
    case 'EMESSAGE':
      return new AppError('SMTP_REJECTED', `The mail server ${where} refused the message: ${detail}`);
    default:
      return new AppError('SMTP_FAILED', `Sending mail through ${where} failed: ${detail}`);
  }
}
