/**
 * Navigation decisions for the Electron shell, as pure functions of URLs so plain-Node
 * tests check them. The app has exactly one page, its own file:// index; anything else is foreign.
 */

/** Parses a URL, or undefined for anything unparsable (which is then refused). */
function parse(url: string | null | undefined): URL | undefined {
  if (typeof url !== 'string' || url.length === 0) return undefined;
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/**
 * True when `url` is the app's own index page (`appUrl`, a file:// URL). Only the fragment may
 * differ, since the renderer keeps its view in the hash. Every other file, host, query or scheme
 * (http, https, javascript:, data:, blob:, devtools…) is refused.
 */
export function isAppIndex(url: string | null | undefined, appUrl: string): boolean {
  const target = parse(url);
  const app = parse(appUrl);
  if (!target || !app || app.protocol !== 'file:') return false;
  return (
    target.protocol === 'file:' &&
    target.host === app.host &&
    target.pathname === app.pathname &&
    target.search === app.search &&
    target.username === '' &&
    target.password === ''
  );
}

/** Whether the window may navigate (or be redirected) to `url`: only to the app's own index. */
export function isAllowedNavigation(url: string, appUrl: string): boolean {
  return isAppIndex(url, appUrl);
}
