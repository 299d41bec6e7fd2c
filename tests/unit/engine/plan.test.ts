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
      skip: 0,
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
      // rsync --update copies a file of the same mtime that differs (here by its size).
      'same-time': 'update',
    });
    expect(p.entries.find((e) => e.path === 'stale')?.reason).toBe('newer on the destination by 1 min');
    expect(p.entries.find((e) => e.path === 'newer')?.reason).toBe('newer on the source by 10 s');
    expect(p.entries.find((e) => e.path === 'same-time')?.reason).toBe(
      'size differs (8 → 9 bytes), same modified time (update copies it, as rsync --update)',
    );
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
    // Update: the same time with other content is copied (rsync --update).
    const u = plan(src, dst, { ...o, mode: 'update' });
    expect(actions(u)).toEqual({ a: 'keep', b: 'update' });
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

  it('rejects escaping, absolute and malformed paths in either index; names and links are kept as they are', () => {
    const ok = idx('/d', []);
    expect(() => plan(idx('/s', [f('../etc/passwd', 1)]), ok, mirror)).toThrow(/climbs out/);
    expect(() => plan(ok, idx('/d', [f('/etc/passwd', 1)]), mirror)).toThrow(/absolute/);
    expect(() => plan(idx('/s', [f('a/./b', 1)]), ok, mirror)).toThrow(/segment/);
    const odd = plan(
      idx('/s', [
        f('a\nb', 1),
        f('back\\slash', 1),
        l('a/link', '../../x'),
        l('localtime', '/usr/share/zoneinfo/UTC'),
      ]),
      ok,
      mirror,
    );
    expect(odd.entries.map((e) => [e.path, e.action])).toEqual([
      ['a\nb', 'create'],
      ['a/link', 'create'],
      ['back\\slash', 'create'],
      ['localtime', 'create'],
    ]);
    expect(() => plan(idx('/s', [f('a', 1), f('a', 2)]), ok, mirror)).toThrow(/twice/);
  });

  it('is serialisable and records a missing source', () => {
    const p = plan(idx('/s', [], false), idx('/d', [f('a', 1)]), mirror);
    expect(JSON.parse(JSON.stringify(p))).toEqual(p);
    expect(p.sourceExists).toBe(false);
    expect(p.summary.destinationFiles).toBe(1);
  });
});

