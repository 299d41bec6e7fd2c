import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compose, type ComposedApp } from '../../../src-main/compose.js';
import { startSshd, type SshdServer } from '../../support/sshd.js';
import { makeTempDir } from '../../support/temp.js';
import { provisionServers, rpc } from '../../support/app.js';
import { startSmtpSink } from './smtp-sink.js';

const PASSWORD = 'smtp-pa55-for-runs';

describe('a summary e-mail per run, through compose, to a real SMTP server on loopback', () => {
  let primary: SshdServer;
  let second: SshdServer;
  let sink: Awaited<ReturnType<typeof startSmtpSink>>;
  let app: ComposedApp;
  let dataDir: string;
  let cleanup: () => Promise<void>;
  const root = (s: SshdServer) => join(s.dataRoot, 'mailed');

  beforeAll(async () => {
    [primary, second] = await Promise.all([startSshd(), startSshd()]);
    sink = await startSmtpSink({ user: 'configsync', password: PASSWORD });
    const tmp = await makeTempDir();
    cleanup = tmp.cleanup;
    dataDir = join(tmp.dir, 'store');
    app = compose({ dataDir, shell: 'browser', log: () => undefined, background: false });
    await provisionServers(app, [
      { name: 'plant-primary', sshd: primary, role: 'primary', vars: { CONFIG_ROOT: root(primary) } },
      { name: 'plant-backup', sshd: second, role: 'secondary', vars: { CONFIG_ROOT: root(second) } },
    ]);
    await mkdir(root(primary), { recursive: true });
    await writeFile(join(root(primary), 'hmi.conf'), 'screen=1\n');
  });
  afterAll(async () => {
    await app?.dispose();
    await sink?.stop();
    await Promise.all([primary?.stop(), second?.stop()]);
    await cleanup?.();
  });

  it('mails the run summary (set, result, per-server counts) after a run; the password is kept sealed apart', async () => {
    const saved = await rpc(app, 'notify.saveSettings', {
      desktop: 'failures',
      email: 'all',
      smtp: {
        host: '127.0.0.1',
        port: sink.port,
        secure: false,
        user: 'configsync',
        from: 'configsync@plant.example',
        to: ['ops@plant.example'],
      },
      password: PASSWORD,
    });
    expect(saved.hasPassword).toBe(true);
    expect(await readFile(join(dataDir, 'config.json'), 'utf8')).not.toContain(PASSWORD);

    const test = sink.nextMail();
    await rpc(app, 'notify.sendTest', {});
    expect((await test).headers.get('subject')).toBe('[ConfigSync] Test e-mail');

    const { set } = await rpc(app, 'sets.save', {
      set: { name: 'hmi-config', items: [{ path: '${CONFIG_ROOT}' }] },
    });
    const mail = sink.nextMail();
    const plan = await rpc(app, 'sync.plan', { setId: set.id });
    const { runId } = await rpc(app, 'sync.apply', { planId: plan.planId });
    await rpc(app, 'sync.wait', { runId });
    const got = await mail;
    expect(got.recipients).toEqual(['ops@plant.example']);
    expect(got.user).toBe('configsync');
    expect(got.headers.get('subject')).toBe('[ConfigSync] hmi-config: ok (1 ok, 0 failed)');
    expect(got.body).toContain('Trigger: manual');
    expect(got.body).toMatch(/plant-backup: ok - 1 created, 0 updated, 0 deleted/);
    expect(got.body).toContain(`Run id: ${runId}`);
  });
});
