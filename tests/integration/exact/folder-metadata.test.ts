import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { apply } from '../../../src-main/engine/apply.js';
import { plan } from '../../../src-main/engine/plan.js';
import { scan } from '../../../src-main/engine/scan.js';
import { LocalEndpoint } from '../../../src-main/transport/local-endpoint.js';
import type { SshConnection } from '../../../src-main/transport/ssh-connection.js';
import { SshEndpoint } from '../../../src-main/transport/ssh-endpoint.js';
import type { PlanOptions } from '../../../src-shared/model/sync.js';
import { rsyncDifferences } from '../../support/nasty-tree.js';
import { startSshd, type SshdServer } from '../../support/sshd.js';
import { makeTempDir } from '../../support/temp.js';
import { connect } from '../engine/tree.js';

const mirror: PlanOptions = { mode: 'mirror', compare: 'time-size', toleranceMs: 0 };
const SRC_ROOT_TIME = new Date('2022-02-02T02:02:02.222Z');

// A difference of metadata alone, on the root folder itself or on a folder, is a planned change
// ("update"), and after the run rsync -anciHAX --delete prints nothing.
describe('metadata-only differences of folders and of the root are planned and applied', () => {
  let server: SshdServer;
  let conn: SshConnection;
  let tmp: { dir: string; cleanup: () => Promise<void> };
  let source: string;

  beforeAll(async () => {
    server = await startSshd();
    conn = await connect(server);
    tmp = await makeTempDir('configsync-folder-meta-');
    source = join(tmp.dir, 'etc');
    await fs.mkdir(join(source, 'sub'), { recursive: true });
    await fs.writeFile(join(source, 'a.conf'), 'a\n');
    await fs.writeFile(join(source, 'sub', 'b.conf'), 'b\n');
    await fs.chmod(join(source, 'sub'), 0o750);
    await fs.utimes(join(source, 'sub'), SRC_ROOT_TIME, SRC_ROOT_TIME);
    await fs.chmod(source, 0o755);
    await fs.utimes(source, SRC_ROOT_TIME, SRC_ROOT_TIME);
  }, 60_000);
  afterAll(async () => {
    conn?.close();
    await server?.stop();
    await tmp?.cleanup();
  });

  const sync = async (dest: string) => {
    const local = new LocalEndpoint();
    const ssh = new SshEndpoint(conn, { fastPath: true, label: 'dest' });
    const [s, d] = await Promise.all([scan(local, source), scan(ssh, dest)]);
    const p = plan(s, d, mirror);
    const report = await apply(p, local, ssh, { setName: 'meta', stateDir: join(tmp.dir, 'state') });
    return { plan: p, report };
  };
  const changes = (p: Awaited<ReturnType<typeof sync>>['plan']) =>
    p.entries.filter((e) => e.action !== 'keep').map((e) => [e.path, e.action, e.reason]);

  it('the root with only its mtime, then only its mode, different: one planned update each, then rsync prints nothing', async () => {
    const dest = join(server.dataRoot, 'root-only');
    expect((await sync(dest)).report.status).toBe('completed');
    expect(await rsyncDifferences(source, dest)).toEqual([]);

    await fs.utimes(dest, new Date('2030-01-01T00:00:00Z'), new Date('2030-01-01T00:00:00Z'));
    expect(await rsyncDifferences(source, dest)).toEqual(['.d..t...... ./']);
    const byTime = await sync(dest);
    expect(changes(byTime.plan)).toEqual([
      ['', 'update', expect.stringMatching(/^the root folder itself: folder modified time differs/)],
    ]);
    expect(byTime.plan.summary.counts.update).toBe(1);
    expect(byTime.report).toMatchObject({ status: 'completed', errors: [], mismatches: [], applied: [''] });
    expect(await rsyncDifferences(source, dest)).toEqual([]);

    await fs.chmod(dest, 0o700);
    const byMode = await sync(dest);
    expect(changes(byMode.plan)).toEqual([
      ['', 'update', 'the root folder itself: permissions differ (0700 → 0755)'],
    ]);
    expect(byMode.report.status).toBe('completed');
    expect(await rsyncDifferences(source, dest)).toEqual([]);
    expect((await fs.stat(dest)).mode & 0o7777).toBe(0o755);
    // Nothing is left to do: the next plan is empty.
    expect(changes((await sync(dest)).plan)).toEqual([]);
  });

  it('a folder with only its mode, or only its owner, different: planned and set; rsync prints nothing', async () => {
    const dest = join(server.dataRoot, 'folder-only');
    expect((await sync(dest)).report.status).toBe('completed');
    await fs.chmod(join(dest, 'sub'), 0o700);
    const byMode = await sync(dest);
    expect(changes(byMode.plan)).toEqual([['sub', 'update', 'permissions differ (0700 → 0750)']]);
    expect(byMode.report.status).toBe('completed');
    expect(await rsyncDifferences(source, dest)).toEqual([]);

    const st = await fs.stat(join(dest, 'sub'));
    await fs.chown(join(dest, 'sub'), 4242, 4242);
    await fs.utimes(join(dest, 'sub'), st.atime, st.mtime);
    const byOwner = await sync(dest);
    expect(changes(byOwner.plan)).toEqual([['sub', 'update', expect.stringMatching(/owner/)]]);
    expect(byOwner.report.status).toBe('completed');
    expect(await rsyncDifferences(source, dest)).toEqual([]);
    expect((await fs.stat(join(dest, 'sub'))).uid).toBe((await fs.stat(join(source, 'sub'))).uid);
  });
});
