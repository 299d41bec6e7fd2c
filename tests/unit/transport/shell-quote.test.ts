import { describe, expect, it } from 'vitest';
import { shq } from '../../../src-main/transport/shell-quote.js';
import { parseFindOutput } from '../../../src-main/transport/find-listing.js';
import { hashLines } from '../../../src-main/transport/process-util.js';

describe('shq', () => {
  it('wraps in single quotes and escapes single quotes', () => {
    expect(shq('plain')).toBe("'plain'");
    expect(shq("it's")).toBe("'it'\\''s'");
    expect(shq('$(rm -rf /) `x`')).toBe("'$(rm -rf /) `x`'");
    expect(shq('')).toBe("''");
    expect(() => shq('a\0b')).toThrow();
  });
});

describe('listing parsers', () => {
  it('parses find -printf records, names with tabs included', () => {
    const root = { uid: 0, gid: 0, user: 'root', group: 'root' };
    const out = Buffer.from(
      'f\t644\t12\t1700000000.5000000000\t0\t0\t1\t1:1\ta\tb.txt\0\0l\t777\t1\t1700000001.0000000000\t0\t0\t1\t1:2\tlink\0a\tb.txt\0d\t755\t4096\t1700000002.2500000000\t0\t0\t2\t1:3\tdir\0\0#names\0u:root:0\ng:root:0\n\0',
    );
    expect(parseFindOutput(out)).toEqual([
      {
        path: 'a\tb.txt',
        type: 'file',
        size: 12,
        mtimeMs: 1_700_000_000_500,
        nsec: 500_000_000,
        mode: 0o644,
        ...root,
        ino: '1:1',
      },
      {
        path: 'link',
        type: 'symlink',
        size: 0,
        mtimeMs: 1_700_000_001_000,
        nsec: 0,
        mode: 0o777,
        ...root,
        ino: '1:2',
        linkTarget: 'a\tb.txt',
      },
      {
        path: 'dir',
        type: 'dir',
        size: 0,
        mtimeMs: 1_700_000_002_250,
        nsec: 250_000_000,
        mode: 0o755,
        ...root,
      },
    ]);
  });
  it('parses sha256sum lines, escaped names included', () => {
    const h = 'a'.repeat(64);
    const m = hashLines(Buffer.from(`${h}  ./x y\n\\${h}  ./back\\\\slash\n`));
    expect(m.get('x y')).toBe(h);
    expect(m.get('back\\slash')).toBe(h);
  });
});
