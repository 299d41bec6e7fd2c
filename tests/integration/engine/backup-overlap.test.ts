import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { apply } from '../../../src-main/engine/apply.js';
import { plan } from '../../../src-main/engine/plan.js';
import { scan } from '../../../src-main/engine/scan.js';
import { LocalEndpoint } from '../../../src-main/transport/local-endpoint.js';
import type { SshConnection } from '../../../src-main/transport/ssh-connection.js';
import { SshEndpoint } from '../../../src-main/transport/ssh-endpoint.js';
import type { Progress, RunReport } from '../../../src-shared/model/sync.js';
import { makeTempDir } from '../../support/temp.js';
import { startSshd, type SshdServer } from '../../support/sshd.js';
import { connect, makeTree, snapshot, type Spec } from './tree.js';

const OLD = 1_600_000_000_000;
const NEW = 1_700_000_000_000;
/** Enough overwritten files for a backup of several batches: the transfer then runs while it is taken. */
const FILES = 900;

function tree(prefix: string, mtimeMs: number): Spec {
  const spec: Spec = {};
  for (let i = 0; i < FILES; i++)
    spec[`d${i % 9}/f${String(i).padStart(4, '0')}.conf`] = {
      content: `${prefix} ${i}\n`.repeat(20),
      mtimeMs,
    };
  return spec;
}

describe('a big backup and the transfer run at once (real sshd)', () => {
  let s: SshdServer;
  let conn: SshConnection;
  let tmp: { dir: string; cleanup: () => Promise<void> };
  let n = 0;
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

  async function setup() {
    n++;
    const src = join(tmp.dir, `src${n}`);
    const dst = join(s.dataRoot, `dst${n}`);
    await makeTree(src, tree('new', NEW));
    await makeTree(dst, tree('old', OLD));
    return {
      src,
      dst,
      stateDir: join(s.dataRoot, `state${n}`),
      before: await snapshot(dst),
      source: await snapshot(src),
    };
  }

  async function run(
    c: Awaited<ReturnType<typeof setup>>,
    ssh: SshEndpoint,
    onProgress?: (p: Progress) => void,
  ): Promise<RunReport> {
    const local = new LocalEndpoint();
    const p = plan(await scan(local, c.src), await scan(ssh, c.dst), {
      mode: 'mirror',
      compare: 'time-size',
      toleranceMs: 0,
    });
    return apply(p, local, ssh, {
      stateDir: c.stateDir,
      runId: `overlap-${n}`,
      setName: 'main',
      ...(onProgress ? { onProgress } : {}),
    });
  }

  it('the staged stream starts before the backup is complete; every old file is in the backup, every new one in place; the progress shows the backup, then the transfer, never going back', async () => {
    const c = await setup();
    const ssh = new SshEndpoint(conn, { fastPath: true });
    const events: string[] = [];
    const copyTree = ssh.copyTree.bind(ssh);
    ssh.copyTree = async (...args) => {
      events.push('backup batch started');
      const r = await copyTree(...args);
      events.push('backup batch done');
      return r;
    };
    const tarExtract = ssh.tarExtract.bind(ssh);
    ssh.tarExtract = async (...args) => {
      events.push('stream started');
      return tarExtract(...args);
    };
    const seen: Progress[] = [];
    const r = await run(c, ssh, (p) => seen.push({ ...p }));
    expect(r.status, r.message).toBe('completed');
    // The stream began while batches of the backup were still to come.
    const streamAt = events.indexOf('stream started');
    expect(streamAt).toBeGreaterThanOrEqual(0);
    expect(events.slice(streamAt).filter((e) => e === 'backup batch started').length).toBeGreaterThan(0);
    expect(await snapshot(c.dst)).toEqual(c.source);
    const backedUp = await snapshot(join(r.backupDir ?? '', 'files'));
    expect(backedUp).toEqual(c.before);
    const phases = seen.map((p) => p.phase).filter((p, i, all) => all[i - 1] !== p);
    expect(phases.indexOf('backing-up')).toBeLessThan(phases.indexOf('transferring'));
    expect(phases.filter((p) => p === 'backing-up' || p === 'transferring')).toEqual([
      'backing-up',
      'transferring',
    ]);
    for (const phase of ['backing-up', 'transferring'] as const) {
      const done = seen.filter((p) => p.phase === phase).map((p) => p.filesDone);
      expect(done, phase).toEqual([...done].sort((a, b) => a - b));
    }
  });

  it('a backup that fails while the transfer runs stops it: the run fails with the backup’s reason, nothing live changed, no staging left', async () => {
    const c = await setup();
    const ssh = new SshEndpoint(conn, { fastPath: true });
    const copyTree = ssh.copyTree.bind(ssh);
    let batches = 0;
    let streamed = false;
    ssh.copyTree = async (from, to, items) => {
      const r = await copyTree(from, to, items);
      // The server's cp fails on the second batch (an I/O error), with the transfer under way.
      return ++batches === 2 ? [{ path: items[0]?.path ?? '', message: 'Input/output error' }] : r;
    };
    const tarExtract = ssh.tarExtract.bind(ssh);
    ssh.tarExtract = async (...args) => {
      streamed = true;
      return tarExtract(...args);
    };
    const r = await run(c, ssh);
    expect(streamed).toBe(true);
    expect(r.status).toBe('failed');
    expect(r.code).toBe('BACKUP_FAILED');
    expect(r.message).toMatch(/The backup of .* failed \(Input\/output error\); nothing was changed/);
    expect(r.applied).toEqual([]);
    expect(await snapshot(c.dst)).toEqual(c.before);
    expect((await fs.readdir(c.dst)).filter((x) => x.startsWith('.configsync-'))).toEqual([]);
  });
});
