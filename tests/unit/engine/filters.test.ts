import { describe, expect, it } from 'vitest';
import { compileFilter, DEFAULT_EXCLUDES } from '../../../src-main/engine/filters.js';
import { checkLinkTarget, checkRelPath } from '../../../src-main/engine/rel-path.js';

describe('filters', () => {
  const keep = compileFilter({ exclude: DEFAULT_EXCLUDES });
  it('default exclusions match at any depth, folders with their content', () => {
    expect(keep('app.conf', false)).toBe(true);
    expect(keep('product.lic', false)).toBe(false);
    expect(keep('deep/er/product.lic', false)).toBe(false);
    expect(keep('licenses', true)).toBe(false);
    expect(keep('licenses/a.txt', false)).toBe(false);
    expect(keep('sub/licenses/a.txt', false)).toBe(false);
    expect(keep('.configsync-staging-123/x', false)).toBe(false);
    expect(keep('a/.configsync-tmp-9', false)).toBe(false);
    expect(keep('licenses.txt', false)).toBe(true);
  });
  it('engine names are excluded even with an empty user list; anchored patterns and includes', () => {
    expect(compileFilter({ exclude: [] })('.configsync-staging-1', true)).toBe(false);
    const anchored = compileFilter({ exclude: ['/top.txt'] });
    expect(anchored('top.txt', false)).toBe(false);
    expect(anchored('sub/top.txt', false)).toBe(true);
    const inc = compileFilter({ include: ['*.conf'] });
    expect(inc('a/b.conf', false)).toBe(true);
    expect(inc('a/b.txt', false)).toBe(false);
    expect(inc('a', true)).toBe(true);
  });
});

describe('relative paths', () => {
  it('keeps names byte for byte and refuses escapes', () => {
    expect(checkRelPath('a\\b')).toBe('a\\b');
    expect(checkRelPath('cafe\u0301')).toBe('cafe\u0301');
    expect(() => checkRelPath('/x')).toThrow(/absolute/);
    expect(() => checkRelPath('a/../../b')).toThrow(/climbs/);
    expect(() => checkRelPath('a\0b')).toThrow(/NUL/);
    expect(() => checkRelPath('')).toThrow(/empty/);
  });
  it('keeps any symlink target as its string (rsync -l)', () => {
    expect(checkLinkTarget('a/b/l', '../c')).toBe('../c');
    expect(checkLinkTarget('a/l', '../../x')).toBe('../../x');
    expect(checkLinkTarget('l', '/abs')).toBe('/abs');
    expect(() => checkLinkTarget('l', '')).toThrow(/empty target/);
  });
});
