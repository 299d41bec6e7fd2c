import { describe, expect, it } from 'vitest';
import { checkRelPath } from '../../../src-main/engine/rel-path.js';

describe('checkRelPath', () => {
  it.each([
    ['etc/app.conf', 'etc/app.conf'],
    ['.hidden/..double.dots/...', '.hidden/..double.dots/...'],
    ['with space/tab\there', 'with space/tab\there'],
    ['win\\style\\path', 'win/style/path'],
    ['cafe\u0301.conf', 'caf\u00e9.conf'], // NFD in, NFC out
    ['日本/設定.ini', '日本/設定.ini'],
  ])('accepts %j as %j', (raw, want) => {
    expect(checkRelPath(raw)).toBe(want);
  });

  it.each([
    ['', 'PATH_INVALID'],
    ['/etc/passwd', 'PATH_ESCAPE'],
    ['C:/Windows', 'PATH_ESCAPE'],
    ['c:relative', 'PATH_ESCAPE'],
    ['../up', 'PATH_ESCAPE'],
    ['a/../../b', 'PATH_ESCAPE'],
    ['a\\..\\b', 'PATH_ESCAPE'],
    ['..', 'PATH_ESCAPE'],
    ['a//b', 'PATH_INVALID'],
    ['a/', 'PATH_INVALID'],
    ['./a', 'PATH_INVALID'],
    ['a/.', 'PATH_INVALID'],
    ['.', 'PATH_INVALID'],
    ['new\nline', 'PATH_INVALID'],
    ['carriage\rreturn', 'PATH_INVALID'],
    ['nul\0byte', 'PATH_INVALID'],
  ])('refuses %j with %s', (raw, code) => {
    expect(() => checkRelPath(raw)).toThrow(expect.objectContaining({ code }));
  });
});
