import type { Attributes, SFTPWrapper } from 'ssh2';
import type { Readable } from 'node:stream';
import type { RawEntry, StatResult } from './endpoint.js';

const NO_SUCH_FILE = 2;
/** A write request's worth of zeros: a piece equal to it is left as a hole. */
const ZEROS = Buffer.alloc(32 * 1024);

/**
 * Promise wrapper for one SFTP request on `sftp`. A request sent on a session whose channel has closed
 * is never answered (ssh2 fails only the requests pending at the close), so it is refused up front.
 */
export function call<T>(
  sftp: SFTPWrapper,
  fn: (cb: (err: Error | null | undefined, v: T) => void) => void,
): Promise<T> {
  if (sftpClosed(sftp))
    return Promise.reject(new Error('The SFTP session is closed (the connection was lost).'));
  return new Promise((resolve, reject) => fn((err, v) => (err ? reject(err) : resolve(v))));
}

/** True once the session's channel is closed (ssh2 marks it no longer readable). */
export function sftpClosed(sftp: SFTPWrapper): boolean {
  const s = sftp as unknown as { readable?: boolean; outgoing?: { state?: string } };
  return s.readable === false || s.outgoing?.state === 'closed';
}

export function isNoSuchFile(err: unknown): boolean {
  return (err as { code?: unknown }).code === NO_SUCH_FILE;
}

export function typeOf(mode: number): RawEntry['type'] {
  const fmt = mode & 0o170000;
  if (fmt === 0o100000) return 'file';
  if (fmt === 0o040000) return 'dir';
  if (fmt === 0o120000) return 'symlink';
  return 'other';
}

export async function sftpStat(sftp: SFTPWrapper, path: string): Promise<StatResult | null> {
  let st: Attributes;
  try {
    st = await call<Attributes>(sftp, (cb) => sftp.lstat(path, cb));
  } catch (err) {
    if (isNoSuchFile(err)) return null;
    throw err;
  }
  return toStat(sftp, path, st);
}

async function toStat(sftp: SFTPWrapper, path: string, st: Attributes): Promise<StatResult> {
  const type = typeOf(st.mode);
  return {
    type,
    size: type === 'file' ? st.size : 0,
    mtimeMs: st.mtime * 1000,
    mode: st.mode & 0o7777,
    ...(type === 'symlink' ? { linkTarget: await call<string>(sftp, (cb) => sftp.readlink(path, cb)) } : {}),
  };
}

/** Recursive listing with readdir (the fallback for hosts without `find -printf`): one request per folder. */
export async function sftpList(sftp: SFTPWrapper, root: string): Promise<RawEntry[] | null> {
  const top = await sftpStat(sftp, root);
  if (!top) return null;
  if (top.type !== 'dir' && top.type !== 'symlink') throw new Error(`${root} is not a folder.`);
  // The root itself first, with the empty path, as a find listing gives it.
  const out: RawEntry[] = top.type === 'dir' ? [{ path: '', ...top }] : [];
  const walk = async (dir: string, rel: string): Promise<void> => {
    const list = await call<Array<{ filename: string; attrs: Attributes }>>(sftp, (cb) =>
      sftp.readdir(dir, cb),
    );
    await Promise.all(
      list.map(async ({ filename, attrs }) => {
        if (filename === '.' || filename === '..') return;
        const full = `${dir}/${filename}`;
        const relPath = rel ? `${rel}/${filename}` : filename;
        const entry: RawEntry = { path: relPath, ...(await toStat(sftp, full, attrs)) };
        out.push(entry);
        if (entry.type === 'dir') await walk(full, relPath);
      }),
    );
  };
  await walk(root.replace(/\/+$/, '') || '/', '');
  return out;
}

/** What is at `path` (lstat, no readlink), or null when nothing is. */
async function kindAt(sftp: SFTPWrapper, path: string): Promise<RawEntry['type'] | null> {
  try {
    return typeOf((await call<Attributes>(sftp, (cb) => sftp.lstat(path, cb))).mode);
  } catch (err) {
    if (isNoSuchFile(err)) return null;
    throw err;
  }
}

/**
 * `mkdir -p`: one request when the folder is there already (the usual case), and only the missing
 * ancestors made otherwise, so many of these can be in flight without walking from `/` each time.
 */
