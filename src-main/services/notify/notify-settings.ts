import { smtpSettings, type SmtpSettings } from '../../../src-shared/contract/methods/notify.js';

export { smtpSettings, type SmtpSettings };

/** The settings in one line for logs and messages; never includes the password. */
export function describeSmtp(settings: SmtpSettings): string {
  const login = settings.user ? ` as ${settings.user}` : ' without login';
  return `${settings.host}:${settings.port} (${settings.secure ? 'TLS' : 'STARTTLS when offered'})${login}`;
}
