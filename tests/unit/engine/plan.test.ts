import { describe, expect, it } from 'vitest';
import { plan, sameTime } from '../../../src-main/engine/plan.js';
import type { FileEntry, FileIndex, PlanOptions } from '../../../src-shared/model/sync.js';

const T = 1_700_000_000_000;
const f = (path: string, size: number, mtimeMs = T, extra: Partial<FileEntry> = {}): FileEntry => ({
  path,
  type: 'file',
  size,
  mtimeMs,
  mode: 0o644,
  ...extra,
});
const d = (path: string, mode = 0o755): FileEntry => ({ path, type: 'dir', size: 0, mtimeMs: T, mode });
const l = (path: string, linkTarget: string): FileEntry => ({
  path,
  type: 'symlink',
  size: 0,
  mtimeMs: T,
  mode: 0o777,
  linkTarget,
});
const idx = (root: string, entries: FileEntry[], exists = true): FileIndex => ({ root, exists, entries });
const mirror: PlanOptions = { mode: 'mirror', compare: 'time-size', toleranceMs: 2000 };
const update: PlanOptions = { mode: 'update', compare: 'time-size', toleranceMs: 2000 };

function actions(p: ReturnType<typeof plan>): Record<string, string> {
  return Object.fromEntries(p.entries.map((e) => [e.path, e.action]));
}

