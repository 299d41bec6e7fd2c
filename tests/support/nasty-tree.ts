import { execFile } from 'node:child_process';
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SERVICE_ACCOUNT } from './sudo-accounts.js';

const run = promisify(execFile);

/** A uid and gid no account has (listed by number only). */
export const ORPHAN_ID = 4242;

/** 255 bytes: the longest name ext4 holds. */
export const LONG_NAME = `${'n'.repeat(250)}.conf`;

/** The FIFO of the tree: not carried, listed as skipped (the one line rsync prints after a sync). */
export const FIFO_PATH = 'run/app.fifo';

/**
 * Writes the tree a hardened server's /etc looks like at its worst into `root` (as root: other
 * users' owners, setuid, xattrs): every name, link, mode, time and file kind rsync -aHAX carries.
 * `SERVICE_ACCOUNT` must exist (ensureSudoAccounts). Returns what it made, for assertions.
 */
export async function makeNastyTree(root: string): Promise<{ readonly names: ReadonlyArray<string> }> {
  const at = (p: string) => join(root, p);
  const file = async (p: string, content: string | Buffer, mode = 0o644) => {
    await fs.mkdir(join(at(p), '..'), { recursive: true });
    await fs.writeFile(at(p), content, { mode });
    await fs.chmod(at(p), mode);
  };
  await fs.mkdir(root, { recursive: true });
  const names = [
    'with space.conf',
    "it's.conf",
    'dq"x.conf',
    '-rf',
    '*',
    '[a]',
    'back\\slash',
    'new\nline',
    'tab\there',
    'cafe\u0301.conf', // NFD
    'caf\u00e9.conf', // NFC: another name beside it
    '$(id).conf',
    LONG_NAME,
  ];
  for (const n of names) await file(`names/${n}`, `name ${JSON.stringify(n)}\n`);
  await file(`${Array.from({ length: 24 }, (_, i) => `d${i}`).join('/')}/deep.conf`, 'deep\n');

  // Owners and groups of other users, and ids with no name.
  await file('owners/svc.conf', 'service\n', 0o640);
  await run('chown', [`${SERVICE_ACCOUNT}:${SERVICE_ACCOUNT}`, at('owners/svc.conf')]);
  await file('owners/orphan.conf', 'orphan\n', 0o600);
  await fs.chown(at('owners/orphan.conf'), ORPHAN_ID, ORPHAN_ID);
  await fs.mkdir(at('owners/svc-dir'), { mode: 0o750 });
  await run('chown', [`${SERVICE_ACCOUNT}:${SERVICE_ACCOUNT}`, at('owners/svc-dir')]);
  await file('owners/svc-dir/inside.conf', 'inside\n');

  // Links as they are: absolute, relative, escaping, dangling, to a folder.
  await fs.mkdir(at('links/sub'), { recursive: true });
  await file('links/sub/target.conf', 'target\n');
  await fs.symlink('/usr/share/zoneinfo/UTC', at('links/localtime'));
  await fs.symlink('sub/target.conf', at('links/relative'));
  await fs.symlink('../../outside/of/root', at('links/escaping'));
  await fs.symlink('does-not-exist', at('links/dangling'));
  await fs.symlink('sub', at('links/folder'));
  await fs.lchown(at('links/relative'), ORPHAN_ID, ORPHAN_ID);

  // Hard links.
  await file('hard/a.conf', 'one inode, two names\n');
  await fs.link(at('hard/a.conf'), at('hard/b.conf'));

  // Modes.
  await file('modes/setuid-tool', '#!/bin/sh\n', 0o4755);
  await file('modes/setgid-tool', '#!/bin/sh\n', 0o2750);
  await fs.mkdir(at('modes/sticky'), { mode: 0o1777 });
  await fs.chmod(at('modes/sticky'), 0o1777);
  await file('modes/none', 'no rights\n', 0o000);

  // Times: before 1970, near and after 2106, nanoseconds.
  const times: Array<[string, string]> = [
    ['times/1969.conf', '1969-07-20 20:17:40.5 UTC'],
    ['times/2099.conf', '2099-12-31 23:59:59 UTC'],
    ['times/2200.conf', '2200-01-01 00:00:00.123456789 UTC'],
    ['times/nanos.conf', '2023-11-14 22:13:20.987654321 UTC'],
  ];
  for (const [p, when] of times) {
    await file(p, `${when}\n`);
    await run('touch', ['-h', '-m', '-d', when, at(p)]);
  }

  // xattrs and a POSIX ACL.
  await file('meta/xattr.conf', 'with xattrs\n');
  await run('setfattr', ['-n', 'user.configsync', '-v', 'kept', at('meta/xattr.conf')]);
  await file('meta/acl.conf', 'with an acl\n', 0o640);
  await run('setfacl', ['-m', `u:${SERVICE_ACCOUNT}:r`, at('meta/acl.conf')]);

  // A sparse file: 16 MiB with one block of data in the middle.
  await file('sparse/disk.img', Buffer.alloc(0));
  const h = await fs.open(at('sparse/disk.img'), 'r+');
  await h.write(Buffer.from('data in the middle'), 0, 18, 8 * 1024 * 1024);
  await h.truncate(16 * 1024 * 1024);
  await h.close();

  // A FIFO.
  await fs.mkdir(at('run'), { recursive: true });
  await run('mkfifo', [at(FIFO_PATH)]);

  // Folder times last (writing inside a folder changes its mtime): one with nanoseconds, and the root.
  await run('touch', ['-m', '-d', '2020-02-02 02:02:02.202020202 UTC', at('names')]);
  await run('touch', ['-m', '-d', '2021-01-01 01:01:01.111111111 UTC', root]);
  return { names };
}

/**
 * `rsync -anciHAX --delete SOURCE/ DEST/`: what rsync would still change, one itemized line each,
 * with the lines the README lists as intended differences left out (`intended` names their paths).
 */
export async function rsyncDifferences(
  source: string,
  dest: string,
  intended: ReadonlyArray<string> = [],
): Promise<string[]> {
  const { stdout } = await run('rsync', ['-anciHAX', '--delete', `${source}/`, `${dest}/`], {
    maxBuffer: 64 * 1024 * 1024,
  });
  // One line per path (rsync writes a newline in a name as \#012): `YXcstpoguax path`.
  return stdout
    .split('\n')
    .filter((l) => l !== '')
    .filter((l) => !intended.includes(l.slice(12)));
}
