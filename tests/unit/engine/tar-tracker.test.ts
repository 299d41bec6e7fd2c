import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  link,
  lstat,
  mkdir,
  mkdtemp,
  readFile,
  rm,
  symlink,
  truncate,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tarTracker, type TarMember } from '../../../src-main/engine/tar-tracker.js';
import { tarCreateOptions } from '../../../src-main/transport/attr-script.js';

// Archives made by the system's GNU tar, as the source side makes them (`-C root -cf - --null -T -`
// with `./` before each name), fed to the tracker in chunks of odd sizes so headers, pax records and
// file data are split across chunk boundaries.

let root: string;
const sha = async (p: string) =>
  createHash('sha256')
    .update(await readFile(join(root, p)))
    .digest('hex');

const longName = `${'deep-folder-name/'.repeat(8)}${'n'.repeat(120)}.conf`;
const files: Record<string, Buffer> = {
  'a.conf': Buffer.from('listen 80\n'),
  'empty.conf': Buffer.alloc(0),
  'exactly-512': Buffer.alloc(512, 0x61),
  'big.bin': Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 251)),
  'ünïcode ñame.cfg': Buffer.from('x = 1\n'),
  [longName]: Buffer.from('long\n'),
};

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tar-tracker-'));
  for (const [p, data] of Object.entries(files)) {
    await mkdir(join(root, p, '..'), { recursive: true });
    await writeFile(join(root, p), data);
  }
  // Times as tar stores them: whole seconds (the header's octal field), before 1970, far ahead
  // (pax records), and the others now (nanoseconds, a pax record).
  await utimes(join(root, 'a.conf'), 1_700_000_000, 1_700_000_000);
  await utimes(join(root, 'exactly-512'), -1.75, -1.75);
  await utimes(join(root, 'big.bin'), 9_999_999_999.5, 9_999_999_999.5);
  await link(join(root, 'a.conf'), join(root, 'hard.conf'));
  await symlink('/etc/hosts', join(root, 'abs-link'));
  await writeFile(join(root, 'sparse.img'), 'start');
  await truncate(join(root, 'sparse.img'), 4 * 1024 * 1024);
  // An xattr and an ACL make pax records before the member (where the filesystem takes them).
  execFileSync('sh', ['-c', 'setfattr -n user.tag -v yes a.conf; setfacl -m u:nobody:r big.bin; true'], {
    cwd: root,
    stdio: 'ignore',
  });
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** The archive of `paths` as GNU tar writes it with `args`. */
function archive(paths: string[], args: string[] = []): Buffer {
  return execFileSync('tar', ['-C', root, '-b', '128', ...args, '-cf', '-', '--null', '-T', '-'], {
    input: paths.map((p) => `./${p}\0`).join(''),
    maxBuffer: 64 * 1024 * 1024,
  });
}

/** Runs `data` through a tracker in chunks of `chunk` bytes; returns the hashes, the last progress and the bytes out. */
async function track(data: Buffer, chunk: number) {
  const hashes = new Map<string, string>();
  const members = new Map<string, TarMember>();
  let last = { filesStarted: 0, bytes: 0, path: '' };
  const chunks: Buffer[] = [];
  for (let i = 0; i < data.length; i += chunk) chunks.push(data.subarray(i, i + chunk));
  const out: Buffer[] = [];
  await pipeline(
    Readable.from(chunks),
    tarTracker((p) => (last = p), { hashes, members }),
    new Writable({
      write(c: Buffer, _e, cb) {
        out.push(c);
        cb();
      },
    }),
  );
  return { hashes, members, last, out: Buffer.concat(out) };
}

const all = [...Object.keys(files), 'hard.conf', 'abs-link', 'sparse.img'];

