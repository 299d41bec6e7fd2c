import picomatch from 'picomatch';
import { ENGINE_EXCLUDES } from '../../src-shared/model/sync.js';

export { DEFAULT_EXCLUDES, ENGINE_EXCLUDES } from '../../src-shared/model/sync.js';

export type FilterSpec = {
  /** When non-empty, only files and symlinks matching one of these are kept (folders always are). */
  readonly include?: ReadonlyArray<string>;
  /** Paths matching one of these, and everything below a matching folder, are left out. */
  readonly exclude?: ReadonlyArray<string>;
};

export type PathFilter = (path: string, isDir: boolean) => boolean;

/**
 * gitignore-like globs: a pattern without a leading `/` matches at any depth (`*.lic`, `licenses/**`),
 * a leading `/` anchors it to the root, and `dir/**` also matches `dir` itself so the folder is left
 * out with its content. The engine's own staging names are always excluded, whatever the user set.
 */
export function compileFilter(spec: FilterSpec): PathFilter {
  const exclude = toMatcher([...(spec.exclude ?? []), ...ENGINE_EXCLUDES]);
  const include = spec.include && spec.include.length > 0 ? toMatcher(spec.include) : null;
  // Folders are asked once each, however many entries they hold (a listing names each of them first
  // or last, so a tree of n files in d folders costs about n + d matches, not n × depth).
  const folderKept = new Map<string, boolean>();
  const keptFolder = (dir: string): boolean => {
    let kept = folderKept.get(dir);
    if (kept === undefined) {
      const cut = dir.lastIndexOf('/');
      kept = (cut < 0 || keptFolder(dir.slice(0, cut))) && !exclude(dir);
      folderKept.set(dir, kept);
    }
    return kept;
  };
  return (path, isDir) => {
    const cut = path.lastIndexOf('/');
    if (cut >= 0 && !keptFolder(path.slice(0, cut))) return false;
    if (exclude(path)) return false;
    if (include && !isDir) return include(path);
    return true;
  };
}

function toMatcher(patterns: ReadonlyArray<string>): (path: string) => boolean {
  const expanded: string[] = [];
  for (const raw of patterns) {
    const p = raw.trim();
    if (p === '' || p.startsWith('#')) continue;
    const anchored = p.startsWith('/');
    const body = anchored ? p.slice(1) : p;
    const forms = body.endsWith('/**') ? [body, body.slice(0, -3)] : [body.replace(/\/$/, '')];
    for (const f of forms) expanded.push(anchored ? f : `**/${f}`);
  }
  // The same glob twice (the engine's own names are among the defaults too) is tested once.
  const globs = [...new Set(expanded)];
  if (globs.length === 0) return () => false;
  // The compiled expressions themselves: picomatch's matcher builds a result object per call, which
  // for the two listings of a 10k-file plan was a quarter of its filtering time. A path equal to its
  // glob matches, as with picomatch.
  const res = globs.map((g) => picomatch.makeRe(g, { dot: true }));
  const needles = globs.map(needleOf);
  return (path) => {
    for (let i = 0; i < res.length; i++) {
      if (path === globs[i]) return true;
      // A path without the glob's plain part cannot match it: no expression is run for it.
      const needle = needles[i] ?? null;
      if (needle !== null && !path.includes(needle)) continue;
      if ((res[i] as RegExp).test(path)) return true;
    }
    return false;
  };
}

/**
 * The longest run of plain characters in a glob (`licenses` in `licenses/**`, `.lic` in `*.lic`):
 * every path the glob matches holds it, plain characters matching only themselves. Null when the
 * glob has anything that could stand for them otherwise (classes, braces, extglobs, escapes): the
 * expression alone decides then.
 */
function needleOf(glob: string): string | null {
  if (/[[\]{}()!+@\\]/.test(glob)) return null;
  let best = '';
  for (const piece of glob.split(/[*?/]/)) if (piece.length > best.length) best = piece;
  return best === '' ? null : best;
}
