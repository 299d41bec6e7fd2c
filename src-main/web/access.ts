import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const TOKEN_COOKIE = 'configsync_token';

/** The origins this shell answers to: the loopback address it listens on, by IP or by `localhost`. */
export function allowedOrigins(port: number): ReadonlySet<string> {
  return new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);
}

/** Constant-time comparison of a presented token with the run's token. */
export function tokenMatches(presented: string | null | undefined, token: string): boolean {
  if (!presented) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Reads one cookie from a request's Cookie header. */
export function readCookie(req: IncomingMessage, name: string): string | null {
  const header = req.headers.cookie;
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return null;
}

export type AccessDecision =
  { readonly ok: true } | { readonly ok: false; readonly status: number; readonly reason: string };

/**
 * Decides whether a request may reach the app: the Host must be our loopback address (no DNS rebinding),
 * an Origin, when sent, must be ours, and the per-run token must come as cookie (or as `token` in the query
 * on the very first load). WebSocket upgrades must also carry our Origin.
 */
export function checkAccess(
  req: IncomingMessage,
  port: number,
  token: string,
  queryToken: string | null,
  isUpgrade: boolean,
): AccessDecision {
  const origins = allowedOrigins(port);
  const host = req.headers.host ?? '';
  if (!origins.has(`http://${host}`))
    return { ok: false, status: 403, reason: `Refused: unexpected Host "${host}".` };
  const origin = req.headers.origin;
  if (isUpgrade && !origin)
    return { ok: false, status: 403, reason: 'Refused: a WebSocket without an Origin.' };
  if (origin !== undefined && !origins.has(origin))
    return { ok: false, status: 403, reason: `Refused: requests from origin ${origin} are not allowed.` };
  if (req.headers['sec-fetch-site'] === 'cross-site')
    return { ok: false, status: 403, reason: 'Refused: a cross-site request.' };
  if (tokenMatches(readCookie(req, TOKEN_COOKIE), token) || tokenMatches(queryToken, token))
    return { ok: true };
  return {
    ok: false,
    status: 401,
    reason:
      'ConfigSync refused this request: it needs the per-run token. Open the address printed when ConfigSync started (it ends with ?token=…).',
  };
}
