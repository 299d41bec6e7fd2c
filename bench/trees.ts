import { createCipheriv, createHash } from 'node:crypto';
import { mkdir, writeFile, utimes } from 'node:fs/promises';
import { join } from 'node:path';

/** Deterministic bytes from a seed: AES-128-CTR over zeros (fast, incompressible, reproducible). */
export function seededBytes(seed: string, length: number): Buffer {
  const key = createHash('sha256').update(seed).digest().subarray(0, 16);
  const cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
  return Buffer.concat([cipher.update(Buffer.alloc(length)), cipher.final()]);
}

/** A small deterministic PRNG (mulberry32) for sizes and layout. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type TreeSpec = { readonly files: number; readonly meanSize: number; readonly perDir: number; readonly seed: number };
export type TreeStats = { readonly files: number; readonly bytes: number };

const FIXED_MTIME = new Date('2026-01-01T00:00:00Z');

/**
 * Writes `files` files of random sizes (exponential around `meanSize`) into nested folders of `perDir`
 * entries, all with one fixed mtime so two generations of the same spec are identical.
 */
export async function generateTree(root: string, spec: TreeSpec): Promise<TreeStats> {
  const rand = prng(spec.seed);
  const pool = seededBytes(`pool-${spec.seed}`, Math.max(spec.meanSize * 8, 1 << 20));
  let bytes = 0;
  const made = new Set<string>();
  for (let i = 0; i < spec.files; i++) {
    const d1 = Math.floor(i / (spec.perDir * spec.perDir));
    const d2 = Math.floor(i / spec.perDir) % spec.perDir;
    const dir = join(root, `group-${d1}`, `conf-${d2}`);
    if (!made.has(dir)) {
      await mkdir(dir, { recursive: true });
      made.add(dir);
    }
    const size = Math.min(pool.length - 1, Math.floor(-Math.log(1 - rand()) * spec.meanSize));
    const offset = Math.floor(rand() * (pool.length - size));
    const file = join(dir, `item-${i}.conf`);
    await writeFile(file, pool.subarray(offset, offset + size));
    await utimes(file, FIXED_MTIME, FIXED_MTIME);
    bytes += size;
  }
  return { files: spec.files, bytes };
}

/** One big file of `size` bytes written in 8 MiB slices (never all in memory). */
export async function generateBigFile(path: string, size: number, seed: string): Promise<void> {
  const { open } = await import('node:fs/promises');
  const fh = await open(path, 'w');
  const slice = 8 << 20;
  const key = createHash('sha256').update(seed).digest().subarray(0, 16);
  const cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
  try {
    for (let done = 0; done < size; done += slice) {
      await fh.write(cipher.update(Buffer.alloc(Math.min(slice, size - done))));
    }
  } finally {
    await fh.close();
  }
  await utimes(path, FIXED_MTIME, FIXED_MTIME);
}
