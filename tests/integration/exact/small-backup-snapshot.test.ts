import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { apply } from '../../../src-main/engine/apply.js';
import { restoreBackup } from '../../../src-main/engine/backup.js';
import { plan } from '../../../src-main/engine/plan.js';
import { scan } from '../../../src-main/engine/scan.js';
import { LocalEndpoint } from '../../../src-main/transport/local-endpoint.js';
import type { SshConnection } from '../../../src-main/transport/ssh-connection.js';
import { SshEndpoint } from '../../../src-main/transport/ssh-endpoint.js';
import { startSshd, type SshdServer } from '../../support/sshd.js';
import { makeTempDir } from '../../support/temp.js';
import { connect } from '../engine/tree.js';

const run = promisify(execFile);
const xattr = async (p: string) => (await run('getfattr', ['--absolute-names', '-d', p])).stdout;
const acl = async (p: string) => (await run('getfacl', ['--absolute-names', '-cp', p])).stdout;

// A run of a few files (one to eight, which once went over SFTP) backs up what it overwrites as a
// true snapshot: content, mode, owner, mtime, xattrs and POSIX ACLs; a restore puts all of it back.
describe('the backup of a small run is a true snapshot, xattrs and ACLs included', () => {
  let server: SshdServer;
  let conn: SshConnection;
  let tmp: { dir: string; cleanup: () => Promise<void> };
  let source: string;
  let dest: string;

  beforeAll(async () => {
    server = await startSshd();
    conn = await connect(server);
    tmp = await makeTempDir('configsync-small-backup-');
    source = join(tmp.dir, 'etc');
    dest = join(server.dataRoot, 'etc');
    await fs.mkdir(source, { recursive: true });
    await fs.mkdir(dest, { recursive: true });
    for (const f of ['a.conf', 'b.conf']) {
      await fs.writeFile(join(source, f), `new ${f}\n`);
      await fs.writeFile(join(dest, f), `old ${f}, longer\n`);
      await run('setfattr', ['-n', 'user.note', '-v', `kept-${f}`, join(dest, f)]);
      await run('setfacl', ['-m', 'u:4242:r--,g:4243:rw-', join(dest, f)]);
      await fs.chown(join(dest, f), 4242, 4243);
      await fs.chmod(join(dest, f), 0o640);
    }
  }, 60_000);
  afterAll(async () => {
    conn?.close();
    await server?.stop();
    await tmp?.cleanup();
  });

  it('keeps xattrs, ACLs, owner and mode in the backup, and puts them back on restore', async () => {
    const before = {
      xattr: await xattr(join(dest, 'a.conf')),
      acl: await acl(join(dest, 'a.conf')),
      stat: await fs.stat(join(dest, 'a.conf')),
    };
    expect(before.xattr).toContain('user.note="kept-a.conf"');
    expect(before.acl).toContain('user:4242:r--');

    const local = new LocalEndpoint();
    const ssh = new SshEndpoint(conn, { fastPath: true, label: 'dest' });
    const [s, d] = await Promise.all([scan(local, source), scan(ssh, dest)]);
    const p = plan(s, d, { mode: 'mirror', compare: 'time-size', toleranceMs: 0, xattrs: false });
    expect(p.entries.filter((e) => e.action === 'update').map((e) => e.path)).toEqual(['a.conf', 'b.conf']);
    const report = await apply(p, local, ssh, { setName: 'small', stateDir: join(tmp.dir, 'state') });
    expect(report.status).toBe('completed');
    expect(await fs.readFile(join(dest, 'a.conf'), 'utf8')).toBe('new a.conf\n');

    for (const f of ['a.conf', 'b.conf']) {
      const copy = join(report.backupDir ?? '', 'files', f);
      expect(await fs.readFile(copy, 'utf8')).toBe(`old ${f}, longer\n`);
      expect(await xattr(copy)).toContain(`user.note="kept-${f}"`);
      const a = await acl(copy);
      expect(a).toContain('user:4242:r--');
      expect(a).toContain('group:4243:rw-');
      const st = await fs.stat(copy);
      expect([st.uid, st.gid, st.mode & 0o7777, st.mtimeMs]).toEqual(
        f === 'a.conf'
          ? [before.stat.uid, before.stat.gid, before.stat.mode & 0o7777, before.stat.mtimeMs]
          : [4242, 4243, expect.any(Number), expect.any(Number)],
      );
    }

    const back = await restoreBackup(ssh, report.backupDir ?? '', { expect: 'left' });
    expect(back).toMatchObject({ restored: 2, errors: [], left: [] });
    expect(await fs.readFile(join(dest, 'a.conf'), 'utf8')).toBe('old a.conf, longer\n');
    expect(await xattr(join(dest, 'a.conf'))).toBe(before.xattr);
    expect(await acl(join(dest, 'a.conf'))).toBe(before.acl);
    const st = await fs.stat(join(dest, 'a.conf'));
    expect([st.uid, st.gid, st.mode & 0o7777]).toEqual([4242, 4243, before.stat.mode & 0o7777]);
  });
});
