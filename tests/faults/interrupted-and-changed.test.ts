import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSync, writeSync, closeSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { apply } from '../../src-main/engine/apply.js';
import { journalPath } from '../../src-main/engine/journal.js';
import { recover } from '../../src-main/engine/recover.js';
import { rootStateDir } from '../../src-main/engine/state-dir.js';
import { LocalEndpoint } from '../../src-main/transport/local-endpoint.js';
import type { SshConnection } from '../../src-main/transport/ssh-connection.js';
import { SshEndpoint } from '../../src-main/transport/ssh-endpoint.js';
import { connect, makeTree, type Spec } from '../integration/engine/tree.js';
import { startSshd, type SshdServer } from '../support/sshd.js';
import { makeTempDir } from '../support/temp.js';
import { planAndApply, planBetween, settle } from './engine-run.js';
import { expectNothingLost, fence, leftovers, snapshot } from './nothing-lost.js';
import { killConnections } from './sshd-children.js';

const OLD = 1_600_000_000_000;
const NEW = 1_700_000_000_000;

describe('interrupted runs, and sources or destinations that change under a run', () => {
  let s: SshdServer;
  let tmp: { dir: string; cleanup: () => Promise<void> };
  const conns: SshConnection[] = [];
  let n = 0;
  beforeAll(async () => {
    s = await startSshd();
    tmp = await makeTempDir();
  });
  afterAll(async () => {
    for (const c of conns) c.close();
    await s?.stop();
    await tmp?.cleanup();
  });
  const ssh = async (fastPath = true) => {
    const c = await connect(s);
    conns.push(c);
    return new SshEndpoint(c, { fastPath });
  };
  async function setup(source: Spec, dest: Spec) {
    n++;
    const src = join(tmp.dir, `src${n}`);
    const area = join(s.dataRoot, `area${n}`);
    const dst = join(area, 'conf');
    await makeTree(src, source);
    await makeTree(dst, dest);
    return {
      src,
      dst,
      area,
      stateDir: join(s.baseDir, `state${n}`),
      before: await snapshot(dst),
      source: await snapshot(src),
    };
  }

  it('a run cut at 60 % of its renames: its report names the 12 paths in place and says to recover; a run again is refused and changes nothing; recover completes it', async () => {
    const source: Spec = {};
    const dest: Spec = { 'extra.txt': 'extra' };
    for (let i = 0; i < 20; i++) {
      source[`f${String(i).padStart(2, '0')}.conf`] = { content: `new ${i}`, mtimeMs: NEW };
      dest[`f${String(i).padStart(2, '0')}.conf`] = { content: `old ${i}`, mtimeMs: OLD };
    }
    const c = await setup(source, dest);
    const around = await fence(c.area, (p) => p === 'conf');
    const first = await ssh();
    let renames = 0;
    const rename = first.rename.bind(first);
    first.rename = async (from: string, to: string) => {
      await rename(from, to);
      // The connection drops right after 60 % of the files are in place.
      if (from.includes('/.configsync-staging-') && ++renames === 12) await killConnections(s.pid);
    };
    const cut = await settle(
      planAndApply(new LocalEndpoint(), c.src, first, c.dst, { stateDir: c.stateDir }),
    );
    expect(cut.status).toBe('failed');
    expect(cut.message).toMatch(/connection .*(lost|closed)/i);
    expect(cut.message).toMatch(/at least 12 of 21 change\(s\) reached .* run recover/);
    const mid = await snapshot(c.dst);
    const inPlace = Object.keys(mid).filter((p) => mid[p] === c.source[p] && mid[p] !== c.before[p]);
    expect(inPlace).toHaveLength(12);
    expect([...cut.applied].sort()).toEqual(inPlace.sort());
    const rootState = rootStateDir(c.stateDir, c.dst);
    const [runId1] = (await fs.readdir(join(rootState, 'journal')))
      .filter((x) => x.endsWith('.json'))
      .map((x) => x.replace(/\.json$/, ''));
    const backup1 = join(rootState, 'backups/main', runId1 ?? '');
    await expectNothingLost({ ...c, backupDirs: [backup1], outside: [around] });

    // Run again (no recover first, as a user would): refused, the half-way tree is left as it is.
    const again = await settle(
      planAndApply(new LocalEndpoint(), c.src, await ssh(), c.dst, { stateDir: c.stateDir }),
    );
    expect(again).toMatchObject({ status: 'failed', code: 'INTERRUPTED_RUN' });
    expect(again.message).toContain(runId1);
    expect(await snapshot(c.dst)).toEqual(mid);

    // Recover completes it (the lock this process's lost run left needs no confirmation).
    const r = await recover(await ssh(), journalPath(rootState, runId1 ?? ''));
    expect(r).toMatchObject({ outcome: 'completed', errors: [] });
    expect(await snapshot(c.dst)).toEqual(c.source);
    await expectNothingLost({ ...c, backupDirs: [backup1], outside: [around] });
    expect(await leftovers(c.dst)).toEqual([]);
    const next = await planAndApply(new LocalEndpoint(), c.src, await ssh(), c.dst, { stateDir: c.stateDir });
    expect(next.status).toBe('completed');
  });

  for (const bulk of [true, false])
    it(`a source file rewritten while it is uploaded (${bulk ? 'tar fast path' : 'per-file'}): detected, nothing changed, never a torn mix`, async () => {
      const size = 2_000_000;
      const c = await setup(
        {
          'big.bin': { content: Buffer.alloc(size, 0x41), mtimeMs: NEW },
          'a.conf': { content: 'new', mtimeMs: NEW },
        },
        { 'big.bin': { content: 'old', mtimeMs: OLD }, 'a.conf': { content: 'old', mtimeMs: OLD } },
      );
      const local = new LocalEndpoint();
      const dest = await ssh(bulk);
      const p = await planBetween(local, c.src, dest, c.dst);
      // An editor rewrites the second half in place (same size) right after the upload has started.
      const rewrite = () => {
        const fd = openSync(join(c.src, 'big.bin'), 'r+');
        writeSync(fd, Buffer.alloc(size / 2, 0x42), 0, size / 2, size / 2);
        closeSync(fd);
      };
      if (bulk) {
        const tarCreate = local.tarCreate.bind(local);
        local.tarCreate = async (root, paths) => {
          const r = await tarCreate(root, paths);
          r.stream.once('data', rewrite);
          return r;
        };
      } else {
        const readStream = local.readStream.bind(local);
        local.readStream = async (path: string): Promise<Readable> => {
          const r = await readStream(path);
          if (path.endsWith('big.bin')) r.once('data', rewrite);
          return r;
        };
      }
      const out = await settle(apply(p, local, dest, { setName: 'main', stateDir: c.stateDir, bulk }));
      expect(out.status).toBe('failed');
      expect(out.message).toMatch(/changed (on the source|as we read it)/i);
      expect(await snapshot(c.dst)).toEqual(c.before);
      expect(await leftovers(c.dst)).toEqual([]);
      // The next run takes the file as it is now, whole.
      const next = await planAndApply(new LocalEndpoint(), c.src, dest, c.dst, {
        stateDir: c.stateDir,
        bulk,
      });
      expect(next.status).toBe('completed');
      expect(await snapshot(c.dst)).toEqual(await snapshot(c.src));
    });

  for (const bulk of [true, false])
    it(`a source file edited after the plan, same size, is refused before anything changes (${bulk ? 'tar fast path' : 'per-file'})`, async () => {
      const c = await setup(
        { 'a.conf': { content: 'new', mtimeMs: NEW }, 'b.conf': { content: 'bee', mtimeMs: NEW } },
        { 'a.conf': { content: 'old', mtimeMs: OLD } },
      );
      const dest = await ssh(bulk);
      const p = await planBetween(new LocalEndpoint(), c.src, dest, c.dst);
      await fs.writeFile(join(c.src, 'a.conf'), 'NEW');
      const out = await settle(
        apply(p, new LocalEndpoint(), dest, { setName: 'main', stateDir: c.stateDir, bulk }),
      );
      expect(out.status).toBe('failed');
      expect(out.message).toMatch(/"a\.conf" changed on the source/);
      expect(await snapshot(c.dst)).toEqual(c.before);
      expect(await leftovers(c.dst)).toEqual([]);
    });

  for (const bulk of [true, false])
    it(`a source link retargeted out of the root after the plan (${bulk ? 'tar fast path: refused' : 'per-file: the planned link is made'}), never a link out of the root`, async () => {
      const c = await setup(
        { 'a.conf': { content: 'new', mtimeMs: NEW }, 'current.conf': { link: 'a.conf' } },
        { 'a.conf': { content: 'old', mtimeMs: OLD } },
      );
      const dest = await ssh(bulk);
      const p = await planBetween(new LocalEndpoint(), c.src, dest, c.dst);
      await fs.rm(join(c.src, 'current.conf'));
      await fs.symlink('/etc/shadow', join(c.src, 'current.conf'));
      const out = await settle(
        apply(p, new LocalEndpoint(), dest, { setName: 'main', stateDir: c.stateDir, bulk }),
      );
      if (bulk) {
        // tar carried the link as it is now: what was staged is not what was planned.
        expect(out.status).toBe('failed');
        expect(out.message).toMatch(/current\.conf.*changed on the source/);
        expect(await snapshot(c.dst)).toEqual(c.before);
      } else {
        // File by file, links are made from the plan, which was checked: the link made is the planned one.
        expect(out.status).toBe('completed');
        expect(await fs.readlink(join(c.dst, 'current.conf'))).toBe('a.conf');
      }
      expect(await leftovers(c.dst)).toEqual([]);
    });

  it('a parent folder swapped for a symlink to outside during the run: refused, nothing written outside the root', async () => {
    const c = await setup(
      {
        'sub/app.conf': { content: 'new app', mtimeMs: NEW },
        'top.conf': { content: 'new top', mtimeMs: NEW },
      },
      {
        'sub/app.conf': { content: 'old app', mtimeMs: OLD },
        'top.conf': { content: 'old top', mtimeMs: OLD },
      },
    );
    const outside = join(c.area, 'outside');
    await makeTree(outside, { 'app.conf': 'precious, outside the root' });
    const around = await fence(c.area, (p) => p === 'conf' || p.startsWith('moved-sub'));
    const dest = await ssh();
    const p = await planBetween(new LocalEndpoint(), c.src, dest, c.dst);
    let swapped = false;
    const out = await settle(
      apply(p, new LocalEndpoint(), dest, {
        setName: 'main',
        stateDir: c.stateDir,
        onProgress: (g) => {
          if (g.phase !== 'transferring' || swapped) return;
          swapped = true;
          // Someone with access to the destination swaps the folder for a link while the data flows.
          void fs
            .rename(join(c.dst, 'sub'), join(c.area, 'moved-sub'))
            .then(() => fs.symlink(outside, join(c.dst, 'sub')));
        },
      }),
    );
    expect(out.status).toBe('failed');
    expect(out.message).toMatch(/changed on .* since the plan|symlink/i);
    expect(swapped).toBe(true);
    expect(await fs.readFile(join(outside, 'app.conf'), 'utf8')).toBe('precious, outside the root');
    expect(out.applied).toEqual([]);
    expect(await snapshot(c.area, around.skip), 'something was written outside the root').toEqual(
      around.before,
    );
  });
});
