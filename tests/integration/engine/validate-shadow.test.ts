import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { apply } from '../../../src-main/engine/apply.js';
import { recover } from '../../../src-main/engine/recover.js';
import { destinationStateDir } from '../../../src-main/engine/state-dir.js';
import { DEFAULT_EXCLUDES } from '../../../src-main/engine/filters.js';
import { plan } from '../../../src-main/engine/plan.js';
import { scan } from '../../../src-main/engine/scan.js';
import type { Endpoint } from '../../../src-main/transport/endpoint.js';
import { LocalEndpoint } from '../../../src-main/transport/local-endpoint.js';
import { enablePrivilege } from '../../../src-main/transport/remote-command.js';
import type { SshConnection } from '../../../src-main/transport/ssh-connection.js';
import { SshEndpoint } from '../../../src-main/transport/ssh-endpoint.js';
import type { PlanOptions, RunReport } from '../../../src-shared/model/sync.js';
import { startSshd, type SshdServer } from '../../support/sshd.js';
import { connectAs, ensureSudoAccounts, HARDENED_SSHD, SUDO_ACCOUNTS } from '../../support/sudo-accounts.js';
import { makeTempDir } from '../../support/temp.js';
import { connect, makeTree, type Spec } from './tree.js';

const OLD = 1_600_000_000_000;
const NEW = 1_700_000_000_000;
const mirror: PlanOptions = { mode: 'mirror', compare: 'time-size', toleranceMs: 0 };

/** The source: app.conf changed, a new folder, old.conf gone; the destination keeps keep.conf and a license. */
const SOURCE = (port: number): Spec => ({
  'app.conf': { content: `listen ${port}\ninclude conf.d/*.conf\n`, mtimeMs: NEW },
  'conf.d/keep.conf': { content: 'upstream keep\n', mtimeMs: OLD },
  'conf.d/new/site.conf': { content: 'server new\n', mtimeMs: NEW },
});
const DEST: Spec = {
  'app.conf': { content: 'listen 80\ninclude conf.d/*.conf\n', mtimeMs: OLD },
  'conf.d/keep.conf': { content: 'upstream keep\n', mtimeMs: OLD },
  'old.conf': { content: 'gone after the run\n', mtimeMs: OLD },
  'licenses/site.lic': { content: 'LICENSE\n', mtimeMs: OLD },
};

/**
 * A real validator, as `nginx -t -p %s` would be: it requires a file the run does not change
 * (conf.d/keep.conf) and an excluded one the run never touches (licenses/site.lic), a changed file to
 * hold its new line, a deleted file to be gone, and it records every path it saw (relative to the
 * working folder) and the folder `%s` named.
 */
function validator(seen: string, port: number): string {
  return [
    `echo %s > ${seen}.dir`,
    `find . -mindepth 1 | LC_ALL=C sort > ${seen}`,
    'test -f conf.d/keep.conf',
    'test -f licenses/site.lic',
    '! test -e old.conf',
    'test -f %s/conf.d/new/site.conf',
    `grep -qx 'listen ${port}' app.conf || { echo "app.conf does not listen on ${port}" >&2; exit 3; }`,
  ].join(' && ');
}

/** What the validator must have seen: the whole tree as it will be, nothing of the engine's own. */
const TREE_AFTER = [
  './app.conf',
  './conf.d',
  './conf.d/keep.conf',
  './conf.d/new',
  './conf.d/new/site.conf',
  './licenses',
  './licenses/site.lic',
];

/**
 * rsync's itemized differences of `to` against `from` (contents by checksum, links, modes, times), less
 * the root folder's own mtime (the staging folder made and removed in it: a documented difference).
 */
function rsyncDiff(from: string, to: string): string {
  return execFileSync('rsync', ['-anci', '--delete', `${from}/`, `${to}/`], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l !== '' && l !== '.d..t...... ./')
    .join('\n');
}