describe('tarTracker', () => {
  for (const [format, args] of [
    ['GNU', []],
    ['pax (posix)', ['--format=posix']],
    ['as a source streams it', tarCreateOptions()],
    ['as a source streams it, with xattrs and ACLs', tarCreateOptions({ xattrs: true })],
  ] as const) {
    for (const chunk of [1, 511, 4096, 65536]) {
      it(`hashes each regular file as sha256sum does: ${format}, chunks of ${chunk} bytes`, async () => {
        const data = archive(all, [...args]);
        // One-byte chunks of a 300 kB file are slow: only the small files then.
        const input =
          chunk === 1 ? archive(['a.conf', 'empty.conf', longName, 'hard.conf'], [...args]) : data;
        const { hashes, members, last, out } = await track(input, chunk);
        expect(out.equals(input)).toBe(true);
        const expected =
          chunk === 1
            ? ['a.conf', 'empty.conf', longName, 'hard.conf']
            : [
                ...Object.keys(files),
                'hard.conf',
                ...((args as readonly string[]).includes('--sparse') ? [] : ['sparse.img']),
              ];
        for (const p of expected) expect(hashes.get(p), p).toBe(await sha(p));
        // A link has no content; the hard link is the same content as its target; the sparse file
        // is an ordinary member unless stored as a map (--sparse).
        expect(hashes.has('abs-link')).toBe(false);
        expect([...hashes.keys()].sort()).toEqual([...expected].sort());
        // Each one's size and modified time as the file has them (whole ms, toward zero).
        expect([...members.keys()].sort()).toEqual([...expected].sort());
        // GNU headers hold whole seconds (a time before 1970 in base-256, not read here): the
        // run then checks such a file on the source itself, as a time that differs.
        for (const p of expected) {
          const st = await lstat(join(root, p));
          const gnu = format === 'GNU';
          if (gnu && st.mtimeMs < 0) continue;
          const mtimeMs = gnu ? Math.floor(st.mtimeMs / 1000) * 1000 : Math.trunc(st.mtimeMs);
          expect(members.get(p), p).toEqual({ size: st.size, mtimeMs });
        }
        if (chunk !== 1) {
          expect(last.filesStarted).toBe(all.length);
          expect(last.bytes).toBeGreaterThanOrEqual(300_000);
        }
      });
    }
  }

  it('gives no hash for a sparse file stored as a map (its data is not the file content)', async () => {
    for (const args of [['--sparse'], ['--sparse', '--format=posix']]) {
      const { hashes } = await track(archive(['sparse.img', 'a.conf'], args), 4096);
      expect(hashes.has('sparse.img')).toBe(false);
      expect(hashes.get('a.conf')).toBe(await sha('a.conf'));
    }
    // Not stored sparse, it is an ordinary member: its hash is the whole file's.
    const { hashes } = await track(archive(['sparse.img']), 65536);
    expect(hashes.get('sparse.img')).toBe(await sha('sparse.img'));
  });

  it('gives no hash for a path the archive holds twice', async () => {
    const twice = Buffer.concat([
      archive(['a.conf']).subarray(0, 1024),
      archive(['exactly-512']).subarray(0, 1024),
    ]);
    // Both members named the same: rename the second in its header (and fix its checksum).
    const h = twice.subarray(1024, 1536);
    h.fill(0, 0, 100);
    h.write('./a.conf', 0, 'latin1');
    h.fill(0x20, 148, 156);
    const sum = h.reduce((n, b) => n + b, 0);
    h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
    expect(execFileSync('tar', ['-tvf', '-'], { input: twice }).toString()).toContain('./a.conf');
    const { hashes } = await track(Buffer.concat([twice, Buffer.alloc(1024)]), 700);
    expect(hashes.has('a.conf')).toBe(false);
  });

  it('hashes nothing without a map, and still reports progress', async () => {
    let last = { filesStarted: 0, bytes: 0, path: '' };
    await pipeline(
      Readable.from([archive(['a.conf', 'big.bin'])]),
      tarTracker((p) => (last = p)),
      new Writable({ write: (_c, _e, cb) => cb() }),
    );
    expect(last.filesStarted).toBe(2);
    expect(last.bytes).toBe(files['a.conf']!.length + files['big.bin']!.length);
    expect(last.path).toBe('big.bin');
  });
});
