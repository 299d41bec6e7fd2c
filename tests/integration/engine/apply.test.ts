import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { writeFileSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { apply, type ApplyOptions } from '../../../src-main/engine/apply.js';
import { readJournal } from '../../../src-main/engine/journal.js';
import { rootStateDir } from '../../../src-main/engine/state-dir.js';
import { restoreBackup } from '../../../src-main/engine/backup.js';
import { DEFAULT_EXCLUDES } from '../../../src-main/engine/filters.js';
import { plan } from '../../../src-main/engine/plan.js';
import { scan } from '../../../src-main/engine/scan.js';
import type { Endpoint } from '../../../src-main/transport/endpoint.js';
import { LocalEndpoint } from '../../../src-main/transport/local-endpoint.js';
import type { SshConnection } from '../../../src-main/transport/ssh-connection.js';
import { SshEndpoint } from '../../../src-main/transport/ssh-endpoint.js';
import type { PlanOptions, RunReport } from '../../../src-shared/model/sync.js';
import { makeTempDir } from '../../support/temp.js';
import { startSshd, type SshdServer } from '../../support/sshd.js';
import { connect, makeTree, snapshot, type Spec } from './tree.js';

const OLD = 1_600_000_000_000;
const NEW = 1_700_000_000_000;
const SOURCE: Spec = {
  'app.conf': { content: 'port=8080\n', mtimeMs: NEW },
  'same.txt': { content: 'same', mtimeMs: OLD },
  'changed.ini': { content: 'v2 new content', mtimeMs: NEW, mode: 0o640 },
  'nested/deep/new.xml': { content: '<a/>', mtimeMs: NEW },
  'nested/big.bin': { content: Buffer.alloc(600_000, 3), mtimeMs: NEW },
  "odd name's $(x).cfg": { content: 'odd', mtimeMs: NEW },
  'link-to-conf': { link: 'app.conf' },
  'source.lic': { content: 'SRC LICENSE', mtimeMs: NEW },
};
const DEST: Spec = {
  'same.txt': { content: 'same', mtimeMs: OLD },
  'changed.ini': { content: 'v1', mtimeMs: OLD },
  'extra.txt': { content: 'only on dest', mtimeMs: OLD },
  'old/stale.cfg': { content: 'stale', mtimeMs: OLD },
  'licenses/dest-license.dat': { content: 'DEST LICENSE', mtimeMs: OLD },
  'dest.lic': { content: 'DEST LIC', mtimeMs: OLD },
};
const mirror: PlanOptions = { mode: 'mirror', compare: 'time-size', toleranceMs: 2000 };

describe('apply end to end against real sshd', () => {
  let a: SshdServer;
  let b: SshdServer;
  let ca: SshConnection;
  let cb: SshConnection;
  let tmp: { dir: string; cleanup: () => Promise<void> };
  let n = 0;
  beforeAll(async () => {
    [a, b] = await Promise.all([startSshd(), startSshd()]);
    [ca, cb] = await Promise.all([connect(a), connect(b)]);
    tmp = await makeTempDir();
  });
  afterAll(async () => {
    ca?.close();
    cb?.close();
    await Promise.all([a?.stop(), b?.stop()]);
    await tmp?.cleanup();
  });

  /** Fresh source and destination roots for one case; `where` says which side lives behind which sshd. */
  async function roots(srcSide: 'local' | 'a', dstSide: 'local' | 'b') {
    n++;
    const base = (side: string) => (side === 'local' ? tmp.dir : side === 'a' ? a.dataRoot : b.dataRoot);
    const src = join(base(srcSide), `src${n}`);
    const dst = join(base(dstSide), `dst${n}`);
    await makeTree(src, SOURCE);
    await makeTree(dst, DEST);
    return { src, dst, stateDir: join(base(dstSide), `state${n}`) };
  }

  async function run(
    source: Endpoint,
    src: string,
    destination: Endpoint,
    dst: string,
    o: PlanOptions,
    extra: Partial<ApplyOptions> & { stateDir: string },
  ): Promise<RunReport> {
    const hash = o.compare === 'checksum';
    const [si, di] = await Promise.all([
      scan(source, src, { exclude: DEFAULT_EXCLUDES, hash }),
      scan(destination, dst, { exclude: DEFAULT_EXCLUDES, hash }),
    ]);
    return apply(plan(si, di, o), source, destination, { setName: 'main', ...extra });
  }

  it('a first copy of 2,500 files goes over two tar streams at once (remote → remote) and lands exactly, with progress to the end', async () => {
    n++;
    const src = join(a.dataRoot, `many${n}`);
    const dst = join(b.dataRoot, `many${n}`);
    const spec: Spec = {};
    for (let i = 0; i < 2500; i++)
      spec[`d${String(i % 25).padStart(2, '0')}/f${i}.conf`] = {
        content: `file ${i}\n`.repeat(1 + (i % 7)),
        mtimeMs: NEW,
      };
    spec['d00/link'] = { link: 'f0.conf' };
    await makeTree(src, spec);
    const reads = vi.spyOn(ca, 'execChannel');
    const writes = vi.spyOn(cb, 'execChannel');
    const seen: number[] = [];
    const report = await run(
      new SshEndpoint(ca, { fastPath: true }),
      src,
      new SshEndpoint(cb, { fastPath: true }),
      dst,
      mirror,
      {
        stateDir: join(b.dataRoot, `state${n}`),
        onProgress: (p) => p.phase === 'transferring' && seen.push(p.filesDone),
      },
    );
    expect(report.status).toBe('completed');
    expect(report.filesWritten).toBe(2501);
    expect(reads.mock.calls.filter(([cmd]) => /^tar .* -cf -/.test(cmd))).toHaveLength(2);
    expect(writes.mock.calls.filter(([cmd]) => /^tar .* -xpf -/.test(cmd))).toHaveLength(2);
    reads.mockRestore();
    writes.mockRestore();
    expect(await snapshot(dst)).toEqual(await snapshot(src));
    expect(Math.max(...seen)).toBe(2501);
  });

  it('one of two tar streams failing fails the run: nothing changed, no staging folder left', async () => {
    n++;
    const src = join(tmp.dir, `many-fail${n}`);
    const dst = join(b.dataRoot, `many-fail${n}`);
    const spec: Spec = {};
    for (let i = 0; i < 2500; i++)
      spec[`d${String(i % 25).padStart(2, '0')}/f${i}.conf`] = { content: `v${i}\n`, mtimeMs: NEW };
    spec['keep.conf'] = { content: 'old', mtimeMs: OLD };
    await makeTree(src, spec);
    await makeTree(dst, { 'keep.conf': { content: 'old', mtimeMs: OLD } });
    const before = await snapshot(dst);
    // A file where the second stream's folder d20 must go: its tar -x fails, the first one's does not.
    const runId = `20261123T000000000Z-f${n}`;
    await fs.mkdir(join(dst, `.configsync-staging-${runId}`));
    await fs.writeFile(join(dst, `.configsync-staging-${runId}`, 'd20'), 'in the way');
    const report = await run(new LocalEndpoint(), src, new SshEndpoint(cb, { fastPath: true }), dst, mirror, {
      stateDir: join(b.dataRoot, `state${n}`),
      runId,
    });
    expect(report.status).toBe('failed');
    expect(report.message).toMatch(/tar \(write\).*d20.*Nothing was changed/s);
    expect(await snapshot(dst)).toEqual(before);
    expect((await fs.readdir(dst)).filter((x) => x.startsWith('.configsync'))).toEqual([]);
  });

  it('mirror local → remote (tar fast path): result equals the source, licenses untouched, backup exact, restore byte for byte', async () => {
    const { src, dst, stateDir } = await roots('local', 'b');
    const before = await snapshot(dst);
    const channels = vi.spyOn(cb, 'execChannel');
    const report = await run(new LocalEndpoint(), src, new SshEndpoint(cb, { fastPath: true }), dst, mirror, {
      stateDir,
    });
    expect(report.status).toBe('completed');
    expect(report.fastPath).toBe(true);
    expect(channels.mock.calls.some(([cmd]) => cmd.startsWith('tar -C'))).toBe(true);
    channels.mockRestore();
    const after = await snapshot(dst);
    const wanted = { ...(await snapshot(src)) };
    delete wanted['source.lic'];
    expect(after).toEqual({
      ...wanted,
      licenses: after.licenses,
      'licenses/dest-license.dat': before['licenses/dest-license.dat'],
      'dest.lic': before['dest.lic'],
    });
    expect(after['dest.lic']).toBe(before['dest.lic']);
    expect(report.filesDeleted).toBe(3); // extra.txt, old/stale.cfg and the folder old
    expect(report.errors).toEqual([]);
    expect((await fs.stat(join(dst, 'nested/big.bin'))).mtimeMs).toBe(NEW);
    expect(await fs.readdir(dst)).not.toContain(expect.stringMatching(/^\.configsync/));

    // The backup holds exactly what was overwritten or deleted, as it was.
    const backup = await snapshot(join(report.backupDir ?? '', 'files'));
    const files = Object.fromEntries(Object.entries(backup).filter(([, v]) => !v.startsWith('dir')));
    expect(files).toEqual({
      'changed.ini': before['changed.ini'],
      'extra.txt': before['extra.txt'],
      'old/stale.cfg': before['old/stale.cfg'],
    });
    const journal = JSON.parse(await fs.readFile(report.journalPath ?? '', 'utf8')) as { phase: string };
    expect(journal.phase).toBe('done');

    const restored = await restoreBackup(new SshEndpoint(cb, { fastPath: true }), report.backupDir ?? '');
    expect(restored.errors).toEqual([]);
    const back = await snapshot(dst);
    expect(back).toEqual(before);
    expect((await fs.stat(join(dst, 'changed.ini'))).mtimeMs).toBe(OLD);
  });

  it('update remote → local over SFTP only: newer copied, newer-on-destination skipped, extras kept', async () => {
    const { src, dst, stateDir } = await roots('a', 'local');
    await makeTree(dst, { 'app.conf': { content: 'edited on dest, newer', mtimeMs: NEW + 3_600_000 } });
    const before = await snapshot(dst);
    const channels = vi.spyOn(ca, 'execChannel');
    const report = await run(
      new SshEndpoint(ca, { fastPath: false }),
      src,
      new LocalEndpoint(),
      dst,
      { ...mirror, mode: 'update' },
      { stateDir },
    );
    expect(channels).not.toHaveBeenCalled();
    channels.mockRestore();
    expect(report.status).toBe('completed');
    expect(report.fastPath).toBe(false);
    const after = await snapshot(dst);
    const source = await snapshot(src);
    expect(after['app.conf']).toBe(before['app.conf']);
    expect(after['changed.ini']).toBe(source['changed.ini']);
    expect(after['nested/big.bin']).toBe(source['nested/big.bin']);
    expect(after['link-to-conf']).toBe('link app.conf');
    expect(after['extra.txt']).toBe(before['extra.txt']);
    expect(after['old/stale.cfg']).toBe(before['old/stale.cfg']);
    expect(after['source.lic']).toBeUndefined();
    expect(report.counts['skip-newer-on-destination']).toBe(1);
  });

  it('mirror remote → remote by checksum: same size and time but other bytes is caught; fast path and fallback agree', async () => {
    for (const fastPath of [true, false]) {
      const { src, dst, stateDir } = await roots('a', 'b');
      await makeTree(dst, { 'app.conf': { content: 'port=9090\n', mtimeMs: NEW } });
      const report = await run(
        new SshEndpoint(ca, { fastPath }),
        src,
        new SshEndpoint(cb, { fastPath }),
        dst,
        { ...mirror, compare: 'checksum' },
        { stateDir },
      );
      expect(report.status).toBe('completed');
      expect(report.applied).toContain('app.conf');
      expect(report.fastPath).toBe(fastPath);
      const after = await snapshot(dst);
      const source = await snapshot(src);
      for (const p of ['app.conf', 'changed.ini', 'nested/big.bin', "odd name's $(x).cfg", 'link-to-conf'])
        expect(after[p]).toBe(source[p]);
      expect(after['extra.txt']).toBeUndefined();
    }
  });

  it('verification catches a file changed on the destination behind its back', async () => {
    const { src, dst, stateDir } = await roots('local', 'b');
    const report = await run(new LocalEndpoint(), src, new SshEndpoint(cb, { fastPath: true }), dst, mirror, {
      stateDir,
      onProgress: (p) => {
        if (p.phase === 'verifying') writeFileSync(join(dst, 'app.conf'), 'tampered!');
      },
    });
    expect(report.status).toBe('completed-with-errors');
    expect(report.verified).toBe(false);
    expect(report.mismatches.map((m) => m.path)).toEqual(['app.conf']);
    expect(report.mismatches[0]?.message).toMatch(/size/);
  });

  it('a failing validate command changes nothing; a post-apply command runs in the root', async () => {
    const { src, dst, stateDir } = await roots('local', 'b');
    const before = await snapshot(dst);
    const ssh = new SshEndpoint(cb, { fastPath: true });
    const bad = await run(new LocalEndpoint(), src, ssh, dst, mirror, {
      stateDir,
      validateCommand: 'grep -q port=1 app.conf || { echo "bad port" >&2; exit 7; }',
    });
    expect(bad.status).toBe('failed');
    expect(bad.message).toMatch(/exited with 7: bad port/);
    expect(await snapshot(dst)).toEqual(before);
    expect((await fs.readdir(dst)).filter((x) => x.startsWith('.configsync'))).toEqual([]);
    const good = await run(new LocalEndpoint(), src, ssh, dst, mirror, {
      stateDir,
      validateCommand: 'grep -q port=8080 app.conf',
      postApplyCommand: 'cat app.conf > ../post-apply-saw.txt',
    });
    expect(good.status).toBe('completed');
    expect(await fs.readFile(join(dst, '../post-apply-saw.txt'), 'utf8')).toBe('port=8080\n');
  });

  it('guards refuse an empty source and a mass deletion until confirmed', async () => {
    const { dst, stateDir } = await roots('local', 'b');
    const empty = join(tmp.dir, `empty${n}`);
    await fs.mkdir(empty);
    const ssh = new SshEndpoint(cb, { fastPath: true });
    const before = await snapshot(dst);
    await expect(run(new LocalEndpoint(), empty, ssh, dst, mirror, { stateDir })).rejects.toMatchObject({
      code: 'GUARD_SOURCE_EMPTY',
    });
    await expect(
      run(new LocalEndpoint(), join(tmp.dir, 'missing'), ssh, dst, mirror, { stateDir }),
    ).rejects.toMatchObject({ code: 'GUARD_SOURCE_MISSING' });
    await fs.writeFile(join(empty, 'only.txt'), 'x');
    await expect(run(new LocalEndpoint(), empty, ssh, dst, mirror, { stateDir })).rejects.toMatchObject({
      code: 'GUARD_MASS_DELETE',
    });
    expect(await snapshot(dst)).toEqual(before);
    const ok = await run(new LocalEndpoint(), empty, ssh, dst, mirror, {
      stateDir,
      guards: { confirmed: ['GUARD_MASS_DELETE'] },
    });
    expect(ok.status).toBe('completed');
    expect(Object.keys(await snapshot(dst)).sort()).toEqual([
      'dest.lic',
      'licenses',
      'licenses/dest-license.dat',
      'only.txt',
    ]);
  });

  it('cancel before the first file leaves the destination untouched and says so', async () => {
    const { src, dst, stateDir } = await roots('local', 'b');
    const before = await snapshot(dst);
    const ac = new AbortController();
    const report = await run(
      new LocalEndpoint(),
      src,
      new SshEndpoint(cb, { fastPath: false }),
      dst,
      mirror,
      {
        stateDir,
        signal: ac.signal,
        onProgress: (p) => {
          if (p.phase === 'transferring') ac.abort();
        },
      },
    );
    expect(report.status).toBe('cancelled');
    expect(report.applied).toEqual([]);
    expect(report.notApplied.length).toBeGreaterThan(0);
    expect(await snapshot(dst)).toEqual(before);
    const journal = JSON.parse(await fs.readFile(report.journalPath ?? '', 'utf8')) as { phase: string };
    expect(journal.phase).toBe('cancelled');
  });

  it('cancel between renames stops there: whole files only, the report and journal list what was applied', async () => {
    const { src, dst, stateDir } = await roots('local', 'b');
    const before = await snapshot(dst);
    const ac = new AbortController();
    const ssh = new SshEndpoint(cb, { fastPath: true });
    let renames = 0;
    const rename = ssh.rename.bind(ssh);
    ssh.rename = async (from: string, to: string) => {
      await rename(from, to);
      if (from.includes('/.configsync-staging-') && ++renames === 2) ac.abort();
    };
    const report = await run(new LocalEndpoint(), src, ssh, dst, mirror, { stateDir, signal: ac.signal });
    expect(report.status).toBe('cancelled');
    expect(report.applied).toHaveLength(2);
    expect(report.notApplied.length).toBeGreaterThan(2);
    const after = await snapshot(dst);
    const source = await snapshot(src);
    for (const p of Object.keys(source)) {
      if (p === 'source.lic' || source[p]?.startsWith('dir')) continue;
      if (report.applied.includes(p)) expect(after[p]).toBe(source[p]);
      else expect(after[p]).toBe(before[p]);
    }
    const journal = await readJournal(new LocalEndpoint(), report.journalPath ?? '');
    expect(journal.phase).toBe('cancelled');
    expect(journal.applied).toEqual(report.applied);
    const restored = await restoreBackup(ssh, report.backupDir ?? '');
    expect(restored.errors).toEqual([]);
    expect(await snapshot(dst)).toEqual(before);
  });

  it('refuses a plan the destination has moved away from, and keeps only the last N backups', async () => {
    const { src, dst, stateDir } = await roots('local', 'b');
    const ssh = new SshEndpoint(cb, { fastPath: true });
    const [si, di] = await Promise.all([
      scan(new LocalEndpoint(), src, { exclude: DEFAULT_EXCLUDES }),
      scan(ssh, dst, { exclude: DEFAULT_EXCLUDES }),
    ]);
    const p = plan(si, di, mirror);
    await fs.writeFile(join(dst, 'extra.txt'), 'edited after the plan');
    await expect(apply(p, new LocalEndpoint(), ssh, { setName: 'main', stateDir })).rejects.toMatchObject({
      code: 'PLAN_STALE',
    });
    for (let i = 0; i < 3; i++) {
      await makeTree(src, { 'app.conf': { content: `round ${i}`, mtimeMs: NEW + (i + 1) * 60_000 } });
      const r = await run(new LocalEndpoint(), src, ssh, dst, mirror, { stateDir, keepRuns: 2 });
      expect(r.status).toBe('completed');
    }
    expect(await fs.readdir(join(rootStateDir(stateDir, dst), 'backups/main'))).toHaveLength(2);
  });
});
