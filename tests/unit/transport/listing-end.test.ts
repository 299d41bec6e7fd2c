import { describe, expect, it } from 'vitest';
import { ListingEnd } from '../../../src-main/transport/command-shell.js';

const SECRET = '0123456789abcdef0123456789abcdef';

/** Feeds `stream` in pieces of `size` bytes: what went to the listing, and the end found (if any). */
function feed(stream: Buffer, size: number) {
  const end = new ListingEnd(SECRET);
  const listing: Buffer[] = [];
  let done: { code: number | null; rest: Buffer } | null = null;
  const after: Buffer[] = [];
  for (let at = 0; at < stream.length; at += size) {
    const piece = stream.subarray(at, at + size);
    if (done) after.push(piece);
    else done = end.push(piece, (b) => listing.push(Buffer.from(b)));
  }
  return { listing: Buffer.concat(listing), done, rest: done ? Buffer.concat([done.rest, ...after]) : null };
}

describe('the end of a listing that hands its session on to the command loop', () => {
  // Records that look like an end but are not: a link whose target is `#end` + another secret, and
  // names holding "#end", NULs around them as in a listing.
  const listing = Buffer.from(
    'f\t644\t3\t1.5\t0\t0\t1\t1:2\t#end x\0\0' +
      `l\t777\t9\t1.5\t0\t0\t1\t1:3\tlink\0#end ${'f'.repeat(32)}\0` +
      `l\t777\t9\t1.5\t0\t0\t1\t1:4\t#end ${SECRET.slice(0, 31)}\0#end \0` +
      '#names\0u:root:0\n\0',
    'utf8',
  );
  const loop = Buffer.from('rc-file noise\ncs1234 ready\n');
  const stream = Buffer.concat([listing, Buffer.from(`#end ${SECRET}\0`), Buffer.from('3\0'), loop]);

  it('passes on the listing byte for byte and finds the end and its status, however the stream is cut', () => {
    for (const size of [1, 2, 3, 7, 16, 33, 34, 35, 64, stream.length]) {
      const got = feed(stream, size);
      expect(got.listing.equals(listing), `pieces of ${size}`).toBe(true);
      expect(got.done?.code, `pieces of ${size}`).toBe(3);
      expect(got.rest?.equals(loop), `pieces of ${size}`).toBe(true);
    }
  });

  it('a stream without the end is all listing (the session ended first), less what could start the end', () => {
    const got = feed(listing, 5);
    expect(got.done).toBeNull();
    expect(listing.subarray(0, got.listing.length).equals(got.listing)).toBe(true);
    expect(got.listing.length).toBeGreaterThanOrEqual(listing.length - 38);
  });

  it('an end at the very start (a root that is missing lists nothing) and a status that is no number', () => {
    const first = feed(Buffer.from(`#end ${SECRET}\x003\0`), 4);
    expect([first.listing.length, first.done?.code, first.rest?.length]).toEqual([0, 3, 0]);
    const odd = feed(Buffer.from(`x\0#end ${SECRET}\0\0more`), 100);
    expect(odd.done?.code).toBeNull();
    expect(odd.rest?.toString()).toBe('more');
  });
});
