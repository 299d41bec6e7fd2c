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

/** Which runs are told about: none, failures only (partial included), or all. */
export const notifyWhen = z.enum(['off', 'failures', 'all']);

export const notificationSettings = z.object({
  desktop: notifyWhen.default('failures'),
  email: notifyWhen.default('off'),
  smtp: smtpSettings.nullable().default(null),
});
export type NotificationSettings = z.output<typeof notificationSettings>;

/** `notify.*`: desktop notices and the per-run summary mail. */
export const notifyMethods = {
  'notify.getSettings': {
    input: z.object({}).strict(),
    output: notificationSettings.extend({ hasPassword: z.boolean() }),
  },
  /** `password`: a string sets it, null removes it, absent keeps the stored one. */
  'notify.saveSettings': {
    input: notificationSettings.extend({ password: z.string().max(1000).nullable().optional() }).strict(),
    output: notificationSettings.extend({ hasPassword: z.boolean() }),
  },
  /** Sends a test mail with the saved settings: proves server, login and recipients end to end. */
  'notify.sendTest': {
    input: z.object({}).strict(),
    output: z.object({ accepted: z.array(z.string()), rejected: z.array(z.string()) }),
  },
} as const;
