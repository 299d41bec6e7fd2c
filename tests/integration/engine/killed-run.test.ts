import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { recover } from '../../../src-main/engine/recover.js';
import { rootStateDir } from '../../../src-main/engine/state-dir.js';
import { SshEndpoint } from '../../../src-main/transport/ssh-endpoint.js';
import type { SshConnection } from '../../../src-main/transport/ssh-connection.js';
import { makeTempDir } from '../../support/temp.js';
import { startSshd, type SshdServer } from '../../support/sshd.js';
import { connect, makeTree, snapshot, type Spec } from './tree.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/killable-apply.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const T = 1_700_000_000_000;

function sourceSpec(): Spec {
  const spec: Spec = { 'big/payload.bin': { content: Buffer.alloc(3_000_000, 9), mtimeMs: T } };
  for (let i = 0; i < 20; i++)
    spec[`conf/file${String(i).padStart(2, '0')}.cfg`] = { content: `new ${i}\n`.repeat(50), mtimeMs: T };
  return spec;
}
function destSpec(): Spec {
  const spec: Spec = {
    'big/payload.bin': { content: Buffer.alloc(100_000, 1), mtimeMs: T - 1e7 },
    'extra.txt': 'old extra',
  };
  for (let i = 0; i < 20; i++)
    spec[`conf/file${String(i).padStart(2, '0')}.cfg`] = { content: `old ${i}\n`, mtimeMs: T - 1e7 };
  return spec;
}

/** Runs the fixture in its own process group and kills the whole group with SIGKILL once it froze. */
function runAndKill(args: object): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['tsx', FIXTURE, JSON.stringify(args)], {
      cwd: REPO,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('STALLED')) process.kill(-(child.pid ?? 0), 'SIGKILL');
    });
    child.on('close', (_code, signal) => {
      if (out.includes('STALLED') && signal === 'SIGKILL') resolve();
      else reject(new Error(`the fixture did not freeze: ${out} ${err}`));
    });
  });
}

describe('a run killed with SIGKILL', () => {
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

  /** The user confirmed breaking the lock the killed process left. */
  const BREAK = { lock: { breakStale: true } } as const;

  async function killAt(stallAt: 'transfer' | 'swap') {
    n++;
    const src = join(tmp.dir, `src${n}`);
    const dst = join(s.dataRoot, `dst${n}`);
    const stateDir = join(s.dataRoot, `state${n}`);
    await makeTree(src, sourceSpec());
    await makeTree(dst, destSpec());
    const before = await snapshot(dst);
    const args = {
      host: s.host,
      port: s.port,
      user: s.user,
      privateKey: s.clientKey.privateKey,
      fingerprint: s.hostKeyFingerprint,
      src,
      dst,
      stateDir,
      stallAt,
    };
    await runAndKill(args);
    const rootState = rootStateDir(stateDir, dst);
    const [journalName] = (await fs.readdir(join(rootState, 'journal'))).filter((n) => n.endsWith('.json'));
    const journalPath = join(rootState, 'journal', journalName ?? '');
    const phase = (JSON.parse(await fs.readFile(journalPath, 'utf8')) as { phase: string }).phase;
    return { src, dst, before, journalPath, phase, source: await snapshot(src) };
  }

  /** Every live path holds a whole old file or a whole new file, never anything else. */
  function wholeFilesOnly(
    now: Record<string, string>,
    before: Record<string, string>,
    source: Record<string, string>,
  ) {
    for (const [p, v] of Object.entries(now)) expect([before[p], source[p]], p).toContain(v);
  }

  it('mid-transfer: nothing live changed, and recover rolls back (drops staging)', async () => {
    const r = await killAt('transfer');
    expect(r.phase).toBe('backed-up');
    expect(await snapshot(r.dst)).toEqual(r.before);
    const staged = (await fs.readdir(r.dst)).filter((x) => x.startsWith('.configsync-staging-'));
    expect(staged).toHaveLength(1);
    const res = await recover(new SshEndpoint(conn, { fastPath: true }), r.journalPath, 'complete', BREAK);
    expect(res.outcome).toBe('rolled-back');
    expect(await snapshot(r.dst, () => false)).toEqual(r.before);
    expect((JSON.parse(await fs.readFile(r.journalPath, 'utf8')) as { phase: string }).phase).toBe(
      'rolled-back',
    );
  });

  it('mid-swap: whole files only, and recover completes the run from the journal', async () => {
    const r = await killAt('swap');
    expect(r.phase).toBe('swapping');
    const mid = await snapshot(r.dst);
    wholeFilesOnly(mid, r.before, r.source);
    expect(mid).not.toEqual(r.before);
    // The killed process's lock stays until the user confirms breaking it; nothing is touched till then.
    await expect(recover(new SshEndpoint(conn, { fastPath: true }), r.journalPath)).rejects.toMatchObject({
      code: 'DESTINATION_LOCKED',
      message: expect.stringMatching(/process is gone/),
    });
    expect(await snapshot(r.dst)).toEqual(mid);
    const res = await recover(new SshEndpoint(conn, { fastPath: true }), r.journalPath, 'complete', BREAK);
    expect(res).toMatchObject({ outcome: 'completed', errors: [] });
    expect(await snapshot(r.dst, () => false)).toEqual(r.source);
    expect((JSON.parse(await fs.readFile(r.journalPath, 'utf8')) as { phase: string }).phase).toBe('done');
  });

  it('mid-swap: recover can roll back instead, byte for byte', async () => {
    const r = await killAt('swap');
    wholeFilesOnly(await snapshot(r.dst), r.before, r.source);
    const res = await recover(new SshEndpoint(conn, { fastPath: false }), r.journalPath, 'rollback', BREAK);
    expect(res).toMatchObject({ outcome: 'rolled-back', errors: [] });
    expect(await snapshot(r.dst, () => false)).toEqual(r.before);
  });
});
