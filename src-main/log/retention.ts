import { z } from 'zod';

/**
 * How long the app keeps what it writes locally for each run. Kept in the store's settings under
 * `retention` (any field may be left out).
 */
export const retention = z
  .object({
    /** Run logs and run records (`logs/<run>.log`, `logs/<run>.json`) older than this go. */
    runDays: z.number().int().min(1).max(36_500),
    /** At most this many runs' logs and records are kept, the newest. */
    runs: z.number().int().min(1).max(1_000_000),
    /** History lines (`history.jsonl`) of runs that finished longer ago than this go. */
    historyDays: z.number().int().min(1).max(36_500),
    /** At most this many history lines are kept, the newest. */
    historyRecords: z.number().int().min(1).max(1_000_000),
  })
  .strict();
export type Retention = z.infer<typeof retention>;

export const defaultRetention: Retention = {
  runDays: 90,
  runs: 1000,
  historyDays: 365,
  historyRecords: 10_000,
};

export const RETENTION_KEY = 'retention';

/** The stored settings over the defaults; a damaged value falls back to the defaults, field by field. */
export function retentionFrom(stored: unknown): Retention {
  const parsed = retention.partial().safeParse(stored ?? {});
  if (parsed.success) return { ...defaultRetention, ...parsed.data };
  const out: Record<string, number> = { ...defaultRetention };
  if (stored && typeof stored === 'object')
    for (const [k, v] of Object.entries(stored as Record<string, unknown>)) {
      const field = retention.shape[k as keyof Retention] as z.ZodNumber | undefined;
      if (field?.safeParse(v).success) out[k] = v as number;
    }
  return out as Retention;
}
