import { Transform, type TransformCallback } from 'node:stream';

const BLOCK = 512;

/**
 * A pass-through that reads tar headers as the archive flows by, so a bulk transfer can report which
 * file is passing and how many content bytes are through (ustar, GNU long names and pax paths).
 */
export function tarTracker(
  onProgress: (p: { filesStarted: number; bytes: number; path: string }) => void,
): Transform {
  let header = Buffer.alloc(0);
  let dataLeft = 0;
  let padLeft = 0;
  let meta: 'L' | 'x' | null = null;
  let metaBuf: Buffer[] = [];
  let nextName: string | null = null;
  let files = 0;
  let bytes = 0;
  let path = '';
  return new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      let i = 0;
      while (i < chunk.length) {
        if (dataLeft > 0) {
          const n = Math.min(dataLeft, chunk.length - i);
          if (meta) metaBuf.push(chunk.subarray(i, i + n));
          else bytes += n;
          dataLeft -= n;
          i += n;
          if (dataLeft === 0 && meta) {
            nextName = metaName(meta, Buffer.concat(metaBuf));
            meta = null;
            metaBuf = [];
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
        header = Buffer.concat([header, chunk.subarray(i, i + n)]);
        i += n;
        if (header.length < BLOCK) continue;
        const h = header;
        header = Buffer.alloc(0);
        if (h.every((b) => b === 0)) continue;
        const size = parseSize(h.subarray(124, 136));
        const type = String.fromCharCode(h[156] ?? 48);
        dataLeft = size;
        padLeft = (BLOCK - (size % BLOCK)) % BLOCK;
        if (type === 'L' || type === 'x') {
          meta = type;
          continue;
        }
        if (type === 'g') continue;
        const name = nextName ?? headerName(h);
        nextName = null;
        files++;
        path = name.replace(/^\.\//, '');
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

function metaName(kind: 'L' | 'x', data: Buffer): string | null {
  if (kind === 'L') return cstr(data);
  const m = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(data.toString('utf8'));
  return m?.[1] ?? null;
}
