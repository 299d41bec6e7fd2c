import { describe, expect, it } from 'vitest';
import {
  errorCodeList,
  errorTable,
  exitCodeHelp,
  exitCodeOf,
  exitCodes,
  isErrorCode,
  type ErrorCode,
} from '../../../src-shared/errors.js';
import { errorCode } from '../../../src-shared/contract/envelope.js';
import { runCli } from '../../../src-main/cli/main.js';

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('the error table', () => {
  it('gives the agreed exit codes', () => {
    expect(exitCodes).toEqual({
      ok: 0,
      error: 1,
      usage: 2,
      partial: 3,
      refused: 4,
      unreachable: 5,
      hostKey: 6,
      interrupted: 7,
      locked: 8,
      badEntry: 9,
      drift: 10,
    });
    const expected: Array<[ErrorCode, number]> = [
      ['BAD_PARAMS', 2],
      ['UNKNOWN_METHOD', 2],
      ['GUARD_MASS_DELETE', 4],
      ['GUARD_SOURCE_EMPTY', 4],
      ['TIMEOUT', 5],
      ['REFUSED', 5],
      ['AUTH_FAILED', 5],
      ['HOST_KEY_CHANGED', 6],
      ['HOST_KEY_UNKNOWN', 6],
      ['INTERRUPTED_RUN', 7],
      ['DESTINATION_LOCKED', 8],
      ['BAD_ENTRY', 9],
      ['INTERNAL', 1],
    ];
    for (const [code, exit] of expected) expect([code, exitCodeOf(code)]).toEqual([code, exit]);
  });

  it('holds every code once, in UPPER_SNAKE, with words and a known exit code', () => {
    const exits = new Set<number>(Object.values(exitCodes));
    expect(new Set(errorCodeList).size).toBe(errorCodeList.length);
    for (const code of errorCodeList) {
      expect(code).toMatch(/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/);
      expect(errorTable[code].words.length).toBeGreaterThan(5);
      expect(exits.has(exitCodeOf(code))).toBe(true);
    }
  });

  it('treats a code it does not know as a plain error and the wire schema refuses it', () => {
    expect(isErrorCode('NOT_A_CODE')).toBe(false);
    expect(isErrorCode('toString')).toBe(false);
    expect(exitCodeOf('NOT_A_CODE')).toBe(1);
    expect(errorCode.safeParse('NOT_A_CODE').success).toBe(false);
    expect(errorCode.safeParse('PLAN_STALE').success).toBe(true);
  });
});

describe('configsync --help', () => {
  it('prints every exit code from the table', async () => {
    const help = await cli('--help');
    expect(help.code).toBe(0);
    expect(help.out).toContain(exitCodeHelp());
    for (const n of Object.values(exitCodes)) expect(help.out).toMatch(new RegExp(`^\\s+${n}\\s+\\S`, 'm'));
  });

  it("prints a command's exit codes with the table's numbers", async () => {
    const sync = await cli('sync', '--help');
    expect(sync.code).toBe(0);
    expect(sync.out).toMatch(/Exit: 0 applied everywhere, 2 no --yes and no terminal, 3 partial, 4 refused/);
    const plan = await cli('plan', '--help');
    expect(plan.out).toMatch(
      /10 something differs.*7 a destination holds an interrupted run.*8 a destination is locked/s,
    );
  });

  it('answers a bad command line with exit 2', async () => {
    expect((await cli('no-such-command')).code).toBe(2);
    expect((await cli()).code).toBe(2);
  });
});
