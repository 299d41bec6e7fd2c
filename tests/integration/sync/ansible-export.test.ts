import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { compose, type ComposedApp } from '../../../src-main/compose.js';
import { startSshd, type SshdServer } from '../../support/sshd.js';
import { makeTempDir } from '../../support/temp.js';
import { provisionServers, rpc } from '../../support/app.js';
import { runCliIn } from '../../support/cli.js';

const run = promisify(execFile);
const PLAYBOOK = '/usr/bin/ansible-playbook';

/** What `rsync -anci` finds between two trees (the roots' own times left out). */
function rsyncDiff(a: string, b: string): string {
  return execFileSync('rsync', ['-anci', '--delete', `${a}/`, `${b}/`], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l !== '' && !/^\.d\.\.t\.+ \.\/$/.test(l))
    .join('\n');
}

/**
 * The Ansible export run by Debian's ansible-playbook against real sshd, and its result compared with
 * ConfigSync's own sync of the same set to a twin destination.
 */
describe.skipIf(!existsSync(PLAYBOOK))('Ansible export: the same sync, run by ansible-playbook', () => {
  let byConfigSync: SshdServer;
  let byAnsible: SshdServer;
  let tmp: { dir: string; cleanup: () => Promise<void> };
  let app: ComposedApp;
  let ids: string[];
  const src = () => join(tmp.dir, 'src');
  const root = (s: SshdServer) => join(s.dataRoot, 'conf');

  beforeAll(async () => {
    [byConfigSync, byAnsible] = await Promise.all([startSshd(), startSshd()]);
    tmp = await makeTempDir('configsync-ansible-');
    await mkdir(join(src(), 'sites'), { recursive: true });
    await writeFile(join(src(), 'app.conf'), 'port=8080\n');
    await writeFile(join(src(), 'sites', 'a.conf'), 'server a\n', { mode: 0o640 });
    await writeFile(join(src(), 'site.lic'), 'licensed to the primary\n');
    for (const s of [byConfigSync, byAnsible]) {
      await mkdir(root(s), { recursive: true });
      await writeFile(join(root(s), 'app.conf'), 'port=1\n');
      await writeFile(join(root(s), 'stale.conf'), 'old\n');
      await writeFile(join(root(s), 'keep1.conf'), 'same\n');
      await writeFile(join(root(s), 'keep2.conf'), 'same\n');
      await writeFile(join(root(s), 'site.lic'), 'licensed to this one\n');
    }
    for (const f of ['keep1.conf', 'keep2.conf']) await writeFile(join(src(), f), 'same\n');
    app = compose({ dataDir: join(tmp.dir, 'store'), shell: 'cli', log: () => undefined });
    await rpc(app, 'servers.edit', { id: 'local', patch: { vars: { CONFIG_ROOT: src() } } });
    await rpc(app, 'servers.setRole', { id: 'local', role: 'primary' });
    ids = await provisionServers(app, [
      {
        name: 'by-configsync',
        sshd: byConfigSync,
        role: 'not-selected',
        vars: { CONFIG_ROOT: root(byConfigSync) },
      },
      { name: 'by-ansible', sshd: byAnsible, role: 'secondary', vars: { CONFIG_ROOT: root(byAnsible) } },
    ]);
  }, 60_000);
  afterAll(async () => {
    await app?.dispose();
    await Promise.all([byConfigSync?.stop(), byAnsible?.stop()]);
    await tmp?.cleanup();
  });

  it('writes inventory, playbook and known_hosts; ansible-playbook leaves the tree ConfigSync leaves', async () => {
    const { set } = await rpc(app, 'sets.save', {
      set: {
        name: 'app',
        items: [{ path: '${CONFIG_ROOT}' }],
        compare: 'checksum',
        validateCommand: 'test -f app.conf && grep -q port= app.conf',
        postApplyCommand: 'date > ../post-apply-ran',
        rollout: { order: 'canary', parallel: 2 },
      },
    });
    const out = join(tmp.dir, 'ansible');
    const exported = await rpc(app, 'export.ansible', { setId: set.id, path: out });
    expect(exported).toMatchObject({ hosts: 1, skipped: [] });
    const playbook = await readFile(join(out, 'playbook.yml'), 'utf8');
    expect(playbook).toContain('ansible.posix.synchronize');
    expect(playbook).toContain('serial: [1,2]');
    expect(playbook).toContain('notify: post-apply');
    expect(await readFile(join(out, 'known_hosts'), 'utf8')).toMatch(
      /^\[127\.0\.0\.1\]:\d+ ssh-ed25519 AAAA/,
    );

    const ansible = await run(PLAYBOOK, ['-i', 'inventory.ini', 'playbook.yml'], {
      cwd: out,
      env: {
        ...process.env,
        ANSIBLE_NOCOLOR: '1',
        ANSIBLE_LOCALHOST_WARNING: 'false',
        ANSIBLE_RETRY_FILES_ENABLED: 'false',
      },
      timeout: 300_000,
    });
    expect(ansible.stdout).toMatch(/by-ansible\s*: ok=\d+\s+changed=[1-9]\d*\s+unreachable=0\s+failed=0/);

    // ConfigSync's own sync of the same set to the twin.
    await rpc(app, 'servers.setRole', { id: ids[0] ?? '', role: 'secondary' });
    await rpc(app, 'servers.commit', {});
    const plan = await rpc(app, 'sync.plan', { setId: set.id, destinationServerIds: [ids[0] ?? ''] });
    const { runId } = await rpc(app, 'sync.apply', { planId: plan.planId });
    const record = await rpc(app, 'sync.wait', { runId });
    expect(record.reports.map((r) => r.status)).toEqual(['completed']);

    expect(rsyncDiff(root(byConfigSync), root(byAnsible))).toBe('');
    // The license stays each destination's own; the overwritten and deleted files were backed up first.
    expect(await readFile(join(root(byAnsible), 'site.lic'), 'utf8')).toBe('licensed to this one\n');
    const backups = execFileSync(
      'find',
      [`${root(byAnsible)}.configsync-backups`, '-type', 'f', '-printf', '%P\n'],
      {
        encoding: 'utf8',
      },
    );
    expect(
      backups
        .split('\n')
        .filter(Boolean)
        .map((p) => p.replace(/^[^/]+\//, ''))
        .sort(),
    ).toEqual(['app.conf', 'stale.conf']);
    expect(existsSync(join(byAnsible.dataRoot, 'post-apply-ran'))).toBe(true);
    expect(existsSync(`${root(byAnsible)}.configsync-shadow`)).toBe(false);
  }, 360_000);

  it('a failing validate command leaves the destination as it was', async () => {
    const { sets } = await rpc(app, 'sets.list', {});
    const set = sets.find((s) => s.name === 'app');
    await rpc(app, 'sets.save', {
      set: { ...set, id: set?.id, validateCommand: 'grep -q port=9999 app.conf' } as never,
    });
    await writeFile(join(src(), 'app.conf'), 'port=7070\n');
    // Exported by the CLI this time, on the same store (both servers are secondaries by now).
    const out = join(tmp.dir, 'ansible-failing');
    const cli = await runCliIn(join(tmp.dir, 'store'), 'export', 'ansible', '--set', 'app', '--out', out);
    expect([cli.code, cli.out]).toEqual([0, expect.stringMatching(/playbook\.yml.*\(2 destinations\)/)]);
    const before = await Promise.all(
      [byAnsible, byConfigSync].map((s) => readFile(join(root(s), 'app.conf'), 'utf8')),
    );
    const failed = await run(PLAYBOOK, ['-i', 'inventory.ini', 'playbook.yml'], {
      cwd: out,
      timeout: 300_000,
    }).then(
      () => null,
      (err: { stdout?: string }) => err.stdout ?? '',
    );
    // The canary fails its validation, so (any_errors_fatal) the other destination is not started either.
    expect(failed).toMatch(/failed=1/);
    expect(
      await Promise.all([byAnsible, byConfigSync].map((s) => readFile(join(root(s), 'app.conf'), 'utf8'))),
    ).toEqual(before);
    expect(before).toEqual(['port=8080\n', 'port=8080\n']);
  }, 360_000);
});
