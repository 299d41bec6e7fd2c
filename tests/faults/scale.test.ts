import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { LocalEndpoint } from '../../src-main/transport/local-endpoint.js';
import type { SshConnection } from '../../src-main/transport/ssh-connection.js';
import { SshEndpoint } from '../../src-main/transport/ssh-endpoint.js';
import { connect } from '../integration/engine/tree.js';
import { startSshd, type SshdServer } from '../support/sshd.js';
import { makeTempDir } from '../support/temp.js';
import { MIRROR, planAndApply, planBetween } from './engine-run.js';

const sh = promisify(execFile);
const MiB = 1024 * 1024;
const MARKS = [0, 1024 ** 3 + 17, 3 * 1024 ** 3 - 5];

describe('[slow] scale: 100,000 entries in one folder and a 3 GiB sparse file', () => {
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

  it('[slow] 100,000 files in one folder: synced, re-planned as all kept, memory bounded', async () => {
    const src = join(tmp.dir, 'many');
    const dst = join(s.dataRoot, 'many');
    await fs.mkdir(join(src, 'flat'), { recursive: true });
    await sh('sh', [
      '-c',
      `cd '${join(src, 'flat')}' && seq -f 'f%06g.conf' 1 100000 | xargs touch && echo changed > f000007.conf`,
    ]);
    const ssh = new SshEndpoint(conn, { fastPath: true });
    const rss0 = process.memoryUsage().rss;
    const report = await planAndApply(new LocalEndpoint(), src, ssh, dst, {
      stateDir: join(s.baseDir, 'state-many'),
    });
    const grown = process.memoryUsage().rss - rss0;
    expect(report.status).toBe('completed');
    expect(report.filesWritten).toBe(100_000);
    expect((await fs.readdir(join(dst, 'flat'))).length).toBe(100_000);
    expect(await fs.readFile(join(dst, 'flat/f000007.conf'), 'utf8')).toBe('changed\n');
    // Loose: the indexes and the plan of 100,000 entries, not the data, are what may be held.
    expect(grown).toBeLessThan(600 * MiB);
    const again = await planBetween(new LocalEndpoint(), src, ssh, dst, MIRROR);
    expect(again.summary.counts.keep).toBe(100_001);
    expect(again.summary.counts.create + again.summary.counts.update + again.summary.counts.delete).toBe(0);
  });

  it('[slow] a 3 GiB sparse file, compared by checksum: streamed (bounded memory), hashes verified on both sides', async () => {
    const src = join(tmp.dir, 'sparse');
    const dst = join(s.dataRoot, 'sparse');
    await fs.mkdir(src, { recursive: true });
    await fs.mkdir(dst, { recursive: true });
    const img = join(src, 'disk.img');
    await sh('truncate', ['-s', '3G', img]);
    // A few real bytes in the holes, so a transfer that drops data shows in the hash.
    const fh = await fs.open(img, 'r+');
    for (const at of MARKS) await fh.write(Buffer.from('DATA!'), 0, 5, at);
    await fh.close();
    await fs.writeFile(join(dst, 'disk.img'), 'old small image');
    const ssh = new SshEndpoint(conn, { fastPath: true });
    const rss0 = process.memoryUsage().rss;
    let peak = rss0;
    const phases: string[] = [];
    const t0 = Date.now();
    const report = await planAndApply(
      new LocalEndpoint(),
      src,
      ssh,
      dst,
      {
        stateDir: join(s.baseDir, 'state-sparse'),
        onProgress: (p) => {
          peak = Math.max(peak, process.memoryUsage().rss);
          if (phases.at(-1)?.startsWith(p.phase) !== true) phases.push(`${p.phase} @${Date.now() - t0}ms`);
        },
      },
      { ...MIRROR, compare: 'checksum' },
    );
    if (process.env.FAULTS_VERBOSE) console.log(phases.join(', '));
    expect(report.status).toBe('completed');
    expect(report.verified).toBe(true);
    expect(report.bytesWritten).toBe(3 * 1024 ** 3);
    expect(peak - rss0).toBeLessThan(400 * MiB);
    expect((await fs.stat(join(dst, 'disk.img'))).size).toBe(3 * 1024 ** 3);
    // The engine verified the checksum on the destination; the marked bytes are checked here as well.
    const out = await fs.open(join(dst, 'disk.img'), 'r');
    for (const at of MARKS) {
      const b = Buffer.alloc(5);
      await out.read(b, 0, 5, at);
      expect(b.toString()).toBe('DATA!');
    }
    await out.close();
  });
});
