import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { apply } from '../../../src-main/engine/apply.js';
import { readManifest, restoreBackup } from '../../../src-main/engine/backup.js';
import { plan } from '../../../src-main/engine/plan.js';
import { scan } from '../../../src-main/engine/scan.js';
import { LocalEndpoint } from '../../../src-main/transport/local-endpoint.js';
import type { SshConnection } from '../../../src-main/transport/ssh-connection.js';
import { SshEndpoint } from '../../../src-main/transport/ssh-endpoint.js';
import { startSshd, type SshdServer } from '../../support/sshd.js';
import { makeTempDir } from '../../support/temp.js';
import { connect } from '../engine/tree.js';

const run = promisify(execFile);
const N = 300;

// The record of what a run left holds each written file's inode where the read-back listing gives
// it; a restore then leaves (and lists) a file replaced since by a copy with the same bytes, size
// and mtime, which size, mtime and hash alone cannot tell.
describe('the inode of what a run left is recorded and checked', () => {
  let server: SshdServer;
  let conn: SshConnection;
  let tmp: { dir: string; cleanup: () => Promise<void> };
  let source: string;
  let dest: string;

  beforeAll(async () => {
    server = await startSshd();
    conn = await connect(server);
    tmp = await makeTempDir('configsync-inodes-');
    source = join(tmp.dir, 'etc');
    dest = join(server.dataRoot, 'etc');
    await fs.mkdir(source, { recursive: true });
    await fs.mkdir(dest, { recursive: true });
    for (let i = 0; i < N; i++) {
      await fs.writeFile(join(source, `f${i}.conf`), `new ${i}\n`);
      await fs.writeFile(join(dest, `f${i}.conf`), `old ${i}, longer\n`);
    }
  }, 60_000);
  afterAll(async () => {
    conn?.close();
    await server?.stop();
    await tmp?.cleanup();
  });

  it('records the inodes the listing gives, and a restore leaves a same-bytes replacement', async () => {
    const local = new LocalEndpoint();
    const ssh = new SshEndpoint(conn, { fastPath: true, label: 'dest' });
    const [s, d] = await Promise.all([scan(local, source), scan(ssh, dest)]);
    const p = plan(s, d, { mode: 'mirror', compare: 'time-size', toleranceMs: 0 });
    const report = await apply(p, local, ssh, { setName: 'ino', stateDir: join(tmp.dir, 'state') });
    expect(report.status).toBe('completed');
    expect(report.warnings ?? []).toEqual([]);

    const m = await readManifest(ssh, report.backupDir ?? '');
    const after = new Map((m.after ?? []).map((a) => [a.path, a.seen]));
    for (const f of ['f0.conf', 'f7.conf']) {
      const st = await fs.lstat(join(dest, f));
      expect(after.get(f)?.ino, f).toBe(`${st.dev}:${st.ino}`);
    }

    // Replaced by a copy of itself: same bytes, size and mtime, another inode (as some tools write).
    const f = join(dest, 'f7.conf');
    const inode = (await fs.lstat(f)).ino;
    await run('cp', ['-p', f, `${f}.tmp`]);
    await fs.rename(`${f}.tmp`, f);
    expect((await fs.lstat(f)).ino).not.toBe(inode);

    // The hashes and inodes the run recorded after its manifest are files of their own beside it:
    // one that is not what the run wrote stops a restore before it changes anything.
    const inodesFile = join(report.backupDir ?? '', 'inodes.json');
    const recorded = await fs.readFile(inodesFile);
    expect(JSON.parse(recorded.toString()) as unknown[]).toHaveLength(N);
    await fs.writeFile(inodesFile, '{"f7.conf": "1:2"}');
    await expect(restoreBackup(ssh, report.backupDir ?? '', { expect: 'left' })).rejects.toThrow(
      /inodes\.json is not readable/,
    );
    expect(await fs.readFile(join(dest, 'f0.conf'), 'utf8')).toBe('new 0\n');
    await fs.writeFile(inodesFile, recorded);

    const back = await restoreBackup(ssh, report.backupDir ?? '', { expect: 'left' });
    expect(back.errors).toEqual([]);
    expect(back.left.map((l) => l.path)).toEqual(['f7.conf']);
    expect(back.left[0]?.message).toMatch(/inode/);
    expect(back.restored).toBe(N - 1);
    expect(await fs.readFile(f, 'utf8')).toBe('new 7\n');
    expect(await fs.readFile(join(dest, 'f0.conf'), 'utf8')).toBe('old 0, longer\n');
  });
});
