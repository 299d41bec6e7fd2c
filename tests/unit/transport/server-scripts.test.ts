import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ExactTime } from '../../../src-main/transport/endpoint.js';
import {
  exactTimesScript,
  mtimeNs,
  parseRenames,
  PYTHONS,
  renameManyScript,
} from '../../../src-main/transport/attr-script.js';

/** Runs a script as the endpoints do (`/bin/sh -s`, the script on stdin). */
function runScript(script: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync('/bin/sh', ['-s'], { input: script });
  return { code: r.status ?? -1, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

const python = PYTHONS.find((p) => existsSync(p));
const root = process.getuid?.() === 0;

describe('exactTimesScript: many mtimes set exactly, by one Python process or a touch each', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'exact-times-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('mtimeNs is the time touchTime names, in nanoseconds (before 1970 too)', () => {
    expect(mtimeNs(1_772_323_200_123, 123_456_789)).toBe('1772323200123456789');
    expect(mtimeNs(1500)).toBe('1500000000');
    expect(mtimeNs(-1750)).toBe('-1750000000');
    expect(mtimeNs(-1750, 250_000_000)).toBe('-1750000000');
    expect(mtimeNs(-2000, 1)).toBe('-1999999999');
  });

  /** A tree of odd names, folders, a link and a missing path, with the times to set on each. */
  async function fixture(): Promise<{ times: ExactTime[]; expected: Map<string, bigint>; missing: number }> {
    const names = ['plain', 'with space', "it's", 'tab\there', 'nl\nhere', 'ünï cødé', '-dash', '$(x)'];
    const times: ExactTime[] = [];
    const expected = new Map<string, bigint>();
    let k = 0;
    for (const n of names) {
      const p = join(dir, n);
      await mkdir(p);
      await writeFile(join(p, 'f'), n);
      for (const q of [p, join(p, 'f')]) {
        const sec = 1_700_000_000 + 1000 * k;
        const nsec = (k * 123_456_789) % 1_000_000_000;
        times.push({ path: q, mtimeMs: sec * 1000 + Math.floor(nsec / 1e6), nsec });
        expected.set(q, BigInt(sec) * 1_000_000_000n + BigInt(nsec));
        k++;
      }
    }
    // Before 1970, and a link's own time (its target keeps its own).
    times.push({ path: join(dir, 'plain'), mtimeMs: -1750, nsec: 250_000_000 });
    expected.set(join(dir, 'plain'), -1_750_000_000n);
    await symlink('plain/f', join(dir, 'link'));
    times.push({
      path: join(dir, 'link'),
      mtimeMs: 1_600_000_000_000,
      nsec: 7,
      ...(root ? { linkOwner: { uid: 1, gid: 1 } } : {}),
    });
    expected.set(join(dir, 'link'), 1_600_000_000_000_000_007n);
    const missing = times.length;
    times.push({ path: join(dir, 'gone'), mtimeMs: 1000 });
    return { times, expected, missing };
  }

  async function check(script: string, missing: number, expected: Map<string, bigint>) {
    const r = runScript(script);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').filter(Boolean).map(Number)).toContain(missing);
    expect(new Set(r.stdout.split('\n').filter(Boolean))).toEqual(new Set([String(missing)]));
    for (const [p, ns] of expected) expect((await lstat(p, { bigint: true })).mtimeNs, p).toBe(ns);
    const link = await lstat(join(dir, 'link'));
    if (root) expect([link.uid, link.gid]).toEqual([1, 1]);
  }

  it.runIf(python)('with a system Python: one process sets them all, to the nanosecond', async () => {
    const { times, expected, missing } = await fixture();
    const script = exactTimesScript(times);
    expect(script).toContain('CONFIGSYNC_TIMES_END');
    // The Python branch alone (no touch runs): its lines are the input, not commands.
    const pyOnly = script.slice(0, script.indexOf('\nelse\n')) + '\nfi\n';
    await check(pyOnly, missing, expected);
  });

  it('without Python, or when it fails to start, a touch per path sets the same times', async () => {
    for (const pythons of [[], [join(dir, 'no-python')], ['/bin/false']]) {
      const { times, expected, missing } = await fixture();
      await check(exactTimesScript(times, pythons), missing, expected);
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir);
    }
  });

  it('a few times are a touch each (no Python started)', () => {
    const script = exactTimesScript([{ path: '/x', mtimeMs: 1000 }]);
    expect(script).not.toContain('CONFIGSYNC_TIMES_END');
    expect(script).toContain("touch -h -m -d @1.000000000 -- '/x'");
  });

  it.runIf(python)('a Python that stops half-way is followed by the touch lines for all', async () => {
    const { times, expected, missing } = await fixture();
    // A "Python" that runs the real one on the first half of its input only, then fails.
    const fake = join(dir, '..', `half-python-${process.pid}`);
    await writeFile(fake, `#!/bin/sh\nhead -n 3 | ${python} "$@"\nexit 1\n`, { mode: 0o755 });
    try {
      await check(exactTimesScript(times, [fake]), missing, expected);
    } finally {
      await rm(fake, { force: true });
    }
  });
});

describe('renameManyScript: many renames in one Python process, each atomic', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rename-many-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.runIf(python)(
    'renames over existing files and to new names, odd names too; a missing source is its own error',
    async () => {
      const names = ['plain', 'with space', "it's", 'nl\nhere', 'ünï', '-x', '$(y)'];
      const pairs: Array<{ from: string; to: string }> = [];
      const before = new Map<string, bigint>();
      for (const [i, n] of names.entries()) {
        await writeFile(join(dir, `staged ${n}`), `new ${n}`);
        if (i % 2 === 0) {
          await writeFile(join(dir, n), `old ${n}`);
          before.set(n, (await lstat(join(dir, n), { bigint: true })).ino);
        }
        pairs.push({ from: join(dir, `staged ${n}`), to: join(dir, n) });
      }
      pairs.splice(3, 0, { from: join(dir, 'not there'), to: join(dir, 'target') });
      const r = runScript(renameManyScript(pairs));
      expect(r.code).toBe(0);
      const outcomes = parseRenames(r.stdout, pairs.length);
      expect(outcomes[3]).toMatch(/No such file/);
      expect(outcomes.filter((o) => o === null)).toHaveLength(names.length);
      for (const n of names) {
        expect(await readFile(join(dir, n), 'utf8')).toBe(`new ${n}`);
        // A new inode in place (the staged file's), never the old one written over.
        if (before.has(n)) expect((await lstat(join(dir, n), { bigint: true })).ino).not.toBe(before.get(n));
      }
      expect(existsSync(join(dir, 'target'))).toBe(false);
    },
  );

  it('without a system Python the script exits 97 and renames nothing', async () => {
    await writeFile(join(dir, 'a'), 'a');
    const r = runScript(
      renameManyScript([{ from: join(dir, 'a'), to: join(dir, 'b') }], [join(dir, 'none')]),
    );
    expect(r.code).toBe(97);
    expect(existsSync(join(dir, 'a'))).toBe(true);
  });

  it('parseRenames: a pair the output says nothing of is unknown, not done', () => {
    expect(parseRenames('0\n1 Permission denied\n3\n', 5)).toEqual([
      null,
      'Permission denied',
      undefined,
      null,
      undefined,
    ]);
    expect(parseRenames('7\nTraceback (most recent call last):\n', 2)).toEqual([undefined, undefined]);
  });
});
