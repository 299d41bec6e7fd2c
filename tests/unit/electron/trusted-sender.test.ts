import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { forbiddenResponse, isTrustedSender } from '../../../src-main/electron/trusted-sender.js';
import { rpcError } from '../../../src-shared/contract/envelope.js';

const appUrl = pathToFileURL('/opt/ConfigSync/resources/app.asar/build/renderer/index.html').href;
const ours = { isMainFrame: true, isOwnWindow: true };

describe('isTrustedSender', () => {
  it('trusts the main frame of our window showing our index', () => {
    expect(isTrustedSender(appUrl, appUrl, ours)).toBe(true);
    expect(isTrustedSender(`${appUrl}#/servers`, appUrl, ours)).toBe(true);
  });

  it('refuses a subframe, even one showing our index', () => {
    expect(isTrustedSender(appUrl, appUrl, { isMainFrame: false, isOwnWindow: true })).toBe(false);
  });

  it('refuses another window, even one showing our index', () => {
    expect(isTrustedSender(appUrl, appUrl, { isMainFrame: true, isOwnWindow: false })).toBe(false);
  });

  it.each([
    ['a web page', 'https://example.com/'],
    ['a local web server', 'http://127.0.0.1:8080/index.html'],
    ['another local file', 'file:///tmp/index.html'],
    ['a data: page', 'data:text/html,hi'],
    ['about:blank', 'about:blank'],
    ['no URL (frame gone)', undefined],
    ['null', null],
  ])('refuses our main frame when it shows %s', (_name, url) => {
    expect(isTrustedSender(url, appUrl, ours)).toBe(false);
  });
});

describe('forbiddenResponse', () => {
  it('answers FORBIDDEN with the caller id, in the shape every transport uses', () => {
    const res = forbiddenResponse({ id: 7, method: 'app.info', params: {} });
    expect(res).toMatchObject({ id: 7, ok: false, error: { code: 'FORBIDDEN' } });
    if (res.ok) throw new Error('expected a refusal');
    expect(rpcError.parse(res.error).message).toMatch(/Refused/);
    expect(forbiddenResponse({ id: 'req-1' }).id).toBe('req-1');
  });

  it.each([
    ['nothing', undefined],
    ['a string', 'app.info'],
    ['no id', { method: 'x' }],
    ['an object id', { id: { toString: 'x' } }],
    ['a fractional id', { id: 1.5 }],
    ['an over-long id', { id: 'x'.repeat(65) }],
  ])('uses id null for %s', (_name, raw) => {
    expect(forbiddenResponse(raw).id).toBeNull();
  });
});
