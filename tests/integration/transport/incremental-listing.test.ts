import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { LocalEndpoint, localListings } from '../../../src-main/transport/local-endpoint.js';
import { SshEndpoint, listingsOf } from '../../../src-main/transport/ssh-endpoint.js';
import type { Endpoint, RawEntry } from '../../../src-main/transport/endpoint.js';
import type { ListingCache } from '../../../src-main/transport/listing-cache.js';
import type { SshConnection } from '../../../src-main/transport/ssh-connection.js';
import { scan } from '../../../src-main/engine/scan.js';
import { findListingScript, parseFindOutput } from '../../../src-main/transport/find-listing.js';
import { execFileSync } from 'node:child_process';
import { startSshd, type SshdServer } from '../../support/sshd.js';
import { connect, makeTree } from '../engine/tree.js';

/** Everything a listing says of each entry, by path (order is the walk's, not part of the listing). */
const byPath = (list: RawEntry[] | null) =>
  Object.fromEntries(
    (list ?? []).map((e) => [e.path, e]).sort(([a], [b]) => (String(a) < String(b) ? -1 : 1)),
  );

/** A full listing by find, past every cache (the one an incremental listing must equal). */
const fullListing = (root: string) =>
  parseFindOutput(execFileSync('/bin/sh', ['-c', findListingScript(root)], { maxBuffer: 1 << 28 }));

/** Each kind of change an incremental listing must see, made after the listing it starts from. */
const CHANGES: Array<[string, (root: string) => Promise<void>]> = [
  [
    'content rewritten with its size and mtime restored',
    async (root) => {
      const f = join(root, 'etc/app.conf');
      const st = await fs.stat(f);
      await fs.writeFile(f, 'port=81\n'); // same length as before
      await fs.utimes(f, st.atime, st.mtime);
    },
  ],
  ['chmod', (root) => fs.chmod(join(root, 'etc/app.conf'), 0o600)],
  ['chown to a service account', (root) => fs.lchown(join(root, 'etc/app.conf'), 4242, 4343)],
  ['rename within a folder', (root) => fs.rename(join(root, 'etc/old.conf'), join(root, 'etc/new.conf'))],
  ['delete deep down', (root) => fs.rm(join(root, 'var/lib/deep/state'))],
  ['new empty folder', (root) => fs.mkdir(join(root, 'etc/empty.d'))],
  [
    'symlink retargeted',
    async (root) => {
      await fs.rm(join(root, 'current'));
      await fs.symlink('/opt/app/v2', join(root, 'current'));
    },
  ],
  [
    'file replaced by a folder',
    async (root) => {
      await fs.rm(join(root, 'etc/plugin'));
      await fs.mkdir(join(root, 'etc/plugin'));
      await fs.writeFile(join(root, 'etc/plugin/a.conf'), 'a');
    },
  ],
  ['hard link added', (root) => fs.link(join(root, 'etc/app.conf'), join(root, 'var/app.conf.link'))],
  [
    'folder with its content renamed in from outside the root',
    (root) => fs.rename(`${root}-outside`, join(root, 'etc/moved-in')),
  ],
  ['folder renamed', (root) => fs.rename(join(root, 'srv/data'), join(root, 'srv/data2'))],
  ['mtime alone set back', (root) => fs.utimes(join(root, 'etc/new.conf'), 1_000_000, 1_000_000)],
  [
    'file deleted and another made at its path',
    async (root) => {
      await fs.rm(join(root, 'etc/new.conf'));
      await fs.writeFile(join(root, 'etc/new.conf'), 'port=80\n');
    },
  ],
  [
    'folder replaced by a file',
    async (root) => {
      await fs.rm(join(root, 'etc/plugin'), { recursive: true });
      await fs.writeFile(join(root, 'etc/plugin'), 'a file again');
    },
  ],
  ['folder deleted with everything in it', (root) => fs.rm(join(root, 'var'), { recursive: true })],
  ['nothing changed', async () => undefined],
];

const TREE = {
  'etc/app.conf': 'port=80\n',
  'etc/old.conf': 'old',
  'etc/plugin': 'a file for now',
  'var/lib/deep/state': 'state',
  current: { link: '/opt/app/v1' },
  'srv/data/x.conf': 'x',
  'srv/data/sub/y.conf': 'y',
};

/**
 * The tree, and a folder beside it to be moved in, made so long before the first listing that their
 * ctimes are older than its margin: entries that then appear at new paths are old by their ctime.
 */
async function oldTree(root: string): Promise<void> {
  await makeTree(root, TREE);
  await makeTree(`${root}-outside`, { 'x.conf': 'x', 'sub/y.conf': 'y' });
  await new Promise((r) => setTimeout(r, 2100));
}

