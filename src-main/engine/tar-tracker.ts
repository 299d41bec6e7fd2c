import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

const BLOCK = 512;

/** What a tar header said of a regular file as it was read: its size and modified time (whole ms, toward zero). */
export type TarMember = { readonly size: number; readonly mtimeMs: number };

export type TarTrackerMaps = {
  /** Filled with each regular file's SHA-256 by path. */
  readonly hashes?: Map<string, string>;
  /** Filled with each regular file's size and mtime as its header gave them, by path. */
  readonly members?: Map<string, TarMember>;
};

/** Extended headers (pax `x`, GNU long name `L` and long link `K`): their data is read, then applies to the next member. */
type MetaKind = 'x' | 'L' | 'K';

/**
 * A pass-through that reads tar headers as the archive flows by, so a bulk transfer can report which
 * file is passing and how many content bytes are through (ustar, GNU long names and pax headers).
 *
 * With `hashes`, it also takes the SHA-256 of each regular file's content as it passes (the bytes the
 * receiving tar writes), by its path without the leading `./`; a hard link gets its target's. With
 * `members`, it keeps each regular file's size and mtime as tar read them (its header, written
 * before the data). A member it cannot vouch for gets neither: a sparse file (its data is a map and
 * the non-hole parts), and any path the archive holds twice.
 */
export function tarTracker(
  onProgress: (p: { filesStarted: number; bytes: number; path: string }) => void,
  { hashes, members }: TarTrackerMaps = {},
): Transform {
  let header: Buffer = Buffer.alloc(0);
  let dataLeft = 0;
  let padLeft = 0;
  let meta: MetaKind | null = null;
  let metaBuf: Buffer[] = [];
  /** What the extended headers so far said of the next member. */
  let next: Extended = {};
  let files = 0;
  let bytes = 0;
  let path = '';
  let hashing: { path: string; hash: Hash } | null = null;
  const twice = new Set<string>();
  const keep = (p: string, digest: string) => {
    if (hashes && !twice.has(p)) hashes.set(p, digest);
  };
  /** A regular member's header: a path met before is vouched for by neither map. */
  const met = (p: string, m: TarMember): boolean => {
    if (twice.has(p)) return false;
    if (hashes?.has(p) || members?.has(p)) {
      hashes?.delete(p);
      members?.delete(p);
      twice.add(p);
      return false;
    }
    members?.set(p, m);
    return true;
  };
  return new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      let i = 0;
      while (i < chunk.length) {
        if (dataLeft > 0) {
          const n = Math.min(dataLeft, chunk.length - i);
          if (meta) metaBuf.push(chunk.subarray(i, i + n));
          else {
            bytes += n;
            hashing?.hash.update(chunk.subarray(i, i + n));
          }
          dataLeft -= n;
          i += n;
          if (dataLeft === 0 && meta) {
            next = readMeta(meta, Buffer.concat(metaBuf), next);
            meta = null;
            metaBuf = [];
          } else if (dataLeft === 0 && hashing) {
            keep(hashing.path, hashing.hash.digest('hex'));
            hashing = null;
          }
          continue;
        }
        if (padLeft > 0) {
          const n = Math.min(padLeft, chunk.length - i);
          padLeft -= n;
          i += n;
          continue;
        }
        const n = Math.min(BLOCK - header.length, chunk.length - i);
        header =
          header.length === 0 && n === BLOCK
            ? chunk.subarray(i, i + n)
            : Buffer.concat([header, chunk.subarray(i, i + n)]);
        i += n;
        if (header.length < BLOCK) continue;
        const h = header;
        header = Buffer.alloc(0);
        if (h.every((b) => b === 0)) continue;
        const type = String.fromCharCode(h[156] ?? 48);
        const size =
          type === 'x' || type === 'L' || type === 'K' || type === 'g'
            ? parseSize(h.subarray(124, 136))
            : (next.size ?? parseSize(h.subarray(124, 136)));
        dataLeft = size;
        padLeft = (BLOCK - (size % BLOCK)) % BLOCK;
        if (type === 'L' || type === 'x' || type === 'K') {
          meta = type;
          continue;
        }
        if (type === 'g') continue;
        const about = next;
        next = {};
        files++;
        path = (about.path ?? headerName(h)).replace(/^\.\//, '');
        if (hashes || members) {
          const regular = type === '0' || type === '\0' || type === '7';
          const target =
            type === '1' ? (about.linkPath ?? cstr(h.subarray(157, 257))).replace(/^\.\//, '') : '';
          if (regular && !about.sparse) {
            if (met(path, { size, mtimeMs: about.mtimeMs ?? parseSize(h.subarray(136, 148)) * 1000 })) {
              if (hashes) hashing = { path, hash: createHash('sha256') };
              if (hashing && size === 0) {
                keep(path, hashing.hash.digest('hex'));
                hashing = null;
              }
            }
          } else if (target !== '') {
            // Vouched for as its target is: a hard link is the same file, and carries no data.
            const member = members?.get(target);
            const hash = hashes?.get(target);
            if ((!members || member) && met(path, member ?? { size: 0, mtimeMs: 0 }) && hash !== undefined)
              keep(path, hash);
          }
        }
        onProgress({ filesStarted: files, bytes, path });
      }
      onProgress({ filesStarted: files, bytes, path });
      cb(null, chunk);
    },
  });
}

