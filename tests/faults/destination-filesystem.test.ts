import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { statfsSync, writeFileSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { LocalEndpoint } from '../../src-main/transport/local-endpoint.js';
import type { SshConnection } from '../../src-main/transport/ssh-connection.js';
import { SshEndpoint } from '../../src-main/transport/ssh-endpoint.js';
import { connect, makeTree, type Spec } from '../integration/engine/tree.js';
import { startSshd, type SshdServer } from '../support/sshd.js';
import { makeTempDir } from '../support/temp.js';
import {
  bindReadOnly,
  mountTmpfs,
  mountUnavailable,
  setImmutable,
  type TestMount,
} from '../support/tmpfs.js';
import { planAndApply, rejection, settle } from './engine-run.js';
import { expectNothingLost, fence, leftovers, snapshot } from './nothing-lost.js';

const OLD = 1_600_000_000_000;
const NEW = 1_700_000_000_000;

describe('destination filesystem faults (tmpfs, immutable file, read-only bind) over real sshd', () => {
  let s: SshdServer;
  let conn: SshConnection;
  let tmp: { dir: string; cleanup: () => Promise<void> };
  let noMount: string | null = null;
  const mounts: TestMount[] = [];
  const immutable: string[] = [];
  let n = 0;
  beforeAll(async () => {
    s = await startSshd();
    conn = await connect(s);
    tmp = await makeTempDir();
    noMount = await mountUnavailable(join(tmp.dir, 'probe'));
  });
  afterEach(async () => {
    for (const p of immutable.splice(0)) await setImmutable(p, false).catch(() => undefined);
    for (const m of mounts.splice(0).reverse()) await m.unmount();
  });
  afterAll(async () => {
    conn?.close();
    await s?.stop();
    await tmp?.cleanup();
  });

  /** A source tree, a destination root (under the sshd's data root) and a state folder off the root. */
  async function setup(source: Spec, dest: Spec, mount?: { size: string; inodes?: number }) {
    n++;
    const src = join(tmp.dir, `src${n}`);
    const area = join(s.dataRoot, `area${n}`);
    if (mount) mounts.push(await mountTmpfs(area, mount));
    const dst = join(area, 'conf');
    await makeTree(src, source);
    await makeTree(dst, dest);
    const around = await fence(area, (p) => p === 'conf' || p === 'filler');
    return {
      src,
      dst,
      area,
      stateDir: join(s.baseDir, `state${n}`),
      before: await snapshot(dst),
      source: await snapshot(src),
      around,
    };
  }

  for (const bulk of [true, false]) {
    const how = bulk ? 'tar fast path' : 'per-file SFTP';
    it(`disk full before the run (${how}): refused as NO_SPACE, nothing changed`, async (ctx) => {
      if (noMount) ctx.skip(noMount);
      const c = await setup(
        {
          'app.conf': { content: 'new', mtimeMs: NEW },
          'big.bin': { content: Buffer.alloc(3_000_000, 7), mtimeMs: NEW },
        },
        { 'app.conf': { content: 'old', mtimeMs: OLD } },
        { size: '2m' },
      );
      const ssh = new SshEndpoint(conn, { fastPath: bulk });
      const err = await rejection(
        planAndApply(new LocalEndpoint(), c.src, ssh, c.dst, { stateDir: c.stateDir, bulk }),
      );
      expect(err.code).toBe('NO_SPACE');
      expect(err.message).toMatch(/bytes free .* Nothing was changed/);
      await expectNothingLost({ ...c, outside: [c.around] });
      expect(await snapshot(c.dst)).toEqual(c.before);
      expect(await leftovers(c.dst)).toEqual([]);
    });

    it(`disk filling up during the transfer (${how}): failed, reported as a full disk, old files intact, no temp files`, async (ctx) => {
      if (noMount) ctx.skip(noMount);
      const c = await setup(
        {
          'app.conf': { content: 'new app', mtimeMs: NEW },
          'data/big.bin': { content: Buffer.alloc(1_500_000, 7), mtimeMs: NEW },
          'z.conf': { content: 'new z', mtimeMs: NEW },
        },
        {
          'app.conf': { content: 'old app', mtimeMs: OLD },
          'z.conf': { content: 'old z', mtimeMs: OLD },
          'extra.txt': 'x',
        },
        { size: '4m' },
      );
      const ssh = new SshEndpoint(conn, { fastPath: bulk });
      let filled = false;
      const report = await planAndApply(new LocalEndpoint(), c.src, ssh, c.dst, {
        stateDir: c.stateDir,
        bulk,
        onProgress: (p) => {
          if (p.phase !== 'transferring' || filled) return;
          filled = true;
          // Another process takes the rest of the disk right after the free-space check.
          const st = statfsSync(c.area);
          writeFileSync(join(c.area, 'filler'), Buffer.alloc(Number(st.bavail) * Number(st.bsize)));
        },
      });
      expect(filled).toBe(true);
      expect(report.status).toBe('failed');
      expect(report.message).toMatch(/no space left|full/i);
      expect(report.applied).toEqual([]);
      await expectNothingLost({ ...c, backupDirs: [report.backupDir], outside: [c.around] });
      expect(await snapshot(c.dst)).toEqual(c.before);
      expect(await leftovers(c.dst)).toEqual([]);
      await fs.rm(join(c.area, 'filler'));
      const again = await planAndApply(new LocalEndpoint(), c.src, ssh, c.dst, {
        stateDir: c.stateDir,
        bulk,
      });
      expect(again.status).toBe('completed');
      expect(await snapshot(c.dst)).toEqual(c.source);
    });

    it(`out of inodes (${how}): failed, reported as out of inodes, old files intact, no temp files`, async (ctx) => {
      if (noMount) ctx.skip(noMount);
      const source: Spec = {};
      for (let i = 0; i < 80; i++) source[`d${i % 4}/f${i}.conf`] = { content: `v${i}`, mtimeMs: NEW };
      source['app.conf'] = { content: 'new app', mtimeMs: NEW };
      const c = await setup(
        source,
        { 'app.conf': { content: 'old app', mtimeMs: OLD } },
        { size: '8m', inodes: 48 },
      );
      const ssh = new SshEndpoint(conn, { fastPath: bulk });
      const report = await settle(
        planAndApply(new LocalEndpoint(), c.src, ssh, c.dst, { stateDir: c.stateDir, bulk }),
      );
      expect(report.status).toBe('failed');
      expect(report.message).toMatch(/inode/i);
      await expectNothingLost({ ...c, backupDirs: [report.backupDir], outside: [c.around] });
      expect(await snapshot(c.dst)).toEqual(c.before);
      expect(await leftovers(c.dst)).toEqual([]);
    });
  }

  it('one file that cannot be written (immutable): the others apply, the run is partial, deletions are skipped', async () => {
    const c = await setup(
      {
        'a.conf': { content: 'new a', mtimeMs: NEW },
        'locked.conf': { content: 'new locked', mtimeMs: NEW },
        'z/z.conf': { content: 'new z', mtimeMs: NEW },
      },
      {
        'a.conf': { content: 'old a', mtimeMs: OLD },
        'locked.conf': { content: 'old locked', mtimeMs: OLD },
        'z/z.conf': { content: 'old z', mtimeMs: OLD },
        'extra.txt': 'to delete',
      },
    );
    await setImmutable(join(c.dst, 'locked.conf'), true);
    immutable.push(join(c.dst, 'locked.conf'));
    const before = await snapshot(c.dst);
    const report = await planAndApply(
      new LocalEndpoint(),
      c.src,
      new SshEndpoint(conn, { fastPath: true }),
      c.dst,
      {
        stateDir: c.stateDir,
      },
    );
    expect(report.status).toBe('completed-with-errors');
    expect(report.errors.map((e) => e.path)).toContain('locked.conf');
    expect(report.applied).toEqual(expect.arrayContaining(['a.conf', 'z/z.conf']));
    expect(report.notApplied).toEqual(expect.arrayContaining(['locked.conf', 'extra.txt']));
    const after = await expectNothingLost({
      ...c,
      before,
      backupDirs: [report.backupDir],
      outside: [c.around],
    });
    expect(after['locked.conf']).toBe(before['locked.conf']);
    expect(after['a.conf']).toBe(c.source['a.conf']);
    expect(after['extra.txt']).toBe(before['extra.txt']);
    expect(await leftovers(c.dst)).toEqual([]);
  });

  for (const bulk of [true, false])
    it(`read-only destination (${bulk ? 'tar fast path' : 'per-file SFTP'}): zero changes, a clear error`, async (ctx) => {
      if (noMount) ctx.skip(noMount);
      const c = await setup(
        { 'a.conf': { content: 'new a', mtimeMs: NEW }, 'b.conf': { content: 'b', mtimeMs: NEW } },
        { 'a.conf': { content: 'old a', mtimeMs: OLD }, 'extra.txt': 'x' },
      );
      mounts.push(await bindReadOnly(c.dst));
      const report = await settle(
        planAndApply(new LocalEndpoint(), c.src, new SshEndpoint(conn, { fastPath: bulk }), c.dst, {
          stateDir: c.stateDir,
          bulk,
        }),
      );
      expect(report.status).toBe('failed');
      expect(report.message).toMatch(/read-only/i);
      expect(report.applied).toEqual([]);
      await expectNothingLost({ ...c, outside: [c.around] });
      expect(await snapshot(c.dst, () => false)).toEqual(c.before);
    });
});
