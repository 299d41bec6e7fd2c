import { describe, expect, it } from 'vitest';
import { FindOutputParser, msOf, parseFindOutput } from '../../../src-main/transport/find-listing.js';

/** Owner, group and link fields of a record: root's, one link. */
const ROOT = '0\t0\t1\t64768:11';
/** The names table after the entries. */
const NAMES_OF_ROOT = '#names\0u:root:0\ng:root:0\n\0';
const records = [
  `d\t755\t4096\t1700000000.5\t${ROOT}\tconf.d\0\0`,
  `f\t644\t12\t1700000001.25\t${ROOT}\tconf.d/app.conf\0\0`,
  `f\t600\t3\t1700000002.0\t${ROOT}\tcaf\u00e9/\u65e5\u672c.ini\0\0`,
  `l\t777\t8\t1700000003.0\t${ROOT}\tcurrent\0conf.d/app.conf\0`,
  `f\t644\t1\t1700000004.0\t${ROOT}\ttab\there.conf\0\0`,
  NAMES_OF_ROOT,
];
const whole = Buffer.from(records.join(''));

describe('FindOutputParser', () => {
  it('gives the same entries however the output is cut into chunks, inside characters and records too', () => {
    const expected = parseFindOutput(whole);
    expect(expected.map((e) => e.path)).toEqual([
      'conf.d',
      'conf.d/app.conf',
      'caf\u00e9/\u65e5\u672c.ini',
      'current',
      'tab\there.conf',
    ]);
    expect(expected[3]).toMatchObject({ type: 'symlink', linkTarget: 'conf.d/app.conf' });
    expect(expected[1]).toMatchObject({ type: 'file', size: 12, mode: 0o644, mtimeMs: 1_700_000_001_250 });
    expect(expected[1]).toMatchObject({ uid: 0, gid: 0, user: 'root', group: 'root' });
    for (let size = 1; size <= whole.length; size += 3) {
      const p = new FindOutputParser();
      for (let at = 0; at < whole.length; at += size) p.push(whole.subarray(at, at + size));
      expect(p.end()).toEqual(expected);
    }
  });

  it('refuses a listing that stops inside a record, and a line that is not a record', () => {
    const cut = new FindOutputParser();
    cut.push(whole.subarray(0, whole.length - 3));
    expect(() => cut.end()).toThrow(/Unexpected end of the listing/);
    expect(() => parseFindOutput(Buffer.from('no tabs here\0\0'))).toThrow(/Unexpected listing line/);
  });

  it('reads %T@ as whole milliseconds, cut: never rounded into the next second', () => {
    expect(msOf('1763907694.9996123450')).toBe(1_763_907_694_999);
    expect(msOf('1700000001.25')).toBe(1_700_000_001_250);
    expect(msOf('1700000001')).toBe(1_700_000_001_000);
    expect(msOf('1700000001.0000000000')).toBe(1_700_000_001_000);
    expect(msOf('1.5')).toBe(1500);
  });

  it('reads owners by id and name, sub-second and negative times, hard links and special files', () => {
    const [neg, fifo, linked, orphan] = parseFindOutput(
      Buffer.from(
        [
          'f\t4755\t5\t-2.2500000000\t33\t1001\t1\t1:2\tback\\slash\nnl\0\0',
          'p\t644\t0\t7258118400.1234567890\t0\t0\t1\t1:3\tfifo\0\0',
          'f\t644\t5\t1700000000.9876543210\t0\t0\t2\t1:4\thard\0\0',
          'f\t644\t5\t1700000000\t4242\t4243\t1\t1:5\torphan\0\0',
          // Names for the ids that have one (1001 and 4242/4243 have none).
          '#names\0u:www-data:33\nu:root:0\ng:root:0\n\0',
        ].join(''),
      ),
    );
    expect(neg).toMatchObject({ path: 'back\\slash\nnl', mode: 0o4755, mtimeMs: -1750, nsec: 250_000_000 });
    expect(neg).toMatchObject({ uid: 33, gid: 1001, user: 'www-data' });
    expect(neg?.group).toBeUndefined();
    expect(fifo).toMatchObject({ type: 'other', what: 'a FIFO (named pipe)', mtimeMs: 7_258_118_400_123 });
    expect(linked).toMatchObject({ linkId: '1:4', nsec: 987_654_321, mtimeMs: 1_700_000_000_987 });
    expect(orphan).toMatchObject({ uid: 4242, gid: 4243 });
    expect(orphan?.user).toBeUndefined();
  });

  it('feed() marks output that is not a listing as broken instead of throwing', async () => {
    const p = new FindOutputParser();
    p.feed(Buffer.from('find: unknown predicate -printf\0\0'));
    await p.settled();
    expect(p.broken).toBe(true);
    const ok = new FindOutputParser();
    ok.feed(whole);
    await ok.settled();
    expect(ok.broken).toBe(false);
    expect(ok.end()).toEqual(parseFindOutput(whole));
  });

  it('feed() parses a large listing given at once in slices, the event loop getting its turns', async () => {
    const records = Array.from(
      { length: 60_000 },
      (_, i) => `f\t644\t${i}\t1700000000.5\t0\t0\t1\t1:${i}\tdir-${i % 97}/file-${i}.conf\0\0`,
    );
    const big = Buffer.from(records.join(''));
    const p = new FindOutputParser();
    let turns = 0;
    const count = () => {
      turns++;
      if (!done) setImmediate(count);
    };
    let done = false;
    setImmediate(count);
    p.feed(big.subarray(0, 1000));
    p.feed(big.subarray(1000));
    await p.settled();
    done = true;
    expect(p.broken).toBe(false);
    expect(p.end()).toEqual(parseFindOutput(big));
    // Megabytes of output: parsed in more than one slice, with the loop's turns between them.
    expect(big.length).toBeGreaterThan(3_000_000);
    expect(turns).toBeGreaterThan(1);
  });
});

