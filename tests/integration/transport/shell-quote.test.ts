import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { shq } from '../../../src-main/transport/shell-quote.js';

describe('shq through a real sh', () => {
  it('sh sees exactly the original argument', () => {
    for (const s of [
      'plain',
      "it's",
      'a b\tc',
      '$(echo pwned)',
      '`x`',
      '"q"',
      "'",
      "''",
      '-n',
      '\\n',
      'semi;colon',
      'new\nline',
      '',
    ]) {
      expect(execFileSync('sh', ['-c', `printf '%s' ${shq(s)}`]).toString()).toBe(s);
    }
  });
});