export async function sftpMkdirp(sftp: SFTPWrapper, path: string): Promise<void> {
  const p = path.replace(/\/+$/, '');
  if (!p) return;
  const kind = await kindAt(sftp, p);
  if (kind === 'dir' || kind === 'symlink') return;
  if (kind === null) {
    const up = p.replace(/\/[^/]*$/, '');
    if (up && up !== p) await sftpMkdirp(sftp, up);
  }
  try {
    await call<void>(sftp, (cb) => sftp.mkdir(p, cb));
  } catch (err) {
    const now = await kindAt(sftp, p);
    if (now !== 'dir' && now !== 'symlink') throw err;
  }
}

export async function sftpRemoveTree(sftp: SFTPWrapper, path: string): Promise<void> {
  const st = await sftpStat(sftp, path);
  if (!st) return;
  if (st.type === 'dir') {
    const list = await call<Array<{ filename: string }>>(sftp, (cb) => sftp.readdir(path, cb));
    await Promise.all(
      list
        .filter((e) => e.filename !== '.' && e.filename !== '..')
        .map((e) => sftpRemoveTree(sftp, `${path}/${e.filename}`)),
    );
    await call<void>(sftp, (cb) => sftp.rmdir(path, cb));
  } else await call<void>(sftp, (cb) => sftp.unlink(path, cb));
}

/**
 * Removes a tree over SFTP when it holds at most `budget` entries (a few backups of a small run):
 * false, with nothing removed, when it holds more (a shell's `rm -rf` is then quicker).
 */
export async function sftpRemoveSmallTree(sftp: SFTPWrapper, path: string, budget: number): Promise<boolean> {
  const files: string[] = [];
  const dirs: string[] = [path];
  for (let i = 0; i < dirs.length; i++) {
    const dir = dirs[i] as string;
    const list = await call<Array<{ filename: string; attrs: { mode: number } }>>(sftp, (cb) =>
      sftp.readdir(dir, cb),
    );
    for (const e of list) {
      if (e.filename === '.' || e.filename === '..') continue;
      ((e.attrs.mode & 0o170000) === 0o040000 ? dirs : files).push(`${dir}/${e.filename}`);
      if (files.length + dirs.length > budget + 1) return false;
    }
  }
  await Promise.all(files.map((f) => call<void>(sftp, (cb) => sftp.unlink(f, cb))));
  for (const d of dirs.reverse()) await call<void>(sftp, (cb) => sftp.rmdir(d, cb));
  return true;
}

/**
 * Writes a stream to a remote file with many WRITE requests in flight (what fastPut does for a local
 * file), so a transfer is not bound by one round trip per chunk.
 */
export async function sftpWriteStream(
  sftp: SFTPWrapper,
  path: string,
  data: Readable,
  mode: number,
  inFlight = 32,
): Promise<number> {
  const handle = await call<Buffer>(sftp, (cb) => sftp.open(path, 'w', { mode }, cb));
  let offset = 0;
  let written = 0;
  const pending = new Set<Promise<void>>();
  let failure: Error | null = null;
  try {
    for await (const chunk of data) {
      let buf = chunk as Buffer;
      while (buf.length > 0) {
        const piece = buf.subarray(0, 32 * 1024);
        buf = buf.subarray(piece.length);
        const at = offset;
        offset += piece.length;
        // A run of zeros is not written: the file keeps a hole there (sparse files stay sparse).
        if (piece.length === ZEROS.length && piece.equals(ZEROS)) continue;
        written = offset;
        const p = call<void>(sftp, (cb) => sftp.write(handle, piece, 0, piece.length, at, cb)).catch(
          (err: Error) => {
            failure ??= err;
          },
        );
        pending.add(p);
        void p.finally(() => pending.delete(p));
        if (pending.size >= inFlight) await Promise.race(pending);
        if (failure) throw failure;
      }
    }
    await Promise.all(pending);
    if (failure) throw failure;
    // Zeros at the end make the file as long as the data, with a hole there.
    if (written < offset) await call<void>(sftp, (cb) => sftp.fsetstat(handle, { size: offset }, cb));
  } finally {
    await Promise.all(pending);
    await call<void>(sftp, (cb) => sftp.close(handle, cb)).catch(() => undefined);
  }
  await call<void>(sftp, (cb) => sftp.chmod(path, mode, cb));
  return offset;
}
