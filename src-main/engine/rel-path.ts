import { AppError } from '../errors/app-error.js';

const PLAIN = /^[\x20-\x5b\x5d-\x7e]+$/;
const BAD_SEGMENT = /(?:^|\/)\.{0,2}(?:\/|$)/;

/**
 * Normalises a path found by a scan (or read from a plan, journal or manifest) into the one form the
 * engine trusts: POSIX separators, relative, NFC, no `.`/`..`/empty segments, no control characters
 * that would break a NUL- or line-based protocol. Anything else is refused, because a path that could
 * climb out of its root must never reach a rename or an unlink.
 */
export function checkRelPath(raw: string): string {
  // The common case, checked in one pass: printable ASCII, no backslash, no leading slash or drive
  // letter, no empty, `.` or `..` segment (NFC leaves such a path as it is).
  if (PLAIN.test(raw) && !BAD_SEGMENT.test(raw) && !/^[A-Za-z]:/.test(raw)) return raw;
  if (raw.length === 0) throw new AppError('PATH_INVALID', 'An empty path was found.');
  if (/[\n\r\0]/.test(raw))
    throw new AppError(
      'PATH_INVALID',
      `The name ${JSON.stringify(raw)} contains a newline, carriage return or NUL; rename it.`,
    );
  const posix = raw.replace(/\\/g, '/');
  if (posix.startsWith('/') || /^[A-Za-z]:/.test(posix))
    throw new AppError(
      'PATH_ESCAPE',
      `The path "${raw}" is absolute; only paths inside the root are allowed.`,
    );
  const parts = posix.split('/');
  for (const part of parts) {
    if (part === '..')
      throw new AppError('PATH_ESCAPE', `The path "${raw}" climbs out of its root with "..".`);
    if (part === '' || part === '.')
      throw new AppError('PATH_INVALID', `The path "${raw}" has an empty or "." segment.`);
  }
  return posix.normalize('NFC');
}

/**
 * Checks that a symlink at `linkPath` (relative to the root) pointing at `target` stays inside the root,
 * so that copying it as a link can never expose or overwrite something outside the synchronised item.
 */
export function checkLinkTarget(linkPath: string, target: string): string {
  if (target.length === 0)
    throw new AppError('PATH_INVALID', `The symlink "${linkPath}" has an empty target.`);
  if (/[\n\r\0]/.test(target))
    throw new AppError('PATH_INVALID', `The symlink "${linkPath}" has a target with control characters.`);
  if (target.startsWith('/') || /^[A-Za-z]:[\\/]/.test(target))
    throw new AppError(
      'PATH_ESCAPE',
      `The symlink "${linkPath}" points to the absolute path "${target}", outside the root.`,
    );
  const depth: string[] = linkPath.split('/').slice(0, -1);
  for (const part of target.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (depth.length === 0)
        throw new AppError(
          'PATH_ESCAPE',
          `The symlink "${linkPath}" points to "${target}", which escapes the root.`,
        );
      depth.pop();
    } else depth.push(part);
  }
  return target.normalize('NFC');
}

/** The parent folders of a relative path, outermost first: `a/b/c` → `a`, `a/b`. */
export function parentsOf(path: string): string[] {
  const out: string[] = [];
  for (let i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) out.push(path.slice(0, i));
  return out;
}

/** The folder a checked relative path is in (`''` for the root). Runs per entry: no regex. */
export function parentOf(path: string): string {
  const cut = path.lastIndexOf('/');
  return cut < 0 ? '' : path.slice(0, cut);
}

/** Joins a root (absolute, either side's separator style kept POSIX) and a checked relative path. */
export function joinRoot(root: string, rel: string): string {
  if (rel === '') return root;
  return root.endsWith('/') ? `${root}${rel}` : `${root}/${rel}`;
}
