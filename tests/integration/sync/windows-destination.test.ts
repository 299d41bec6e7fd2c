import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compose, type ComposedApp } from '../../../src-main/compose.js';
import { startSshd, type SshdServer } from '../../support/sshd.js';
import { makeTempDir } from '../../support/temp.js';
import { provisionServers, rpc } from '../../support/app.js';

/**
 * A destination whose capabilities say Windows. The probe's result is kept in the server record
 * (`capabilities`), and that record is what every run reads: here it is set there, as a probe of a
 * Windows OpenSSH server would have left it (its SFTP home names a drive), over a real sshd.
 */
describe('a Windows destination: names it cannot hold are skipped one by one, the rest is synced', () => {
  let sshd: SshdServer;
  let app: ComposedApp;
  let tmp: { dir: string; cleanup: () => Promise<void> };
  let id: string;
  const src = () => join(tmp.dir, 'src');
  const dest = () => join(sshd.dataRoot, 'conf');
  const store = () => join(tmp.dir, 'store');

  beforeAll(async () => {
    sshd = await startSshd();
    tmp = await makeTempDir('configsync-windows-');
    await mkdir(join(src(), 'logs'), { recursive: true });
    await mkdir(join(src(), 'aux'), { recursive: true });
    await mkdir(dest(), { recursive: true });
    const files: Record<string, string> = {
      'app.conf': 'listen 80\n',
      CON: 'device\n',
      'nul.txt': 'device\n',
      'what?.conf': 'question\n',
      'colon:name.conf': 'colon\n',
      'trailing.': 'dot\n',
      'Readme.md': 'one\n',
      'README.md': 'two\n',
      'logs/app.log': 'log\n',
      'aux/inside.conf': 'under a device name\n',
    };
    for (const [p, content] of Object.entries(files)) await writeFile(join(src(), p), content);
    app = compose({ dataDir: store(), shell: 'cli', log: () => undefined });
    await rpc(app, 'servers.edit', { id: 'local', patch: { vars: { CONFIG_ROOT: src() } } });
    await rpc(app, 'servers.setRole', { id: 'local', role: 'primary' });
    [id] = (await provisionServers(app, [
      { name: 'win', sshd, role: 'secondary', vars: { CONFIG_ROOT: dest() }, timeoutSec: 10 },
    ])) as [string];
    // The probe runs on first contact and is kept with the server; then the record says Windows.
    expect((await rpc(app, 'servers.test', { id })).ok).toBe(true);
    await app.dispose();
    const doc = JSON.parse(await readFile(join(store(), 'config.json'), 'utf8')) as {
      servers: Array<{ id: string; capabilities?: Record<string, unknown> }>;
    };
    const server = doc.servers.find((s) => s.id === id);
    expect(server?.capabilities).toMatchObject({ shell: 'posix', os: 'posix' });
    if (server?.capabilities) server.capabilities.os = 'windows';
    await writeFile(join(store(), 'config.json'), JSON.stringify(doc));
    app = compose({ dataDir: store(), shell: 'cli', log: () => undefined });
  }, 60_000);
  afterAll(async () => {
    await app?.dispose();
    await sshd?.stop();
    await tmp?.cleanup();
  });

  it('lists each name with its reason as skipped, applies the rest, and the run completes', async () => {
    const { set } = await rpc(app, 'sets.save', {
      set: { name: 'win', items: [{ path: '${CONFIG_ROOT}' }] },
    });
    const plan = await rpc(app, 'sync.plan', { setId: set.id });
    const target = plan.targets[0];
    expect(target?.ok).toBe(true);
    const { entries } = await rpc(app, 'sync.entries', {
      planId: plan.planId,
      targetId: target?.targetId ?? '',
      offset: 0,
      limit: 100,
      actions: ['skip'],
    });
    const skipped = Object.fromEntries(
      (entries as Array<{ path: string; action: string; reason: string }>)
        .filter((e) => e.action === 'skip')
        .map((e) => [e.path, e.reason]),
    );
    expect(skipped).toEqual({
      CON: expect.stringMatching(/device name on Windows \(CON\)/),
      'nul.txt': expect.stringMatching(/device name on Windows \(NUL\)/),
      'what?.conf': expect.stringMatching(/holds "\?"/),
      'colon:name.conf': expect.stringMatching(/holds ":"/),
      'trailing.': expect.stringMatching(/ends in a dot/),
      'Readme.md': 'differs only in case from "README.md": a Windows destination holds one of them',
      aux: expect.stringMatching(/device name on Windows \(AUX\)/),
      'aux/inside.conf': expect.stringMatching(/cannot hold this name: "aux" is a device name/),
    });
    const { runId } = await rpc(app, 'sync.apply', { planId: plan.planId });
    const record = await rpc(app, 'sync.wait', { runId });
    expect(record.reports.map((r) => [r.status, r.filesWritten])).toEqual([['completed', 3]]);
    expect((await readdir(dest())).filter((n) => !n.startsWith('.configsync')).sort()).toEqual([
      'README.md',
      'app.conf',
      'logs',
    ]);
  });
});
