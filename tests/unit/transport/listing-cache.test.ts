import { describe, expect, it } from 'vitest';
import { FindOutputParser } from '../../../src-main/transport/find-listing.js';
import { ListingCache, MAX_AGE_MS, MAX_INCREMENTAL } from '../../../src-main/transport/listing-cache.js';

/**
 * find's output as the listing script prints it for root /r: the NOW record, then whole records (the
 * root a folder, the rest files), then what the changed folders hold (`present`).
 */
function listing(now: string, full: string[], present: string[] = []): FindOutputParser {
  const p = new FindOutputParser();
  const recs = [`#now\0${now}\0`];
  for (const path of full)
    recs.push(`${path === '' ? 'd' : 'f'}\t644\t1\t1700000000.5\t0\t0\t1\t1:${path.length}\t${path}\0\0`);
  for (const path of present) recs.push(`#p1:${path.length}\t/r/./${path}\0\0`);
  p.push(Buffer.from(recs.join('')));
  return p;
}

function kept(cache: ListingCache, now = '1700000100.000000000 ext2/ext3'): void {
  const p = listing(now, ['', 'a', 'bb']);
  cache.full('/r', p, p.end());
}

const again = (cache: ListingCache, now = '1700000200.000000000 ext2/ext3') => {
  const p = listing(now, []);
  return cache.incremental('/r', p, p.end());
};

describe('ListingCache', () => {
  it('asks changes since the last start less a margin, and answers an unchanged tree with the kept listing', async () => {
    const cache = new ListingCache();
    kept(cache, '1700000100.250000000 ext2/ext3');
    expect(cache.since('/r')).toBe('@1700000098.250000000');
    expect((await again(cache))?.map((e) => e.path)).toEqual(['', 'a', 'bb']);
    expect(cache.counts).toEqual({ answered: 1, doubted: 0 });
  });

  it('lists in full when in doubt: a clock behind the last start, a filesystem of another clock, no clock', async () => {
    const cache = new ListingCache();
    kept(cache);
    expect(await again(cache, '1700000099.000000000 ext2/ext3')).toBeNull();
    expect(cache.since('/r')).toBeNull();
    for (const now of ['1700000100.000000000 nfs', '1700000100.%N ext2/ext3', ' ext2/ext3']) {
      kept(cache, now);
      expect(cache.since('/r'), now).toBeNull();
    }
  });

  it('lists in full once the kept listing is older than MAX_AGE_MS or after MAX_INCREMENTAL in a row', async () => {
    let t = 0;
    const cache = new ListingCache(() => t);
    kept(cache);
    t = MAX_AGE_MS + 1;
    expect(cache.since('/r')).toBeNull();
    t = 0;
    kept(cache);
    for (let i = 0; i < MAX_INCREMENTAL; i++) {
      expect(cache.since('/r')).not.toBeNull();
      expect(await again(cache)).not.toBeNull();
    }
    expect(cache.since('/r')).toBeNull();
  });

  it('doubts an entry that is new by its path but not by its ctime, or another inode at a known path', async () => {
    const cache = new ListingCache();
    kept(cache);
    // The root changed (an entry added); `cc` is in it but was not listed as changed.
    const moved = listing('1700000200.000000000 ext2/ext3', [''], ['a', 'bb', 'cc']);
    expect(await cache.incremental('/r', moved, moved.end())).toBeNull();
    kept(cache);
    const p = new FindOutputParser();
    p.push(
      Buffer.from(
        `#now\x001700000200.000000000 ext2/ext3\0d\t755\t0\t1.0\t0\t0\t2\t1:0\t\0\0#p9:9\t/r/./a\0\0#p1:2\t/r/./bb\0\0`,
      ),
    );
    expect(await cache.incremental('/r', p, p.end())).toBeNull();
    expect(cache.counts.doubted).toBe(2);
    // As listed, `bb` gone and `a` rewritten: the listing says so.
    kept(cache);
    const q = listing('1700000200.000000000 ext2/ext3', ['', 'a'], ['a']);
    const whole = await cache.incremental('/r', q, q.end());
    expect(whole?.map((e) => e.path).sort()).toEqual(['', 'a']);
  });
});
