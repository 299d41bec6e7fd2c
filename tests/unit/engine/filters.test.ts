import { describe, expect, it } from 'vitest';
import picomatch from 'picomatch';
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
  it('decides as picomatch alone would, for globs with and without plain parts, on odd paths', () => {
    const globs = [
      'licenses/**',
      '*.lic',
      '/etc/ssl/*.pem',
      'a?c',
      '*.{conf,ini}',
      '[ab]*.x',
      '@(one|two).conf',
      '!(keep)*.tmp',
      'back\\slash',
      '**/deep/**/x.y',
      '.*',
      'node_modules/**',
      '*',
    ];
    const paths = [
      'licenses',
      'sub/licenses/a',
      'LICENSES/a',
      'x.lic',
      'x.LIC',
      'etc/ssl/a.pem',
      'etc/ssl/b/a.pem',
    ];
    paths.push('abc', 'a/abc', 'ac', 'f.conf', 'f.ini', 'f.txt', 'b1.x', 'c1.x', 'one.conf', 'three.conf');
    paths.push('k.tmp', 'keep.tmp', 'back\\slash', 'deep/x.y', 'a/deep/b/c/x.y', '.hidden', 'a/.hidden');
    paths.push(
      'node_modules',
      'node_modules/x',
      'caf\u00e9/l\u00e9.lic',
      'tab\there.lic',
      'new\nline/licenses',
    );
    for (const glob of globs) {
      const anchored = glob.startsWith('/');
      const body = anchored ? glob.slice(1) : glob;
      const forms = body.endsWith('/**') ? [body, body.slice(0, -3)] : [body];
      const res = forms.map((f) => picomatch.makeRe(anchored ? f : `**/${f}`, { dot: true }));
      const filter = compileFilter({ exclude: [glob] });
      for (const path of paths) {
        const excluded =
          res.some((re) => re.test(path)) || forms.some((f) => (anchored ? f : `**/${f}`) === path);
        // Folders are asked the same (a file below an excluded folder goes with it: not asked here).
        const parentKept =
          !path.includes('/') ||
          compileFilter({ exclude: [glob] })(path.slice(0, path.lastIndexOf('/')), true);
        if (!parentKept) continue;
        expect(filter(path, false), `${glob} on ${JSON.stringify(path)}`).toBe(!excluded);
      }
    }
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
