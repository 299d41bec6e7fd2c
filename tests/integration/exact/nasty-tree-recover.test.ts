import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { journalPath, readJournal } from '../../../src-main/engine/journal.js';
import { recover } from '../../../src-main/engine/recover.js';
import { rootStateDir } from '../../../src-main/engine/state-dir.js';
import type { SshConnection } from '../../../src-main/transport/ssh-connection.js';
import { SshEndpoint } from '../../../src-main/transport/ssh-endpoint.js';
import { applyAsAndKillMidSwap } from '../../support/killed-apply-as.js';
import { makeNastyTree, rsyncDifferences, FIFO_PATH } from '../../support/nasty-tree.js';
import { startSshd, type SshdServer } from '../../support/sshd.js';
import { ensureSudoAccounts } from '../../support/sudo-accounts.js';
import { makeTempDir } from '../../support/temp.js';
import { connect } from '../engine/tree.js';

const run = promisify(execFile);
/** The one line rsync -aHAX prints after a sync: the FIFO, which ConfigSync lists as skipped. */
const INTENDED = [FIFO_PATH];
const BREAK = { lock: { breakStale: true } } as const;

const copyTree = async (from: string, to: string) => {
  await fs.mkdir(to, { recursive: true });
  await run('cp', ['-a', `${from}/.`, to]);
};

// A mirror sync of the nasty tree killed mid-swap (three files renamed into place, the rest still
// staged), then recovered: the destination must end as exact a copy as an uninterrupted run makes.
describe('the nasty tree after a killed mirror sync and a recover (rsync -anciHAX --delete)', () => {
  let server: SshdServer;
  let conn: SshConnection;
  let tmp: { dir: string; cleanup: () => Promise<void> };
  let source: string;
  beforeAll(async () => {
    await ensureSudoAccounts();
    server = await startSshd();
    conn = await connect(server);
    tmp = await makeTempDir('configsync-nasty-recover-');
    source = join(tmp.dir, 'etc');
    await makeNastyTree(source);
  }, 60_000);
  afterAll(async () => {
    conn?.close();
    await server?.stop();
    await tmp?.cleanup();
  });

  /** A destination holding an older copy: changed files, an owner, a mode, a link, a missing and an extra file. */
  const olderCopy = async (dest: string) => {
    await copyTree(source, dest);
    await fs.writeFile(join(dest, 'names/new\nline'), 'older content\n');
    await fs.writeFile(join(dest, 'names/with space.conf'), 'older, and longer content\n');
    await fs.writeFile(join(dest, 'times/2200.conf'), 'older\n');
    await fs.writeFile(join(dest, 'meta/xattr.conf'), 'older, without its xattr\n');
    await fs.chown(join(dest, 'owners/svc.conf'), 0, 0);
    await fs.chmod(join(dest, 'modes/setuid-tool'), 0o755);
    await fs.rm(join(dest, 'links/relative'));
    await fs.symlink('elsewhere', join(dest, 'links/relative'));
    await fs.rm(join(dest, 'hard/b.conf'));
    await fs.writeFile(join(dest, 'names/extra \\ one'), 'only on the destination\n');
    // The deep file's folders carry on only in the source (a folder made by the run).
    await fs.rm(join(dest, 'd0'), { recursive: true });
  };

  const killAndRecover = async (
    name: string,
    bulk: boolean,
    prepare: (dest: string) => Promise<void>,
    prefer: 'complete' | 'rollback' = 'complete',
  ) => {
    const dest = join(server.dataRoot, name);
    await prepare(dest);
    const stateDir = join(server.baseDir, `state-${name}`);
    const rootState = rootStateDir(stateDir, dest);
    await applyAsAndKillMidSwap(server, {
      user: server.user,
      privilege: { sudo: false },
      src: source,
      dst: dest,
      stateDir,
      bulk,
    });
    const [file] = (await fs.readdir(join(rootState, 'journal'))).filter((x) => x.endsWith('.json'));
    const jPath = journalPath(rootState, (file ?? '').replace(/\.json$/, ''));
    const ssh = new SshEndpoint(conn, { fastPath: true, label: 'dest' });
    const killed = await readJournal(ssh, jPath);
    expect(killed.phase).toBe('swapping');
    // Mid-swap: rsync still sees work to do (staged files not yet in place, the staging folder itself).
    expect((await rsyncDifferences(source, dest, INTENDED)).length).toBeGreaterThan(0);
    const r = await recover(ssh, jPath, prefer, BREAK);
    return { dest, r, jPath, ssh };
  };

  for (const bulk of [true, false]) {
    const how = bulk ? 'tar' : 'SFTP, file by file';
    it(`into an empty destination over ${how}: recover (complete) leaves only the intended differences`, async () => {
      const { dest, r, jPath, ssh } = await killAndRecover(`empty-${bulk ? 'tar' : 'sftp'}`, bulk, (d) =>
        fs.mkdir(d, { recursive: true }).then(() => undefined),
      );
      expect(r).toMatchObject({ outcome: 'completed', errors: [], left: [] });
      expect((await readJournal(ssh, jPath)).phase).toBe('done');
      expect(await rsyncDifferences(source, dest, INTENDED)).toEqual([]);
      // Sparse stays sparse after a recover too.
      const { stdout } = await run('du', ['-k', join(dest, 'sparse/disk.img')]);
      expect(Number(stdout.split('\t')[0])).toBeLessThan(1024);
    });

    it(`over an older copy over ${how}: recover (complete) leaves only the intended differences`, async () => {
      const { dest, r } = await killAndRecover(`older-${bulk ? 'tar' : 'sftp'}`, bulk, olderCopy);
      expect(r).toMatchObject({ outcome: 'completed', errors: [], left: [] });
      expect(await rsyncDifferences(source, dest, INTENDED)).toEqual([]);
    });
  }

  it('over an older copy: recover (roll back) puts it back as it was, but for the mtimes of folders it wrote into', async () => {
    const before = join(tmp.dir, 'before-rollback');
    let kept = false;
    const { dest, r } = await killAndRecover(
      'older-rollback',
      true,
      async (d) => {
        await olderCopy(d);
        // More than a few files to back up and put back: the copies go by one cp on the server.
        for (const n of await fs.readdir(join(d, 'names')))
          await fs.writeFile(join(d, 'names', n), `older ${JSON.stringify(n)}\n`);
        await copyTree(d, before);
        kept = true;
      },
      'rollback',
    );
    expect(kept).toBe(true);
    expect(r).toMatchObject({ outcome: 'rolled-back', errors: [], left: [] });
    // Content, owners, modes, times, links, xattrs are back; folder mtimes are the README's intended difference.
    const left = await rsyncDifferences(before, dest, INTENDED);
    expect(left.filter((l) => !/^\.d\.\.t\.{6} /.test(l))).toEqual([]);
  });
});