function cstr(b: Buffer): string {
  const end = b.indexOf(0);
  return b.subarray(0, end < 0 ? b.length : end).toString('utf8');
}

function headerName(h: Buffer): string {
  const name = cstr(h.subarray(0, 100));
  const ustar = h.subarray(257, 262).toString('latin1') === 'ustar';
  const prefix = ustar ? cstr(h.subarray(345, 500)) : '';
  return prefix ? `${prefix}/${name}` : name;
}

function parseSize(b: Buffer): number {
  if (((b[0] ?? 0) & 0x80) !== 0) {
    let v = 0;
    for (let i = 1; i < b.length; i++) v = v * 256 + (b[i] ?? 0);
    return v;
  }
  return parseInt(cstr(b).trim() || '0', 8);
}

/** What extended headers say of the next member. */
type Extended = { path?: string; linkPath?: string; size?: number; mtimeMs?: number; sparse?: boolean };

/** An extended header's data, added to what earlier ones said of the next member. */
function readMeta(kind: MetaKind, data: Buffer, before: Extended): Extended {
  if (kind === 'L') return { ...before, path: cstr(data) };
  if (kind === 'K') return { ...before, linkPath: cstr(data) };
  // pax records: "LENGTH key=value\n", LENGTH counting the whole record in bytes.
  const out = { ...before };
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    const length = space < 0 ? NaN : Number(data.toString('latin1', at, space));
    if (!Number.isInteger(length) || length <= 0 || at + length > data.length) break;
    const record = data.subarray(space + 1, at + length - 1);
    at += length;
    const eq = record.indexOf(0x3d);
    if (eq < 0) continue;
    const key = record.toString('utf8', 0, eq);
    const value = record.toString('utf8', eq + 1);
    if (key === 'path') out.path = value;
    else if (key === 'linkpath') out.linkPath = value;
    else if (key === 'size' && /^\d+$/.test(value)) out.size = Number(value);
    else if (key === 'mtime') {
      const ms = paxTimeMs(value);
      if (ms !== undefined) out.mtimeMs = ms;
    } else if (key.startsWith('GNU.sparse.')) out.sparse = true;
  }
  return out;
}

/**
 * A pax time (a decimal number of seconds, `-1.75` being 1.75 s before the epoch) in whole
 * milliseconds, rounded toward zero; undefined for anything else.
 */
function paxTimeMs(value: string): number | undefined {
  const m = /^(-?)(\d{1,15})(?:\.(\d*))?$/.exec(value);
  if (!m) return undefined;
  const ms = Number(m[2]) * 1000 + Number(((m[3] ?? '') + '000').slice(0, 3));
  return m[1] ? -ms : ms;
}