describe('plan: a bad entry is one entry, owners are part of the copy', () => {
  const owned = (path: string, user: string, uid: number, extra: Partial<FileEntry> = {}): FileEntry =>
    f(path, 1, T, { uid, gid: uid, user, group: user, ...extra });

  it('lists what a side cannot carry as skipped, with its reason, and touches nothing at or below it', () => {
    const src: FileIndex = {
      ...idx('/s', [f('ok', 1), d('bad\uFFFDdir')]),
      problems: [
        { path: 'fifo', reason: 'a FIFO (named pipe): only files, folders and symlinks are copied' },
        { path: 'bad\uFFFDdir', reason: 'its name is not valid UTF-8' },
      ],
    };
    const dst: FileIndex = {
      ...idx('/d', [f('fifo', 3), f('bad\uFFFDdir/x', 1)]),
      problems: [{ path: 'sock', reason: 'a socket: only files, folders and symlinks are copied' }],
    };
    const p = plan(src, dst, mirror);
    expect(actions(p)).toEqual({
      'bad\uFFFDdir': 'skip',
      'bad\uFFFDdir/x': 'skip',
      fifo: 'skip',
      ok: 'create',
      sock: 'skip',
    });
    expect(p.entries.find((e) => e.path === 'fifo')?.reason).toBe(
      'on the source: a FIFO (named pipe): only files, folders and symlinks are copied',
    );
    expect(p.entries.find((e) => e.path === 'sock')?.reason).toMatch(/^on the destination: a socket/);
    expect(p.summary.counts.skip).toBe(4);
    expect(p.summary.counts.delete).toBe(0);
  });

  it('skips links that leave the root when the set says so, listing each', () => {
    const src = idx('/s', [l('in', 'a'), l('abs', '/etc/x'), l('sub/up', '../../x')]);
    const p = plan(src, idx('/d', []), { ...mirror, skipEscapingLinks: true });
    expect(actions(p)).toEqual({ abs: 'skip', in: 'create', 'sub/up': 'skip' });
    expect(p.entries.find((e) => e.path === 'abs')?.reason).toBe(
      'a symlink that points to the absolute path /etc/x (the set skips such links)',
    );
  });

  it('an owner or group change alone is an update, by name unless numeric; not settable, it is one note', () => {
    const src = { ...idx('/s', [owned('a', 'postgres', 105), owned('b', 'www', 33), owned('c', 'x', 7)]) };
    const dst = {
      ...idx('/d', [
        owned('a', 'root', 0),
        owned('b', 'www', 48),
        owned('c', 'x', 7, { group: 'y', gid: 8 }),
      ]),
      canSetOwners: true,
    };
    const byName = plan(src, dst, mirror);
    expect(actions(byName)).toEqual({ a: 'update', b: 'keep', c: 'update' });
    expect(byName.entries[0]?.reason).toBe(
      'owner differs (root → postgres), group differs (root → postgres)',
    );
    expect(byName.entries[2]?.reason).toBe('group differs (y → x)');
    expect(actions(plan(src, dst, { ...mirror, owners: 'numeric' })).b).toBe('update');
    expect(actions(plan(src, dst, { ...mirror, owners: 'ignore' }))).toEqual({
      a: 'keep',
      b: 'keep',
      c: 'keep',
    });
    const cannot = plan(src, { ...dst, canSetOwners: false }, mirror);
    expect(actions(cannot)).toEqual({ a: 'keep', b: 'keep', c: 'keep' });
    expect(cannot.notes).toEqual([
      'Owners and groups cannot be set on this destination (it is reached without root or sudo): what is copied belongs to the login user there, and 2 path(s) whose owner or group differs are left as they are.',
    ]);
  });

  it('folders: a modified time alone is an update; nanoseconds count when both sides keep them', () => {
    const dir = (path: string, mtimeMs: number): FileEntry => ({ ...d(path), mtimeMs });
    const p = plan(idx('/s', [dir('x', T + 5000), dir('y', T)]), idx('/d', [dir('x', T), dir('y', T)]), {
      ...mirror,
      toleranceMs: 0,
    });
    expect(actions(p)).toEqual({ x: 'update', y: 'keep' });
    const exact = { ...mirror, toleranceMs: 0 };
    const ns = (nsec: number) => f('a', 1, T + 123, { nsec: 123_000_000 + nsec });
    expect(actions(plan(idx('/s', [ns(1)]), idx('/d', [ns(2)]), exact)).a).toBe('update');
    expect(actions(plan(idx('/s', [ns(1)]), idx('/d', [ns(1)]), exact)).a).toBe('keep');
  });

  it('hard links: a group not linked on the destination as on the source is updated whole', () => {
    const src = idx('/s', [f('a', 1, T, { linkId: '1:9' }), f('b', 1, T, { linkId: '1:9' }), f('c', 1)]);
    const apart = idx('/d', [f('a', 1, T, { linkId: '2:1' }), f('b', 1, T, { linkId: '2:2' }), f('c', 1)]);
    const linked = idx('/d', [f('a', 1, T, { linkId: '2:1' }), f('b', 1, T, { linkId: '2:1' }), f('c', 1)]);
    expect(actions(plan(src, apart, mirror))).toEqual({ a: 'update', b: 'update', c: 'keep' });
    expect(actions(plan(src, linked, mirror))).toEqual({ a: 'keep', b: 'keep', c: 'keep' });
  });
});

describe('plan: owners seen by id only on one side', () => {
  it('compares by id when a side lists no names (an SFTP listing)', () => {
    const s = f('a', 1, T, { uid: 0, gid: 0, user: 'root', group: 'root' });
    const same = f('a', 1, T, { uid: 0, gid: 0 });
    const other = f('a', 1, T, { uid: 33, gid: 0 });
    const dst = (e: FileEntry): FileIndex => ({ ...idx('/d', [e]), canSetOwners: true });
    expect(actions(plan(idx('/s', [s]), dst(same), mirror)).a).toBe('keep');
    expect(actions(plan(idx('/s', [s]), dst(other), mirror)).a).toBe('update');
  });
});