describe('plan', () => {
  it('mirror: creates, updates, deletes extras, keeps identical files', () => {
    const src = idx('/s', [f('new', 5), f('changed', 10), f('same', 3), f('older-src', 4, T - 60_000)]);
    const dst = idx('/d', [f('changed', 11), f('same', 3), f('extra', 7), f('older-src', 4)]);
    const p = plan(src, dst, mirror);
    expect(actions(p)).toEqual({
      new: 'create',
      changed: 'update',
      same: 'keep',
      extra: 'delete',
      'older-src': 'update',
    });
    expect(p.summary.counts).toEqual({
      create: 1,
      update: 2,
      delete: 1,
      keep: 1,
      'skip-newer-on-destination': 0,
    });
    expect(p.summary.bytesToCopy).toBe(5 + 10 + 4);
    expect(p.summary.bytesToDelete).toBe(7);
    expect(p.summary.bytesToBackUp).toBe(11 + 7 + 4);
    expect(p.entries.find((e) => e.path === 'changed')?.reason).toBe('size differs (11 → 10 bytes)');
    expect(p.entries.find((e) => e.path === 'extra')?.destination?.size).toBe(7);
  });

  it('update: copies only newer, leaves extras, skips what is newer on the destination', () => {
    const src = idx('/s', [
      f('new', 5),
      f('newer', 10, T + 10_000),
      f('stale', 4, T - 60_000),
      f('same-time', 9),
    ]);
    const dst = idx('/d', [f('newer', 11), f('stale', 4), f('extra', 7), f('same-time', 8)]);
    const p = plan(src, dst, update);
    expect(actions(p)).toEqual({
      new: 'create',
      newer: 'update',
      stale: 'skip-newer-on-destination',
      extra: 'keep',
      'same-time': 'keep',
    });
    expect(p.entries.find((e) => e.path === 'stale')?.reason).toBe('newer on the destination by 1 min');
    expect(p.entries.find((e) => e.path === 'newer')?.reason).toBe('newer on the source by 10 s');
    expect(p.entries.find((e) => e.path === 'same-time')?.reason).toMatch(/neither side is newer/);
  });

  it('time-size: mtimes within the tolerance are equal, beyond it they differ', () => {
    const dst = idx('/d', [f('a', 1)]);
    expect(actions(plan(idx('/s', [f('a', 1, T + 1999)]), dst, mirror)).a).toBe('keep');
    expect(actions(plan(idx('/s', [f('a', 1, T + 2001)]), dst, mirror)).a).toBe('update');
    expect(actions(plan(idx('/s', [f('a', 1, T + 500)]), dst, { ...mirror, toleranceMs: 0 })).a).toBe('keep');
    expect(actions(plan(idx('/s', [f('a', 1, T + 1500)]), dst, { ...mirror, toleranceMs: 0 })).a).toBe(
      'update',
    );
    expect(sameTime(T + 999, T, 0)).toBe(true);
    expect(sameTime(T + 1001, T + 1, 0)).toBe(false);
  });

  it('checksum: same hash is kept whatever the times, a different hash is updated', () => {
    const o: PlanOptions = { mode: 'mirror', compare: 'checksum', toleranceMs: 2000 };
    const src = idx('/s', [f('a', 1, T + 99_000, { hash: 'aa' }), f('b', 1, T, { hash: 'bb' })]);
    const dst = idx('/d', [f('a', 1, T, { hash: 'aa' }), f('b', 1, T, { hash: 'cc' })]);
    const p = plan(src, dst, o);
    expect(actions(p)).toEqual({ a: 'keep', b: 'update' });
    expect(p.entries[1]?.reason).toBe('content differs (checksum)');
    const u = plan(src, dst, { ...o, mode: 'update' });
    expect(actions(u)).toEqual({ a: 'keep', b: 'keep' });
    expect(() => plan(idx('/s', [f('a', 1)]), idx('/d', [f('a', 1)]), o)).toThrow(/hashes/);
  });

  it('permissions alone make an update; folders are created, deleted or kept', () => {
    const src = idx('/s', [d('dir'), d('newdir'), f('x', 1, T, { mode: 0o600 }), d('moded', 0o700)]);
    const dst = idx('/d', [d('dir'), d('gone'), f('x', 1), d('moded')]);
    const p = plan(src, dst, mirror);
    expect(actions(p)).toEqual({
      dir: 'keep',
      newdir: 'create',
      x: 'update',
      moded: 'update',
      gone: 'delete',
    });
    expect(p.entries.find((e) => e.path === 'x')?.reason).toBe('permissions differ (0644 → 0600)');
  });

  it('symlinks are compared by target and never followed', () => {
    const src = idx('/s', [l('same', 'a'), l('moved', 'b'), l('new', 'c/d')]);
    const dst = idx('/d', [l('same', 'a'), l('moved', 'a'), f('new', 3)]);
    const p = plan(src, dst, mirror);
    expect(actions(p)).toEqual({ same: 'keep', moved: 'update', new: 'update' });
    expect(p.entries.find((e) => e.path === 'new')?.reason).toBe('was a file, is a symlink on the source');
  });

  it('type changes: update does not replace a destination folder', () => {
    const p = plan(idx('/s', [f('x', 1, T + 10_000)]), idx('/d', [d('x')]), update);
    expect(actions(p).x).toBe('keep');
    expect(actions(plan(idx('/s', [f('x', 1)]), idx('/d', [d('x')]), mirror)).x).toBe('update');
  });

  it('rejects escaping, absolute and malformed paths in either index', () => {
    const ok = idx('/d', []);
    expect(() => plan(idx('/s', [f('../etc/passwd', 1)]), ok, mirror)).toThrow(/climbs out/);
    expect(() => plan(ok, idx('/d', [f('/etc/passwd', 1)]), mirror)).toThrow(/absolute/);
    expect(() => plan(idx('/s', [f('a/./b', 1)]), ok, mirror)).toThrow(/segment/);
    expect(() => plan(idx('/s', [f('a\nb', 1)]), ok, mirror)).toThrow(/newline/);
    expect(() => plan(idx('/s', [l('a/link', '../../x')]), ok, mirror)).toThrow(/escapes the root/);
    expect(() => plan(idx('/s', [l('link', '/etc')]), ok, mirror)).toThrow(/absolute/);
    expect(() => plan(idx('/s', [l('a/link', '../x')]), ok, mirror)).not.toThrow();
    expect(() => plan(idx('/s', [f('a', 1), f('a', 2)]), ok, mirror)).toThrow(/twice/);
  });

  it('is serialisable and records a missing source', () => {
    const p = plan(idx('/s', [], false), idx('/d', [f('a', 1)]), mirror);
    expect(JSON.parse(JSON.stringify(p))).toEqual(p);
    expect(p.sourceExists).toBe(false);
    expect(p.summary.destinationFiles).toBe(1);
  });
});
