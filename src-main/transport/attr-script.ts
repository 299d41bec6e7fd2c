import type { ExactTime, TarOptions } from './endpoint.js';
import { shq } from './shell-quote.js';

/**
 * An mtime as `touch -d` takes it, exact to the nanosecond: `@SECONDS.NANOSECONDS`, negative before
 * 1970 (`@-1.750000000` is 1969-12-31 23:59:58.25). `mtimeMs` is rounded down; `nsec` refines it.
 */
export function touchTime(mtimeMs: number, nsec?: number): string {
  const sec = Math.floor(mtimeMs / 1000);
  const ns = nsec ?? (mtimeMs - sec * 1000) * 1_000_000;
  if (sec >= 0 || ns === 0) return `@${sec}.${String(ns).padStart(9, '0')}`;
  return `@-${-sec - 1}.${String(1_000_000_000 - ns).padStart(9, '0')}`;
}

/** True when SFTP (whole seconds, unsigned 32 bits) can carry this mtime exactly (and nothing else is asked). */
export function sftpCarries(t: ExactTime): boolean {
  return t.linkOwner === undefined && sftpCarriesTime(t.mtimeMs, t.nsec);
}

/** True when SFTP (whole seconds, unsigned 32 bits) can carry this mtime exactly. */
export function sftpCarriesTime(mtimeMs: number, nsec?: number): boolean {
  const sec = Math.floor(mtimeMs / 1000);
  return mtimeMs % 1000 === 0 && (nsec ?? 0) === 0 && sec >= 0 && sec <= 0xffffffff;
}

/** Where exactTimesScript looks for Python, in order (system ones: a user's shim would start slower than it saves). */
export const PYTHONS: ReadonlyArray<string> = [
  '/usr/bin/python3',
  '/usr/local/bin/python3',
  '/usr/libexec/platform-python',
];

/** From this many times on, one Python process sets them all (below, a `touch` each costs less). */
export const PYTHON_FROM = 8;

/**
 * Sets each time of its input (`INDEX HEXPATH NS UID:GID|-` lines) exactly, as `touch -h -m` does:
 * the mtime to the nanosecond, atime and link targets left alone; prints the index of each failure.
 */
const TIMES_PY = [
  'import os,sys',
  'for l in sys.stdin.buffer.read().split(b"\\n"):',
  '  if not l: continue',
  '  i,h,ns,own=l.split(b" ")',
  '  p=bytes.fromhex(h.decode())',
  '  try:',
  '    if own!=b"-":',
  '      u,g=own.split(b":")',
  '      os.chown(p,int(u),int(g),follow_symlinks=False)',
  '    os.utime(p,ns=(os.lstat(p).st_atime_ns,int(ns)),follow_symlinks=False)',
  '  except OSError:',
  '    sys.stdout.write(i.decode()+"\\n")',
].join('\n');

/** An mtime in nanoseconds since 1970 (negative before), as a decimal string. */
export function mtimeNs(mtimeMs: number, nsec?: number): string {
  const sec = Math.floor(mtimeMs / 1000);
  const ns = nsec ?? (mtimeMs - sec * 1000) * 1_000_000;
  return (BigInt(sec) * 1_000_000_000n + BigInt(ns)).toString();
}

/**
 * A script setting each mtime exactly (of a link itself, never its target); prints the index of each
 * failure. Many times are set by one Python process where the side has a system Python (`pythons`:
 * where to look), else, or when it fails to start, by one `touch` (and `chown -h`) per path: 100
 * folders took ~80 ms as processes of their own, ~10 ms in one. Setting a time again is harmless,
 * so a Python that stops half-way is followed by the `touch` lines for all.
 */
