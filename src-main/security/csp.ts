/**
 * The Content-Security-Policy both shells send with the renderer. One builder, so the Electron
 * window and the browser shell cannot drift apart. Imports nothing: safe under plain Node.
 */

export type CspOptions = {
  /**
   * The browser shell's WebSocket origin (e.g. `ws://127.0.0.1:43121`), added to connect-src.
   * The Electron shell talks over IPC and passes nothing.
   */
  readonly wsOrigin?: string;
};

/** The header that carries the policy, in the casing Chromium and Node both accept. */
export const CSP_HEADER = 'Content-Security-Policy';

const WS_ORIGIN = /^wss?:\/\/(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

/**
 * Builds the policy. Scripts come only from the app itself (no inline, no eval); styles allow
 * inline because the component library injects CSS variables at run time; nothing may frame the
 * app, post forms, change the base URL or load plugins.
 *
 * Throws when `wsOrigin` is not a bare ws(s) origin, so a caller cannot smuggle extra directives.
 */
export function contentSecurityPolicy(options: CspOptions = {}): string {
  const connect = ["'self'"];
  if (options.wsOrigin !== undefined) {
    if (!WS_ORIGIN.test(options.wsOrigin)) {
      throw new Error(`Not a WebSocket origin for the CSP: "${options.wsOrigin}" (expected ws://host:port).`);
    }
    connect.push(options.wsOrigin.toLowerCase());
  }
  const directives: ReadonlyArray<readonly [string, ReadonlyArray<string>]> = [
    ['default-src', ["'self'"]],
    ['script-src', ["'self'"]],
    ['style-src', ["'self'", "'unsafe-inline'"]],
    ['img-src', ["'self'", 'data:']],
    ['font-src', ["'self'", 'data:']],
    ['connect-src', connect],
    ['object-src', ["'none'"]],
    ['base-uri', ["'none'"]],
    ['form-action', ["'none'"]],
    ['frame-ancestors', ["'none'"]],
  ];
  return directives.map(([name, sources]) => `${name} ${sources.join(' ')}`).join('; ');
}

/**
 * Returns `headers` with every existing CSP header (any casing) replaced by `policy`, so a
 * response can never carry a weaker policy beside ours. The input is not modified.
 */
export function withContentSecurityPolicy(
  headers: Readonly<Record<string, string | ReadonlyArray<string>>> | undefined,
  policy: string,
): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const lower = name.toLowerCase();
    if (lower === 'content-security-policy' || lower === 'content-security-policy-report-only') continue;
    out[name] = typeof value === 'string' ? [value] : [...value];
  }
  out[CSP_HEADER] = [policy];
  return out;
}
