import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { apply } from '../../../src-main/engine/apply.js';
import { plan } from '../../../src-main/engine/plan.js';
import { scan } from '../../../src-main/engine/scan.js';
import { LocalEndpoint } from '../../../src-main/transport/local-endpoint.js';
import type { SshConnection } from '../../../src-main/transport/ssh-connection.js';
import { SshEndpoint } from '../../../src-main/transport/ssh-endpoint.js';
import type { PlanOptions } from '../../../src-shared/model/sync.js';
import { makeTempDir } from '../../support/temp.js';
import { startSshd, type SshdServer } from '../../support/sshd.js';
import { connect, makeTree, snapshot, type Spec } from './tree.js';

const T = 1_700_000_000_000;
const mirror: PlanOptions = { mode: 'mirror', compare: 'time-size', toleranceMs: 2000 };

/** `n` files in `dir`, each with its own content and an old or new mtime. */
function files(dir: string, n: number, tag: string, mtimeMs: number): Spec {
  const spec: Spec = {};
  for (let i = 0; i < n; i++) spec[`${dir}/f${i}.conf`] = { content: `${tag} ${dir} ${i}\n`, mtimeMs };
  return spec;
}

describe('swap: many changes at once', () => {
  let s: SshdServer;
  let conn: SshConnection;
  let tmp: { dir: string; cleanup: () => Promise<void> };
  beforeAll(async () => {
    s = await startSshd();
    conn = await connect(s);
    tmp = await makeTempDir();
  });
  afterAll(async () => {
    conn?.close();
    await s?.stop();
    await tmp?.cleanup();
  });

  it('new folders move in whole, existing ones file by file, extras go: the result is the source, dir modes and mtimes included', async () => {
    const src = join(tmp.dir, 'src');
    const dst = join(s.dataRoot, 'dst');
    await makeTree(src, {
      ...files('new/a', 40, 'v2', T),
      ...files('new/b/deep', 20, 'v2', T),
      'new/empty': { dir: 0o750 },
      'new/private': { dir: 0o700 },
      ...files('new/private', 17, 'v2', T),
      'new/link': { link: 'a/f0.conf' },
      ...files('kept', 90, 'v2', T),
      'kept/sub': { dir: 0o711 },
      ...files('kept/sub', 3, 'v2', T),
      'few/one.conf': { content: 'one', mtimeMs: T },
    });
    await makeTree(dst, {
      ...files('kept', 90, 'v1', T - 60_000),
      ...files('gone', 70, 'v1', T - 60_000),
      'gone/deeper/x.conf': 'x',
    });
    await fs.utimes(join(src, 'new/private'), (T - 5000) / 1000, (T - 5000) / 1000);
    const ssh = new SshEndpoint(conn, { fastPath: true });
    const renamed: string[] = [];
    const rename = ssh.rename.bind(ssh);
    ssh.rename = async (from: string, to: string) => {
      renamed.push(to.slice(dst.length + 1));
      await rename(from, to);
    };
    const inBulk: string[] = [];
    const renameMany = ssh.renameMany.bind(ssh);
    ssh.renameMany = async (pairs) => {
      inBulk.push(...pairs.map((p) => p.to.slice(dst.length + 1)));
      return renameMany(pairs);
    };
    const [si, di] = await Promise.all([scan(new LocalEndpoint(), src), scan(ssh, dst)]);
    const p = plan(si, di, mirror);
    const report = await apply(p, new LocalEndpoint(), ssh, {
      setName: 'swap',
      stateDir: join(s.dataRoot, 'state'),
    });

    expect(report.status).toBe('completed');
    expect(report.errors).toEqual([]);
    expect(report.mismatches).toEqual([]);
    expect(await snapshot(dst)).toEqual(await snapshot(src));
    expect((await fs.stat(join(dst, 'new/private'))).mtimeMs).toBe(T - 5000);
    // The new folder went in with one rename; the 93 updated files and the lone new one each with
    // their own: the first 16 one request each, the rest in one bulk command (a Python process).
    expect(renamed).toContain('new');
    const each = [...renamed, ...inBulk];
    expect(each.filter((r) => r.startsWith('new/'))).toEqual([]);
    expect(each.filter((r) => r.startsWith('kept/')).sort()).toEqual(
      Object.keys({ ...files('kept', 90, '', T), ...files('kept/sub', 3, '', T) }).sort(),
    );
    expect(each).toContain('few/one.conf');
    expect(inBulk.length).toBe(93 + 1 - 16);
    expect(report.filesWritten).toBe(40 + 20 + 17 + 1 + 90 + 3 + 1);
    expect(report.filesDeleted).toBe(70 + 1 + 2); // gone/*, gone/deeper/x.conf, the two folders
    expect(report.notApplied).toEqual([]);
    expect(await fs.readdir(dst)).not.toContain(expect.stringMatching(/^\.configsync-staging-/));
  });

  it('a destination folder that appeared after the plan is not replaced: its files stay and the new ones go in beside them', async () => {
    const src = join(tmp.dir, 'src2');
    const dst = join(s.dataRoot, 'dst2');
    await makeTree(src, files('late', 30, 'v2', T));
    await fs.mkdir(dst, { recursive: true });
    const ssh = new SshEndpoint(conn, { fastPath: true });
    const [si, di] = await Promise.all([scan(new LocalEndpoint(), src), scan(ssh, dst)]);
    const p = plan(si, di, mirror);
    // Someone makes the folder (with a file of their own) once the run has checked the destination.
    const report = await apply(p, new LocalEndpoint(), ssh, {
      setName: 'swap',
      stateDir: join(s.dataRoot, 'state2'),
      onProgress: (pr) => {
        if (pr.phase !== 'swapping' || existsSync(join(dst, 'late'))) return;
        mkdirSync(join(dst, 'late'));
        writeFileSync(join(dst, 'late/theirs.txt'), 'theirs');
      },
    });
    expect(report.filesWritten).toBe(30);
    expect(await fs.readFile(join(dst, 'late/theirs.txt'), 'utf8')).toBe('theirs');
    expect(await fs.readFile(join(dst, 'late/f7.conf'), 'utf8')).toBe('v2 late 7\n');
  });
  /** 120 files updated in an existing folder (bulk renames), `renameMany` replaced by what `bulk` makes of it. */
  async function updated(
    tag: string,
    bulk: (original: SshEndpoint['renameMany']) => SshEndpoint['renameMany'],
  ) {
    const src = join(tmp.dir, `src-${tag}`);
    const dst = join(s.dataRoot, `dst-${tag}`);
    await makeTree(src, files('many', 120, 'v2', T));
    await makeTree(dst, files('many', 120, 'v1', T - 60_000));
    const ssh = new SshEndpoint(conn, { fastPath: true });
    ssh.renameMany = bulk(ssh.renameMany.bind(ssh));
    const [si, di] = await Promise.all([scan(new LocalEndpoint(), src), scan(ssh, dst)]);
    const report = await apply(plan(si, di, mirror), new LocalEndpoint(), ssh, {
      setName: 'swap',
      stateDir: join(s.dataRoot, `state-${tag}`),
    });
    expect(report.status).toBe('completed');
    expect(report.errors).toEqual([]);
    expect(report.filesWritten).toBe(120);
    expect(await snapshot(dst)).toEqual(await snapshot(src));
  }

  it('bulk renames that stopped half-way (some done, the rest never said) are completed one by one, each checked first', async () => {
    let calls = 0;
    await updated('half', (original) => async (pairs) => {
      calls++;
      // Renames the first half, then "stops": its output says nothing of any of them.
      const half = pairs.slice(0, Math.floor(pairs.length / 2));
      await original(half);
      return pairs.map(() => undefined);
    });
    expect(calls).toBe(1);
  });

  it('a side without bulk renames (no system Python) renames each with a request of its own', async () => {
    await updated('none', () => async () => null);
  });
});