describe('the validate command runs over a complete shadow of the destination, outside the live folder', () => {
  let s: SshdServer;
  let hardened: SshdServer;
  let conn: SshConnection;
  let sudoConn: SshConnection;
  let tmp: { dir: string; cleanup: () => Promise<void> };
  let n = 0;

  beforeAll(async () => {
    await ensureSudoAccounts();
    [s, hardened] = await Promise.all([startSshd(), startSshd(HARDENED_SSHD)]);
    conn = await connect(s);
    sudoConn = await connectAs(hardened, SUDO_ACCOUNTS.nopasswd);
    await enablePrivilege(sudoConn, { sudo: true }, 'hardened');
    tmp = await makeTempDir('configsync-shadow-');
  }, 60_000);
  afterAll(async () => {
    conn?.close();
    sudoConn?.close();
    await Promise.all([s?.stop(), hardened?.stop()]);
    await tmp?.cleanup();
  });

  async function runOnce(
    destination: Endpoint,
    dst: string,
    port: number,
    validateCommand: string,
    bulk: boolean,
  ): Promise<RunReport> {
    const src = join(tmp.dir, `src${++n}`);
    await makeTree(src, SOURCE(port));
    const [si, di] = await Promise.all([
      scan(new LocalEndpoint(), src, { exclude: DEFAULT_EXCLUDES }),
      scan(destination, dst, { exclude: DEFAULT_EXCLUDES }),
    ]);
    return apply(plan(si, di, mirror), new LocalEndpoint(), destination, {
      setName: 'web',
      stateDir: join(dirname(dst), `state-${n}`),
      validateCommand,
      bulk,
    });
  }

  /** Nothing of the run is left beside or inside the root: no shadow, no staging folder. */
  async function leftovers(dst: string): Promise<string[]> {
    const beside = (await fs.readdir(dirname(dst))).filter((x) => x.includes('.configsync-shadow-'));
    const inside = (await fs.readdir(dst)).filter((x) => x.startsWith('.configsync'));
    return [...beside, ...inside];
  }

  const cases = [
    { name: 'as the login, tar stream', sudo: false, bulk: true },
    { name: 'as the login, file by file over SFTP', sudo: false, bulk: false },
    { name: 'through sudo, on a root-only tree', sudo: true, bulk: true },
  ];
  for (const c of cases)
    it(`${c.name}: a failing config puts nothing live, a passing one goes live; the validator saw the whole tree`, async () => {
      const server = c.sudo ? hardened : s;
      const destination = new SshEndpoint(c.sudo ? sudoConn : conn, { fastPath: true });
      const dst = join(server.dataRoot, `site${n}`, 'conf');
      await makeTree(dst, DEST);
      if (c.sudo) {
        await fs.chmod(join(dst, '..'), 0o700);
        await fs.chmod(dst, 0o700);
      }
      const copy = join(tmp.dir, `before${n}`);
      execFileSync('cp', ['-a', dst, copy]);
      const keepInode = (await fs.stat(join(dst, 'conf.d/keep.conf'))).ino;
      const seen = join(tmp.dir, `seen${n}`);

      // The validator wants port 8443; this run brings 8080: it fails, and nothing goes live.
      const bad = await runOnce(destination, dst, 8080, validator(seen, 8443), c.bulk);
      expect(bad.status).toBe('failed');
      expect(bad.code).toBe('VALIDATION_FAILED');
      expect(bad.message).toMatch(/exited with 3: app\.conf does not listen on 8443.*Nothing was changed/s);
      expect(bad.applied).toEqual([]);
      expect(rsyncDiff(copy, dst)).toBe('');
      expect(await leftovers(dst)).toEqual([]);
      expect((await fs.readFile(seen, 'utf8')).trim().split('\n')).toEqual(TREE_AFTER);
      // `%s` named the shadow: beside the root, outside the live folder.
      const shadowDir = (await fs.readFile(`${seen}.dir`, 'utf8')).trim();
      expect(dirname(shadowDir)).toBe(dirname(dst));
      expect(shadowDir).toMatch(/\/\.configsync-shadow-conf-\d{8}T\d+Z-[0-9a-f]{6}$/);

      // The same tree with port 8443 passes: the changes go live, the unchanged file stays the same inode.
      const good = await runOnce(destination, dst, 8443, validator(seen, 8443), c.bulk);
      expect(good.status).toBe('completed');
      expect(good.applied).toEqual(
        expect.arrayContaining(['app.conf', 'conf.d/new', 'conf.d/new/site.conf', 'old.conf']),
      );
      expect(await fs.readFile(join(dst, 'app.conf'), 'utf8')).toBe('listen 8443\ninclude conf.d/*.conf\n');
      await expect(fs.stat(join(dst, 'old.conf'))).rejects.toThrow();
      expect((await fs.stat(join(dst, 'conf.d/keep.conf'))).ino).toBe(keepInode);
      expect(await fs.readFile(join(dst, 'licenses/site.lic'), 'utf8')).toBe('LICENSE\n');
      expect((await fs.readFile(seen, 'utf8')).trim().split('\n')).toEqual(TREE_AFTER);
      expect(await leftovers(dst)).toEqual([]);
    });

  it('a staged file renamed into a hard-link farm never reaches the live file it replaces there', async () => {
    const destination = new SshEndpoint(conn, { fastPath: true });
    const dst = join(s.dataRoot, `farm${n}`, 'conf');
    await makeTree(dst, DEST);
    const liveApp = join(dst, 'app.conf');
    const before = await fs.readFile(liveApp, 'utf8');
    // The validator looks at the shadow's app.conf and keep.conf: keep.conf shares the live inode (a
    // link farm on ext4, or a reflink copy elsewhere), app.conf is the staged file, a new inode.
    const seen = join(tmp.dir, `inodes${n}`);
    const r = await runOnce(
      destination,
      dst,
      8080,
      `stat -c '%n %i' app.conf conf.d/keep.conf > ${seen}; exit 1`,
      true,
    );
    expect(r.code).toBe('VALIDATION_FAILED');
    expect(await fs.readFile(liveApp, 'utf8')).toBe(before);
    const inodes = Object.fromEntries(
      (await fs.readFile(seen, 'utf8'))
        .trim()
        .split('\n')
        .map((l) => l.split(' ') as [string, string]),
    );
    expect(Number(inodes['app.conf'])).not.toBe((await fs.stat(liveApp)).ino);
    expect(await leftovers(dst)).toEqual([]);
  });

  it('a run whose link dies while its validator runs leaves its shadow to recover, which removes it and changes nothing live', async () => {
    const doomed = await connect(s);
    const destination = new SshEndpoint(doomed, { fastPath: true });
    const dst = join(s.dataRoot, `killed${n}`, 'conf');
    await makeTree(dst, DEST);
    const copy = join(tmp.dir, `killed-before${n}`);
    execFileSync('cp', ['-a', dst, copy]);
    // The validator ends the server's side of the connection (the sshd process its shell runs under).
    const r = await runOnce(destination, dst, 8080, 'test -f app.conf && kill -9 $PPID; sleep 5', true);
    doomed.close();
    expect(r.status).toBe('failed');
    const shadows = (await fs.readdir(dirname(dst))).filter((x) => x.includes('.configsync-shadow-'));
    expect(shadows).toHaveLength(1);
    const stateDir = await destinationStateDir(
      new SshEndpoint(conn, { fastPath: true }),
      dst,
      join(dirname(dst), `state-${n}`),
    );
    const journal = join(stateDir, 'journal', `${r.runId}.json`);
    const res = await recover(new SshEndpoint(conn, { fastPath: true }), journal, 'complete', {
      lock: { breakStale: true },
    });
    expect(res.outcome).toBe('rolled-back');
    expect(await leftovers(dst)).toEqual([]);
    expect(rsyncDiff(copy, dst)).toBe('');
  });
});
