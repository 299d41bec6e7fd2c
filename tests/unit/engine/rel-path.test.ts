import { describe, expect, it } from 'vitest';
import { checkRelPath, linkLeavesRoot, uncarriableName } from '../../../src-main/engine/rel-path.js';

describe('checkRelPath', () => {
  it.each([
    'etc/app.conf',
    '.hidden/..double.dots/...',
    'with space/tab\there',
    // Names are carried byte for byte: a backslash is not a separator, NFD stays NFD.
    'back\\slash',
    'win\\style\\path',
    'cafe\u0301.conf',
    'caf\u00e9.conf',
    '日本/設定.ini',
    'new\nline',
    'carriage\rreturn',
    'quote\'s "dq"/-rf/*/[a]',
    'C:/not-a-drive-on-posix',
    'a\\..\\b',
  ])('accepts %j unchanged', (raw) => {
    expect(checkRelPath(raw)).toBe(raw);
  });

  it.each([
    ['', 'PATH_INVALID'],
    ['/etc/passwd', 'PATH_ESCAPE'],
    ['../up', 'PATH_ESCAPE'],
    ['a/../../b', 'PATH_ESCAPE'],
    ['..', 'PATH_ESCAPE'],
    ['a//b', 'PATH_INVALID'],
    ['a/', 'PATH_INVALID'],
    ['./a', 'PATH_INVALID'],
    ['a/.', 'PATH_INVALID'],
    ['.', 'PATH_INVALID'],
    ['nul\0byte', 'PATH_INVALID'],
  ])('refuses %j with %s', (raw, code) => {
    expect(() => checkRelPath(raw)).toThrow(expect.objectContaining({ code }));
  });

  it('names a name that is not UTF-8 (decoded into U+FFFD) as one it cannot carry', () => {
    expect(uncarriableName(Buffer.from([0x61, 0xff, 0x62]).toString('utf8'))).toMatch(/not valid UTF-8/);
    expect(uncarriableName('cafe\u0301')).toBeNull();
  });

  it('tells where a link leads out of the root, by its string alone', () => {
    expect(linkLeavesRoot('a/b/l', '../c')).toBeNull();
    expect(linkLeavesRoot('a/l', './x/../y')).toBeNull();
    expect(linkLeavesRoot('a/l', '../../x')).toMatch(/out of the root/);
    expect(linkLeavesRoot('l', '..')).toMatch(/out of the root/);
    expect(linkLeavesRoot('localtime', '/usr/share/zoneinfo/UTC')).toMatch(/absolute path/);
  });
});
