import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { LocalEndpoint, localListings } from '../../../src-main/transport/local-endpoint.js';
import { SshEndpoint, listingsOf } from '../../../src-main/transport/ssh-endpoint.js';
import type { Endpoint, RawEntry } from '../../../src-main/transport/endpoint.js';
import type { ListingCache } from '../../../src-main/transport/listing-cache.js';
import type { SshConnection } from '../../../src-main/transport/ssh-connection.js';
import { scan } from '../../../src-main/engine/scan.js';
import { startSshd, type SshdServer } from '../../support/sshd.js';
import { connect, makeTree } from '../engine/tree.js';

/** Everything a listing says of each entry, by path (order is the walk's, not part of the listing). */
const byPath = (list: RawEntry[] | null) =>
  Object.fromEntries(
    (list ?? []).map((e) => [e.path, e]).sort(([a], [b]) => (String(a) < String(b) ? -1 : 1)),
  );

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
        const full = await endpoint().list(root);
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