export function exactTimesScript(
  times: ReadonlyArray<ExactTime>,
  pythons: ReadonlyArray<string> = PYTHONS,
): string {
  const touches = times
    .map((t, i) => {
      const chown = t.linkOwner ? `chown -h ${t.linkOwner.uid}:${t.linkOwner.gid} -- ${shq(t.path)} && ` : '';
      return `{ ${chown}touch -h -m -d ${touchTime(t.mtimeMs, t.nsec)} -- ${shq(t.path)}; } || echo ${i}`;
    })
    .join('\n');
  if (times.length < PYTHON_FROM || pythons.length === 0) return `${touches}\n`;
  const lines = times
    .map((t, i) => {
      const own = t.linkOwner ? `${t.linkOwner.uid}:${t.linkOwner.gid}` : '-';
      return `${i} ${Buffer.from(t.path, 'utf8').toString('hex')} ${mtimeNs(t.mtimeMs, t.nsec)} ${own}`;
    })
    .join('\n');
  // The input is digits, hex, ":" and "-" only: no line of it can end the here-document early.
  return [
    `py=; for c in ${pythons.map(shq).join(' ')}; do if [ -x "$c" ]; then py=$c; break; fi; done`,
    `if [ -n "$py" ] && "$py" -I -S -c ${shq(TIMES_PY)} <<'CONFIGSYNC_TIMES_END'`,
    lines,
    'CONFIGSYNC_TIMES_END',
    'then :',
    'else',
    touches,
    'fi',
    '',
  ].join('\n');
}

/** A script printing `u<TAB>name<TAB>id` and `g<TAB>name<TAB>id` for each name this side knows. */
export function resolveOwnersScript(users: ReadonlyArray<string>, groups: ReadonlyArray<string>): string {
  const lines = [
    ...users.map((u) => `i=$(id -u -- ${shq(u)} 2>/dev/null) && printf 'u\\t%s\\t%s\\n' ${shq(u)} "$i"`),
    ...groups.map(
      (g) =>
        `i=$(getent group ${shq(g)} 2>/dev/null | cut -d: -f3) && [ -n "$i" ] && printf 'g\\t%s\\t%s\\n' ${shq(g)} "$i"`,
    ),
  ];
  return `${lines.join('\n')}\ntrue\n`;
}

/** Reads resolveOwnersScript's output. */
export function parseOwners(stdout: string): { users: Map<string, number>; groups: Map<string, number> } {
  const users = new Map<string, number>();
  const groups = new Map<string, number>();
  for (const line of stdout.split('\n')) {
    const [kind, name, id] = line.split('\t');
    if (!name || !id || !/^\d+$/.test(id)) continue;
    if (kind === 'u') users.set(name, Number(id));
    if (kind === 'g') groups.set(name, Number(id));
  }
  return { users, groups };
}

/**
 * GNU tar options for a stream that keeps what rsync -aHAX keeps: pax format (nanosecond and any-range
 * mtimes, long names, owners by name and id), holes of sparse files, and on request xattrs and ACLs.
 */
export function tarCreateOptions(options: TarOptions = {}): string[] {
  return [
    '--format=posix',
    // atime and ctime would add a header per file and are never restored.
    '--pax-option=delete=atime,delete=ctime',
    '--sparse',
    ...(options.xattrs ? ['--xattrs', '--xattrs-include=*', '--acls'] : []),
  ];
}

/** GNU tar options on extract matching tarCreateOptions (owners by name unless numeric). */
export function tarExtractOptions(options: TarOptions = {}): string[] {
  return [
    ...(options.xattrs ? ['--xattrs', '--xattrs-include=*', '--acls'] : []),
    ...(options.numericOwner ? ['--numeric-owner'] : []),
    // Warnings about old or future times are not errors: those times are what is copied.
    '--warning=no-timestamp',
  ];
}

/** The xattrs (POSIX ACLs included) of `./path`s, as `getfattr --dump` writes them for setfattr --restore. */
export function xattrDumpCommand(paths: ReadonlyArray<string>): string {
  return `getfattr -h -d -m - -e hex -- ${paths.map((p) => shq(`./${p}`)).join(' ')}`;
}

