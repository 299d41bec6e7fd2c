import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isAllowedNavigation, isAppIndex } from '../../../src-main/electron/navigation.js';

const appUrl = pathToFileURL('/opt/ConfigSync/resources/app.asar/build/renderer/index.html').href;
const windowsAppUrl = 'file:///C:/Program%20Files/ConfigSync/resources/app.asar/build/renderer/index.html';

describe('isAllowedNavigation', () => {
  it('allows the app index itself, whatever its fragment', () => {
    expect(isAllowedNavigation(appUrl, appUrl)).toBe(true);
    expect(isAllowedNavigation(`${appUrl}#/status`, appUrl)).toBe(true);
    expect(isAllowedNavigation(windowsAppUrl, windowsAppUrl)).toBe(true);
  });

  it('treats dot segments as the file they resolve to', () => {
    const roundabout = appUrl.replace('/renderer/index.html', '/renderer/../renderer/index.html');
    expect(isAllowedNavigation(roundabout, appUrl)).toBe(true);
    const escaping = appUrl.replace('/renderer/index.html', '/renderer/../../../../../etc/passwd');
    expect(isAllowedNavigation(escaping, appUrl)).toBe(false);
  });

  it.each([
    ['https', 'https://example.com/'],
    ['http to loopback', 'http://127.0.0.1:5173/index.html'],
    ['another file', 'file:///etc/passwd'],
    ['a sibling page', appUrl.replace('index.html', 'other.html')],
    ['the index with a query', `${appUrl}?debug=1`],
    ['the same path on a remote host (UNC)', appUrl.replace('file:///', 'file://evil.example/')],
    ['an encoded look-alike', appUrl.replace('index.html', 'index%2Ehtml')],
    ['javascript:', 'javascript:alert(1)'],
    ['data:', 'data:text/html,<script>alert(1)</script>'],
    ['blob:', `blob:${appUrl}`],
    ['about:blank', 'about:blank'],
    ['devtools', 'devtools://devtools/bundled/inspector.html'],
    ['an empty string', ''],
    ['garbage', 'not a url'],
  ])('refuses %s', (_name, url) => {
    expect(isAllowedNavigation(url, appUrl)).toBe(false);
  });

  it('refuses everything when the app URL itself is not a file:// URL', () => {
    expect(isAllowedNavigation('http://127.0.0.1:5173/', 'http://127.0.0.1:5173/')).toBe(false);
    expect(isAppIndex(appUrl, 'not a url')).toBe(false);
  });

  it('refuses a missing URL', () => {
    expect(isAppIndex(undefined, appUrl)).toBe(false);
    expect(isAppIndex(null, appUrl)).toBe(false);
  });
});
