// Tests src-main/security/csp.ts, shared by the Electron window and the browser shell.
import { describe, expect, it } from 'vitest';
import {
  CSP_HEADER,
  contentSecurityPolicy,
  withContentSecurityPolicy,
} from '../../../src-main/security/csp.js';

function directives(policy: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const part of policy.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (!name) continue;
    expect(map.has(name), `duplicate ${name}`).toBe(false);
    map.set(name, sources);
  }
  return map;
}

describe('contentSecurityPolicy', () => {
  const policy = directives(contentSecurityPolicy());

  it('is exactly the agreed policy', () => {
    expect(Object.fromEntries(policy)).toEqual({
      'default-src': ["'self'"],
      'script-src': ["'self'"],
      'style-src': ["'self'", "'unsafe-inline'"],
      'img-src': ["'self'", 'data:'],
      'font-src': ["'self'", 'data:'],
      'connect-src': ["'self'"],
      'object-src': ["'none'"],
      'base-uri': ["'none'"],
      'form-action': ["'none'"],
      'frame-ancestors': ["'none'"],
    });
  });

  it('never allows eval or inline script', () => {
    expect(contentSecurityPolicy()).not.toContain('unsafe-eval');
    expect(policy.get('script-src')).toEqual(["'self'"]);
    expect(contentSecurityPolicy({ wsOrigin: 'ws://127.0.0.1:4000' })).not.toContain('unsafe-eval');
  });

  it('adds the browser shell WebSocket origin to connect-src and nowhere else', () => {
    const withWs = directives(contentSecurityPolicy({ wsOrigin: 'ws://127.0.0.1:43121' }));
    expect(withWs.get('connect-src')).toEqual(["'self'", 'ws://127.0.0.1:43121']);
    withWs.delete('connect-src');
    policy.forEach((sources, name) => {
      if (name !== 'connect-src') expect(withWs.get(name)).toEqual(sources);
    });
    expect(directives(contentSecurityPolicy({ wsOrigin: 'wss://localhost' })).get('connect-src')).toEqual([
      "'self'",
      'wss://localhost',
    ]);
    expect(directives(contentSecurityPolicy({ wsOrigin: 'ws://[::1]:8080' })).get('connect-src')).toEqual([
      "'self'",
      'ws://[::1]:8080',
    ]);
  });

  it.each([
    "ws://127.0.0.1:1; script-src 'unsafe-eval'",
    'ws://127.0.0.1:1 *',
    'http://127.0.0.1:1',
    'ws://127.0.0.1:1/path',
    "'unsafe-eval'",
    '*',
    '',
  ])('refuses a wsOrigin that is not a bare ws origin: %s', (wsOrigin) => {
    expect(() => contentSecurityPolicy({ wsOrigin })).toThrow(/Not a WebSocket origin/);
  });
});

describe('withContentSecurityPolicy', () => {
  it('replaces any CSP the response had, in any casing, and keeps the other headers', () => {
    const original = {
      'content-type': 'text/html',
      'content-security-policy': ["default-src *; script-src 'unsafe-eval'"],
      'Content-Security-Policy-Report-Only': ['default-src *'],
      'X-Extra': ['a', 'b'],
    };
    const out = withContentSecurityPolicy(original, 'default-src none');
    expect(out).toEqual({
      'content-type': ['text/html'],
      'X-Extra': ['a', 'b'],
      [CSP_HEADER]: ['default-src none'],
    });
    expect(original['content-security-policy']).toEqual(["default-src *; script-src 'unsafe-eval'"]);
  });

  it('adds the policy when the response had no headers at all (file://)', () => {
    expect(withContentSecurityPolicy(undefined, 'p')).toEqual({ [CSP_HEADER]: ['p'] });
  });
});