/** Restores a getfattr dump in the working folder (no link is followed). */
export function xattrRestoreCommand(dump: string): string {
  const end = `CONFIGSYNC_XATTRS_${Math.random().toString(36).slice(2)}`;
  return `setfattr -h --restore=- <<'${end}'\n${dump}\n${end}`;
}

/** Paths sharing one modified time (whole seconds), set by one `touch` per chunk of `paths`. */
export type SharedTime = { readonly mtimeMs: number; readonly paths: ReadonlyArray<string> };

/** At most this many paths on one `touch` command line (far below any ARG_MAX). */
export const TOUCH_CHUNK = 200;

/**
 * A script setting the modified time of many paths that share it (whole seconds; links themselves,
 * never their targets): one `touch` per chunk of TOUCH_CHUNK paths instead of one per path. Prints
 * the index of each chunk (in `chunks` order) that failed, for the caller to set its paths one by one.
 */
export function sharedTimesScript(chunks: ReadonlyArray<SharedTime>): string {
  return `${chunks
    .map(
      (c, i) =>
        `touch -h -m -d ${touchTime(c.mtimeMs)} -- ${c.paths.map(shq).join(' ')} 2>/dev/null || echo ${i}`,
    )
    .join('\n')}\ntrue\n`;
}

/** Splits paths of one time into TOUCH_CHUNK-sized chunks. */
export function chunksOf(mtimeMs: number, paths: ReadonlyArray<string>): SharedTime[] {
  const out: SharedTime[] = [];
  for (let i = 0; i < paths.length; i += TOUCH_CHUNK)
    out.push({ mtimeMs, paths: paths.slice(i, i + TOUCH_CHUNK) });
  return out;
}

/** Renames each pair of its input (`INDEX HEXFROM HEXTO` lines); prints `INDEX` or `INDEX ERROR` for each. */
const RENAMES_PY = [
  'import os,sys',
  'out=sys.stdout',
  'for l in sys.stdin.buffer.read().split(b"\\n"):',
  '  if not l: continue',
  '  i,a,b=l.split(b" ")',
  '  try:',
  '    os.rename(bytes.fromhex(a.decode()),bytes.fromhex(b.decode()))',
  '    out.write(i.decode()+"\\n")',
  '  except OSError as e:',
  '    out.write(i.decode()+" "+(e.strerror or "rename failed").replace("\\n"," ")+"\\n")',
].join('\n');

/**
 * A script renaming many pairs (each atomic: rename(2) replaces its target) in one system Python
 * process (`pythons`: where to look); exits 97 without one. See parseRenames.
 */
export function renameManyScript(
  pairs: ReadonlyArray<{ readonly from: string; readonly to: string }>,
  pythons: ReadonlyArray<string> = PYTHONS,
): string {
  const hex = (p: string) => Buffer.from(p, 'utf8').toString('hex');
  return [
    `py=; for c in ${pythons.map(shq).join(' ')}; do if [ -x "$c" ]; then py=$c; break; fi; done`,
    '[ -n "$py" ] || exit 97',
    // The input is digits, hex and spaces only: no line of it can end the here-document early.
    `exec "$py" -I -S -c ${shq(RENAMES_PY)} <<'CONFIGSYNC_RENAMES_END'`,
    ...pairs.map((p, i) => `${i} ${hex(p.from)} ${hex(p.to)}`),
    'CONFIGSYNC_RENAMES_END',
    '',
  ].join('\n');
}

/**
 * renameManyScript's outcome for each pair: null (renamed), an error message, or undefined where the
 * output says nothing (the process stopped before it: that pair may or may not have been renamed).
 */
export function parseRenames(stdout: string, count: number): Array<string | null | undefined> {
  const out = new Array<string | null | undefined>(count).fill(undefined);
  for (const line of stdout.split('\n')) {
    const m = /^(\d+)(?: (.*))?$/.exec(line);
    if (!m) continue;
    const i = Number(m[1]);
    if (i < count) out[i] = m[2] === undefined ? null : m[2] || 'rename failed';
  }
  return out;
}