/**
 * The listing as the parser read it before it read bytes (the whole output decoded, split at NULs
 * and tabs): the reference the byte-by-byte parser is held to.
 */
function splitParse(out: Buffer) {
  const fields = out.toString('utf8').split('\0');
  const entries: Array<Record<string, unknown>> = [];
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const rec = fields[i] as string;
    if (rec.startsWith('#')) continue;
    const parts = rec.split('\t');
    const y = parts[0] as string;
    const type = y === 'f' ? 'file' : y === 'd' ? 'dir' : y === 'l' ? 'symlink' : 'other';
    const [whole = '0', fraction = ''] = (parts[3] as string).split('.');
    const nsec = Number(`${fraction}000000000`.slice(0, 9));
    const id = (s: string) => (/^\d+$/.test(s) ? Number(s) : undefined);
    const e: Record<string, unknown> = {
      path: parts.slice(8).join('\t'),
      type,
      size: type === 'file' ? Number(parts[2]) : 0,
      mtimeMs: Number(whole) * 1000 + Math.floor(nsec / 1e6),
      nsec,
      mode: parseInt(parts[1] as string, 8) & 0o7777,
    };
    if (id(parts[4] as string) !== undefined) e.uid = id(parts[4] as string);
    if (id(parts[5] as string) !== undefined) e.gid = id(parts[5] as string);
    const ino = parts[7] as string;
    if (type === 'file' && Number(parts[6]) > 1 && ino) e.linkId = ino;
    if ((type === 'file' || type === 'symlink') && ino) e.ino = ino;
    if (type === 'symlink') e.linkTarget = fields[i + 1];
    if (type === 'other') e.what = expect.any(String);
    entries.push(e);
  }
  return entries;
}

describe('FindOutputParser reads bytes as the whole decoded output would read', () => {
  it('gives what splitting the decoded output gives, on thousands of random records', () => {
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const pick = <T>(xs: ReadonlyArray<T>): T => xs[rnd(xs.length)] as T;
    const nameBits = [
      'a',
      'conf',
      '\t',
      '\n',
      ' ',
      '\\',
      '#',
      'é',
      '日本',
      '\u{1F600}',
      '.',
      '-',
      '%',
      '$(x)',
    ];
    const times = [
      '1700000000.5',
      '-2.2500000000',
      '0.0000000001',
      '1763907694.9996123450',
      '1700000001',
      '7258118400.1234567890',
      '-0.5',
      '12.123456789123',
      '.5',
    ];
    const records: Buffer[] = [];
    for (let i = 0; i < 3000; i++) {
      const type = pick(['f', 'f', 'f', 'd', 'l', 'p', 's', 'c']);
      const name = Array.from({ length: 1 + rnd(4) }, () => pick(nameBits)).join('');
      const path = Buffer.concat([
        Buffer.from(`dir-${rnd(9)}/${name}`),
        // Now and then bytes that are no UTF-8 at all.
        rnd(10) === 0 ? Buffer.from([0xe6, 0x97]) : Buffer.alloc(0),
        rnd(15) === 0 ? Buffer.from([0xff, 0x41]) : Buffer.alloc(0),
      ]);
      const head = `${type}\t${pick(['644', '4755', '777', '0', '1777'])}\t${pick(['0', '12', '5900', '123456789012'])}\t${pick(times)}\t${pick(['0', '33', '4242', ''])}\t${pick(['0', '1001', 'x'])}\t${pick(['1', '2', '3'])}\t64768:${i}\t`;
      const link = type === 'l' ? pick(['../a', '/etc/hostname', 'tab\there', 'é']) : '';
      records.push(Buffer.concat([Buffer.from(head), path, Buffer.from(`\0${link}\0`)]));
    }
    const out = Buffer.concat([...records, Buffer.from('#names\0u:root:0\n\0')]);
    const reference = splitParse(out).map((e) => ({ ...e, ...(e.uid === 0 ? { user: 'root' } : {}) }));
    for (const size of [out.length, 65_536, 4096, 1000, 7]) {
      const p = new FindOutputParser();
      for (let at = 0; at < out.length; at += size) p.push(out.subarray(at, at + size));
      expect(p.end(), `pieces of ${size}`).toEqual(reference);
    }
  });
});
