import { z } from 'zod';

/**
 * Where run summaries are mailed. The password is not part of the settings: it lives in the secret
 * store and is handed to the sender only when a mail goes out, so settings can be shown and logged.
 */
export const smtpSettings = z.object({
  host: z.string().trim().min(1, 'Give the SMTP server name'),
  port: z.number().int().min(1, 'port must be 1–65535').max(65535, 'port must be 1–65535'),
  /** TLS from the first byte (port 465). When false, STARTTLS is used if the server offers it. */
  secure: z.boolean(),
  /** Login name; empty for a relay that takes mail without login. */
  user: z.string().trim().default(''),
  from: z.email('from must be an e-mail address'),
  to: z.array(z.email('each recipient must be an e-mail address')).min(1, 'Give at least one recipient'),
  /** Accept a server certificate no CA vouches for (an internal relay with a self-signed certificate). */
  allowUntrustedCertificate: z.boolean().default(false),
});
export type SmtpSettings = z.output<typeof smtpSettings>;

/** The settings in one line for logs and messages; never includes the password. */
export function describeSmtp(settings: SmtpSettings): string {
  const login = settings.user ? ` as ${settings.user}` : ' without login';
  return `${settings.host}:${settings.port} (${settings.secure ? 'TLS' : 'STARTTLS when offered'})${login}`;
}
