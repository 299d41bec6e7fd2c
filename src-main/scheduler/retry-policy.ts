/** Exponential backoff with a bound on attempts: delays base, base·factor, base·factor², … capped at max. */
export type RetryPolicy = {
  /** Total tries, the first one included; 1 means no retry. */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly factor: number;
  readonly maxDelayMs: number;
};

export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 30_000,
  factor: 2,
  maxDelayMs: 15 * 60_000,
};

export const noRetry: RetryPolicy = { maxAttempts: 1, baseDelayMs: 0, factor: 1, maxDelayMs: 0 };

/** The wait after failed attempt number `attempt` (1-based) before the next one. */
export function retryDelayMs(policy: RetryPolicy, attempt: number): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * policy.factor ** (attempt - 1));
}
