/**
 * What a Windows destination cannot hold, decided per entry (the rules of Win32 names, which Windows
 * OpenSSH's SFTP server goes through): reserved device names with or without an extension (`CON`,
 * `aux.txt`, `COM1.log`), a name ending in a dot or a space, the characters `< > : " | ? * \` and
 * control characters, a name over 255 characters, and a full path over 259 (MAX_PATH without long-path
 * support). Folder names ignore case there, so of two names that differ only in case one is kept.
 */

/** Longest full path (drive, root and entry) a Win32 program can open without long-path support. */
export const WINDOWS_MAX_PATH = 259;
const MAX_NAME = 255;

const RESERVED = /^(con|prn|aux|nul|com[1-9¹²³]|lpt[1-9¹²³])$/i;
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[<>:"|?*\\\u0000-\u001f]/;

/** Why one name (a single path component) cannot exist on Windows, or null. */
export function windowsNameProblem(name: string): string | null {
  const bad = FORBIDDEN.exec(name);
  if (bad) {
    const c = bad[0];
    const shown =
      c.charCodeAt(0) < 32
        ? `control character 0x${c.charCodeAt(0).toString(16).padStart(2, '0')}`
        : `"${c}"`;
    return `"${name}" holds ${shown}, which Windows names cannot`;
  }
  if (/[. ]$/.test(name))
    return `"${name}" ends in ${name.endsWith('.') ? 'a dot' : 'a space'}, which Windows drops`;
  const stem = (name.split('.')[0] ?? '').replace(/ +$/, '');
  if (RESERVED.test(stem)) return `"${name}" is a device name on Windows (${stem.toUpperCase()})`;
  if (name.length > MAX_NAME) return `"${name.slice(0, 40)}…" is longer than ${MAX_NAME} characters`;
  return null;
}

/**
 * Why a path (relative, `/`-separated) under `root` cannot exist on a Windows destination, or null:
 * the first component that cannot, else a full path too long.
 */
export function windowsPathProblem(path: string, root: string): string | null {
  for (const part of path.split('/')) {
    const why = windowsNameProblem(part);
    if (why) return `a Windows destination cannot hold this name: ${why}`;
  }
  // `/C:/conf` as SFTP spells it is `C:\conf` there.
  const full = `${root.replace(/^\/(?=[A-Za-z]:)/, '').replace(/\/+$/, '')}/${path}`;
  if (full.length > WINDOWS_MAX_PATH)
    return `a Windows destination cannot hold this path: ${full.length} characters, over ${WINDOWS_MAX_PATH}`;
  return null;
}

/**
 * For a list of paths (sorted), those that only differ in case from an earlier one: Windows keeps
 * one of them. Maps each such path to the one it collides with.
 */
export function caseCollisions(paths: Iterable<string>): Map<string, string> {
  const seen = new Map<string, string>();
  const out = new Map<string, string>();
  for (const p of paths) {
    const key = p.toLowerCase();
    const first = seen.get(key);
    if (first === undefined) seen.set(key, p);
    else out.set(p, first);
  }
  return out;
}