describe('incremental listings (find -newerct) give what a full listing gives, after every kind of change', () => {
  let s: SshdServer;
  let conn: SshConnection;
  beforeAll(async () => {
    s = await startSshd();
    conn = await connect(s);
  });
  afterAll(async () => {
    conn?.close();
    await s?.stop();
  });

  const sides: Array<[string, () => Endpoint, () => ListingCache | undefined]> = [
    ['local', () => new LocalEndpoint(), () => localListings],
    ['over SSH', () => new SshEndpoint(conn, { fastPath: true }), () => listingsOf(conn)],
  ];

  for (const [side, endpoint, cache] of sides)
    it(`${side}: each change seen, an unchanged tree answered with the same listing`, async () => {
      const root = join(s.dataRoot, `inc-${side.replace(/\W/g, '')}`);
      await oldTree(root);
      const ep = endpoint();
      const first = await ep.list(root, { incremental: true });
      const counts = () => ({ ...(cache()?.counts ?? { answered: 0, doubted: 0 }) });
      // Unchanged: answered from the last listing, as the very same entries (nothing parsed again).
      const before = counts();
      const again = await ep.list(root, { incremental: true });
      expect(again).toBe(first);
      expect(counts().answered).toBe(before.answered + 1);
      let doubted = 0;
      for (const [what, change] of CHANGES) {
        await change(root);
        const c = counts();
        const inc = await ep.list(root, { incremental: true });
        const full = fullListing(root);
        expect(byPath(inc), `${side}, ${what}`).toEqual(byPath(full));
        const after = counts();
        expect(after.answered + after.doubted, what).toBe(c.answered + c.doubted + 1);
        doubted += after.doubted - c.doubted;
        if (what.includes('renamed in') || what === 'folder renamed')
          expect(after.doubted, `${what}: entries old by their ctime at new paths, listed in full`).toBe(
            c.doubted + 1,
          );
      }
      // Only the moved folders' listings were doubted; every other change was answered incrementally.
      expect(doubted).toBe(2);
      // A scan of the same unchanged listing is the same index (nothing filtered or sorted again).
      const a = await scan(ep, root, {});
      const b = await scan(ep, root, {});
      expect(b.entries).toEqual(a.entries);
    });

  it('after 60 rounds of random changes (seeded) each incremental listing equals a full one', async () => {
    const root = join(s.dataRoot, 'inc-random');
    await makeTree(root, { 'a/1': '1', 'a/b/2': '2', 'c/3': '3', l: { link: 'a/1' } });
    const ep = new LocalEndpoint();
    // mulberry32: a small seeded generator whose every bit is usable.
    let seed = 1234567;
    const rnd = (n: number) => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) % n;
    };
    const all = async () => {
      const out: Array<{ path: string; dir: boolean }> = [];
      const walk = async (rel: string): Promise<void> => {
        for (const d of await fs.readdir(join(root, rel), { withFileTypes: true })) {
          const r = rel ? `${rel}/${d.name}` : d.name;
          out.push({ path: r, dir: d.isDirectory() });
          if (d.isDirectory()) await walk(r);
        }
      };
      await walk('');
      return out;
    };
    const pick = <T>(xs: T[]): T | undefined => xs[rnd(xs.length)];
    await ep.list(root, { incremental: true });
    const before = { ...localListings.counts };
    for (let round = 0; round < 60; round++) {
      for (let op = 0; op < 3; op++) {
        const entries = await all();
        const dirs = ['', ...entries.filter((e) => e.dir).map((e) => e.path)];
        const files = entries.filter((e) => !e.dir).map((e) => e.path);
        const inDir = (d: string | undefined) => join(root, d ?? '', `n${round}-${op}`);
        const f = pick(files);
        const d = pick(dirs);
        switch (rnd(8)) {
          case 0:
            await fs.writeFile(inDir(d), `${round}`);
            break;
          case 1:
            if (f) await fs.rm(join(root, f));
            break;
          case 2:
            await makeTree(inDir(d), { x: 'x', 'sub/y': 'y' });
            break;
          case 3:
            if (d) await fs.rm(join(root, d), { recursive: true });
            break;
          case 4: {
            const to = inDir(pick(dirs));
            const what = rnd(2) === 0 ? f : d;
            if (what && !to.startsWith(`${join(root, what)}/`))
              await fs.rename(join(root, what), to).catch(() => undefined);
            break;
          }
          case 5:
            if (f) await fs.chmod(join(root, f), rnd(2) ? 0o600 : 0o644).catch(() => undefined);
            break;
          case 6:
            await fs.symlink(f ?? 'nowhere', inDir(d));
            break;
          default:
            if (f) await fs.link(join(root, f), inDir(d)).catch(() => undefined);
        }
      }
      const inc = await ep.list(root, { incremental: true });
      expect(byPath(inc), `round ${round}`).toEqual(byPath(fullListing(root)));
    }
    // Most rounds were answered incrementally (a folder moved in is old by its ctime only after 2 s).
    expect(localListings.counts.answered - before.answered).toBeGreaterThan(40);
  });

  it('checksum scans and plain listings never answer from the cache', async () => {
    const root = join(s.dataRoot, 'inc-hash');
    await makeTree(root, TREE);
    const ep = new LocalEndpoint();
    await ep.list(root, { incremental: true });
    const before = { ...localListings.counts };
    await ep.list(root);
    await scan(ep, root, { hash: true });
    expect(localListings.counts).toEqual(before);
  });
});
