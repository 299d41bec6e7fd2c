import { AppError } from '../errors/app-error.js';

const PLAIN = /^[\x20-\x7e]+$/;
const BAD_SEGMENT = /(?:^|\/)\.{0,2}(?:\/|$)/;

/**
 * Checks a path found by a scan (or read from a plan, journal or manifest) is one the engine trusts:
 * relative, `/`-separated, no empty, `.` or `..` segment, no NUL. The name itself is kept byte for
 * byte: backslashes, newlines, quotes and NFD forms are names like any other on a POSIX filesystem, and
 * are never rewritten into another name. A path that could climb out of its root never reaches a
 * rename or an unlink.
 */
export function checkRelPath(raw: string): string {
  // The common case in one pass: printable ASCII without an empty, `.` or `..` segment.
  if (PLAIN.test(raw) && !BAD_SEGMENT.test(raw)) return raw;
  if (raw.length === 0) throw new AppError('PATH_INVALID', 'An empty path was found.');
  if (raw.includes('\0')) throw new AppError('PATH_INVALID', `The name ${JSON.stringify(raw)} contains NUL.`);
  if (raw.startsWith('/'))
    throw new AppError(
      'PATH_ESCAPE',
      `The path ${JSON.stringify(raw)} is absolute; only paths inside the root are allowed.`,
    );
  for (const part of raw.split('/')) {
    if (part === '..')
      throw new AppError('PATH_ESCAPE', `The path ${JSON.stringify(raw)} climbs out of its root with "..".`);
    if (part === '' || part === '.')
      throw new AppError('PATH_INVALID', `The path ${JSON.stringify(raw)} has an empty or "." segment.`);
  }
  return raw;
}

/**
 * Why a name cannot be carried byte for byte, or null when it can: a listing decoded as UTF-8 turns
 * bytes that are not UTF-8 into U+FFFD, and writing that back would name another file.
 */
export function uncarriableName(path: string): string | null {
  if (path.includes('\uFFFD')) return 'its name is not valid UTF-8, so it cannot be carried byte for byte';
  return null;
}

/**
 * Checks a symlink's target string: copied as it is (rsync -l), never followed, wherever it points;
 * only an empty target or one holding NUL cannot be a symlink at all.
 */
export function checkLinkTarget(linkPath: string, target: string): string {
  if (target.length === 0)
    throw new AppError('PATH_INVALID', `The symlink ${JSON.stringify(linkPath)} has an empty target.`);
  if (target.includes('\0'))
    throw new AppError('PATH_INVALID', `The symlink ${JSON.stringify(linkPath)} has a target holding NUL.`);
  return target;
}

/**
 * Where a symlink at `linkPath` (relative to the root) pointing at `target` leads out of the root, in
 * words ("points to the absolute path /etc/x"), or null when it stays inside (as a string: the
 * folders on its way are not looked at).
 */
export function linkLeavesRoot(linkPath: string, target: string): string | null {
  if (target.startsWith('/')) return `points to the absolute path ${target}`;
  const depth: string[] = linkPath.split('/').slice(0, -1);
  for (const part of target.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (depth.length === 0) return `points to ${target}, out of the root`;
      depth.pop();
    } else depth.push(part);
  }
  return null;
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
