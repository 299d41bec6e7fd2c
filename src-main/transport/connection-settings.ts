import { z } from 'zod';

/**
 * How long a long-running process (the app, the browser shell, `configsync scheduler`) keeps a
 * server's SSH connection after a run, and how often it probes the link. Kept in the store under
 * `connections` (any field may be left out).
 */
export const connectionSettings = z
  .object({
    /** A connection no run uses is closed after this many seconds; 0 closes it after each run. */
    keepIdleSeconds: z.number().int().min(0).max(86_400),
    /** A keepalive every this many seconds; three unanswered ones and the link counts as lost. */
    keepaliveSeconds: z.number().int().min(1).max(600),
  })
  .strict();
export type ConnectionSettings = z.infer<typeof connectionSettings>;

export const defaultConnectionSettings: ConnectionSettings = { keepIdleSeconds: 300, keepaliveSeconds: 5 };

export const CONNECTIONS_KEY = 'connections';

/** The stored settings over the defaults; a damaged field falls back to its default. */
export function connectionSettingsFrom(stored: unknown): ConnectionSettings {
  const out: Record<string, number> = { ...defaultConnectionSettings };
  if (stored && typeof stored === 'object')
    for (const [k, v] of Object.entries(stored as Record<string, unknown>)) {
      const field = connectionSettings.shape[k as keyof ConnectionSettings] as z.ZodNumber | undefined;
      if (field?.safeParse(v).success) out[k] = v as number;
    }
  return out as ConnectionSettings;
}
