import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { test, expect, snap } from './support/fixtures.js';
import { connectRpc } from './support/rpc.js';
import { startShellProcess } from './support/browser-shell-process.js';
import { startSshd, type SshdServer } from '../support/sshd.js';
import { makeTempDir } from '../support/temp.js';

/** Manage › Backup Configuration as a page object: one method per thing a user does in it. */
class BackupConfigDialog {
  readonly dialog: Locator;
  constructor(private readonly page: Page) {
    this.dialog = page.getByRole('dialog', { name: 'Backup Configuration' });
  }
  async open(): Promise<void> {
    await this.page.getByRole('menuitem', { name: 'Manage' }).click();
    await this.page.getByRole('menuitem', { name: 'Backup Configuration…' }).click();
    await expect(this.dialog).toBeVisible();
    // Mantine fades the modal in; a screenshot taken mid-transition shows it half drawn.
    await expect(this.dialog).toHaveCSS('opacity', '1');
  }
  tab(name: 'Export' | 'Import'): Locator {
    return this.dialog.getByRole('tab', { name });
  }
  button(name: string): Locator {
    return this.dialog.getByRole('button', { name, exact: true });
  }
  path(): Locator {
    return this.dialog.getByRole('tabpanel').getByRole('textbox', { name: /^Backup file/ });
  }
}

/** Every key of a JSON value, at any depth. */
function keysOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(keysOf);
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => [k, ...keysOf(v)]);
  return [];
}

type BackupFile = {
  servers: Array<{
    id: string;
    name: string;
    kind: string;
    pinnedHostKey?: { fingerprint: string } | null;
    lastContact: unknown;
  }>;
};

/** A backup holds no secret: no secret-looking field, not the app's private key, not any part of it. */
function expectNoSecrets(text: string, privateKey: string): void {
  expect(keysOf(JSON.parse(text)).filter((k) => /password|secret|private|passphrase|token/i.test(k))).toEqual(
    [],
  );
  expect(text).not.toContain('PRIVATE KEY');
  const body = privateKey.split('\n').filter((l) => l && !l.startsWith('-----'));
  expect(body.length).toBeGreaterThan(0);
  for (const line of body) expect(text).not.toContain(line);
}

test.describe('Backup Configuration', () => {
  let sshd: SshdServer;
  let files: { dir: string; cleanup: () => Promise<void> };

  test.beforeAll(async () => {
    sshd = await startSshd();
    files = await makeTempDir('configsync-e2e-backup-');
  });
  test.afterAll(async () => {
    await sshd.stop();
    await files.cleanup();
  });

  test('exports without secrets (file and download), previews an edited file, imports and commits it', async ({
    page,
    shell,
  }) => {
    // Data: a primary with a pinned host key and the app key in use, and two secondaries.
    const rpc = await connectRpc(shell);
    const alpha = await rpc.call('servers.add', {
      server: {
        name: 'alpha',
        host: sshd.host,
        port: sshd.port,
        user: sshd.user,
        role: 'primary',
        contactTimeoutSec: 5,
      },
    });
    await rpc.call('servers.trustHostKey', { id: alpha.id, fingerprint: sshd.hostKeyFingerprint });
    const beta = await rpc.call('servers.add', {
      server: {
        name: 'beta',
        host: '127.0.0.1',
        port: 2201,
        user: 'ops',
        role: 'secondary',
        vars: { CONFIG_ROOT: '/opt/beta/conf' },
      },
    });
    const gamma = await rpc.call('servers.add', {
      server: {
        name: 'gamma',
        host: '127.0.0.1',
        port: 2202,
        user: 'ops',
        role: 'secondary',
        auth: { kind: 'key-file', path: sshd.clientKey.privateKeyPath },
      },
    });
    await rpc.call('servers.commit', {});
    // A test with the app key creates it (login fails: the key is not authorized there, which is fine).
    await rpc.call('servers.test', { id: alpha.id });
    const privatePath = join(shell.dataDir, 'keys', 'id_ed25519');
    expect(existsSync(privatePath)).toBe(true);
    const privateKey = readFileSync(privatePath, 'utf8');

    await page.goto(shell.url);
    const backup = new BackupConfigDialog(page);
    await backup.open();

    // Export: the default path is under the app's data folder.
    await expect(backup.tab('Export')).toHaveAttribute('aria-selected', 'true');
    await expect(backup.path()).toHaveValue(
      new RegExp(
        `^${shell.dataDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/configsync-backup-\\d{4}-\\d{2}-\\d{2}\\.json$`,
      ),
    );
    await snap(page, 'backup-config-1-export');

    const file = join(files.dir, 'servers-backup.json');
    await backup.path().fill(file);
    await backup.button('Export').click();
    await expect(backup.dialog.getByTestId('export-outcome')).toHaveText(
      `Saved 4 servers, 0 sync sets, 0 schedules, automatic sync of 0 sets and no notification settings (none saved) to ${file}.`,
    );
    await snap(page, 'backup-config-2-exported');

    const exported = readFileSync(file, 'utf8');
    const parsed = JSON.parse(exported) as BackupFile;
    expect(parsed.servers.map((s) => s.name).sort()).toEqual(['This computer', 'alpha', 'beta', 'gamma']);
    expect(parsed.servers.find((s) => s.name === 'alpha')?.pinnedHostKey?.fingerprint).toBe(
      sshd.hostKeyFingerprint,
    );
    expect(parsed.servers.every((s) => s.lastContact === null)).toBe(true);
    expectNoSecrets(exported, privateKey);

    // Download: the same backup through a Blob link (the browser shell has no native save dialog).
    const [download] = await Promise.all([page.waitForEvent('download'), backup.button('Save as…').click()]);
    expect(download.suggestedFilename()).toMatch(/^configsync-backup-\d{4}-\d{2}-\d{2}\.json$/);
    const downloadedPath = join(files.dir, 'downloaded.json');
    await download.saveAs(downloadedPath);
    const downloaded = readFileSync(downloadedPath, 'utf8');
    expect((JSON.parse(downloaded) as BackupFile).servers.map((s) => s.id).sort()).toEqual(
      parsed.servers.map((s) => s.id).sort(),
    );
    expectNoSecrets(downloaded, privateKey);
    await expect(backup.dialog.getByTestId('export-outcome')).toContainText('Downloaded configsync-backup-');

    // Edit the file as a user would: rename beta, drop gamma.
    const edited: BackupFile = {
      ...parsed,
      servers: parsed.servers
        .filter((s) => s.id !== gamma.id)
        .map((s) => (s.id === beta.id ? { ...s, name: 'beta-renamed' } : s)),
    };
    writeFileSync(file, JSON.stringify(edited, null, 2));

    // Import: the last export's path is offered; the preview shows exactly the two edits.
    await backup.tab('Import').click();
    await expect(backup.path()).toHaveValue(file);
    await backup.button('Preview').click();
    const diff = backup.dialog.getByTestId('config-diff');
    await expect(diff).toBeVisible();
    await expect(diff.getByTestId('diff-removed').getByRole('listitem')).toHaveText(['gamma']);
    await expect(diff.getByTestId('diff-changed-beta-renamed')).toHaveText('betaname: beta → beta-renamed');
    await expect(diff.getByTestId('diff-added')).toHaveCount(0);
    await expect(diff.getByTestId('diff-settings')).toHaveCount(0);
    await snap(page, 'backup-config-3-preview');

    // Cancel after a preview changes nothing.
    await backup.button('Cancel').click();
    await expect(backup.dialog).toBeHidden();
    const untouched = await rpc.call('servers.list', {});
    expect(untouched.dirty).toBe(false);
    expect(untouched.committed.map((s) => s.name).sort()).toEqual([
      'This computer',
      'alpha',
      'beta',
      'gamma',
    ]);

    // Import and commit.
    await backup.open();
    await backup.tab('Import').click();
    await expect(backup.path()).toHaveValue(file);
    await backup.button('Preview').click();
    await expect(backup.dialog.getByTestId('diff-changed')).toBeVisible();
    await backup.button('Import and commit').click();
    await expect(backup.dialog.getByTestId('import-done')).toHaveText(
      `Imported ${file} and saved it: the server list, sync sets, schedules, automatic sync (notification settings left as they were: not in the file).`,
    );
    await snap(page, 'backup-config-4-imported');
    await backup.button('Close').click();
    await expect(backup.dialog).toBeHidden();

    // The Servers view shows the committed list: the new name, no gamma.
    const view = page.getByTestId('committed-servers');
    await expect(view.getByTestId('committed-row-beta-renamed')).toBeVisible();
    await expect(view.getByTestId('committed-row-beta')).toHaveCount(0);
    await expect(view.getByTestId('committed-row-gamma')).toHaveCount(0);
    await expect(view.getByTestId('committed-row-alpha')).toBeVisible();
    await snap(page, 'backup-config-5-servers-view');
    const saved = await rpc.call('servers.list', {});
    expect(saved.dirty).toBe(false);
    expect(saved.committed.map((s) => s.name).sort()).toEqual(['This computer', 'alpha', 'beta-renamed']);
    rpc.close();
  });
});

test.describe('Backup Configuration: the whole store but secrets', () => {
  let sshd: SshdServer;
  let files: { dir: string; cleanup: () => Promise<void> };

  test.beforeAll(async () => {
    sshd = await startSshd();
    files = await makeTempDir('configsync-e2e-backup-all-');
  });
  test.afterAll(async () => {
    await sshd.stop();
    await files.cleanup();
  });

  test('export → a fresh store → import gives the same servers, sets, schedules, automatic sync and notifications', async ({
    page,
    shell,
  }) => {
    const rpc = await connectRpc(shell);
    const alpha = await rpc.call('servers.add', {
      server: { name: 'alpha', host: sshd.host, port: sshd.port, user: sshd.user, role: 'primary' },
    });
    await rpc.call('servers.trustHostKey', { id: alpha.id, fingerprint: sshd.hostKeyFingerprint });
    await rpc.call('servers.add', {
      server: { name: 'beta', host: '127.0.0.1', port: 2201, user: 'ops', role: 'secondary' },
    });
    await rpc.call('servers.commit', {});
    const app = await rpc.call('sets.save', {
      set: { name: 'app', items: [{ path: '/etc/app' }], mode: 'mirror', exclude: ['*.lic'] },
    });
    const web = await rpc.call('sets.save', {
      set: { name: 'web', items: [{ path: '/srv/web' }], mode: 'update', compare: 'checksum' },
    });
    await rpc.call('schedules.save', {
      id: 'nightly-app',
      operation: { kind: 'sync-set', setId: app.set.id },
      time: [0, 1, 'ANY', 'ANY', 'ANY'],
      catchUp: true,
      enabled: true,
    });
    await rpc.call('schedules.save', {
      id: 'weekly-backup',
      operation: { kind: 'backup-config' },
      time: [30, 16, 'ANY', 'ANY', 0],
      catchUp: false,
      enabled: false,
    });
    await rpc.call('autoSync.set', { setId: web.set.id, trigger: { every: 86_400 } });
    const smtpPassword = 'do-not-export-me-7731';
    await rpc.call('notify.saveSettings', {
      desktop: 'all',
      email: 'failures',
      smtp: {
        host: 'mail.example.test',
        port: 587,
        secure: false,
        user: 'ops',
        from: 'configsync@example.test',
        to: ['ops@example.test'],
        allowUntrustedCertificate: false,
      },
      password: smtpPassword,
    });
    const before = {
      servers: (await rpc.call('servers.list', {})).committed.map((s) => ({ ...s, lastContact: null })),
      sets: (await rpc.call('sets.list', {})).sets,
      schedules: (await rpc.call('schedules.list', {})).entries.map((e) => ({
        id: e.id,
        operation: e.operation,
        time: e.time,
        catchUp: e.catchUp,
        enabled: e.enabled,
      })),
      autoSync: (await rpc.call('autoSync.list', {})).sets,
      notify: await rpc.call('notify.getSettings', {}),
    };
    expect(before.notify.hasPassword).toBe(true);
    rpc.close();

    await page.goto(shell.url);
    const backup = new BackupConfigDialog(page);
    await backup.open();
    const file = join(files.dir, 'everything.json');
    await backup.path().fill(file);
    await backup.button('Export').click();
    await expect(backup.dialog.getByTestId('export-outcome')).toHaveText(
      `Saved 3 servers, 2 sync sets, 2 schedules, automatic sync of 1 set and the notification settings to ${file}.`,
    );
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain(smtpPassword);
    const exported = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(exported)).toEqual(
      expect.arrayContaining(['servers', 'syncSets', 'schedules', 'autoSync', 'notifications']),
    );

    // A fresh store (as after a lost disk): the import previews every part, then restores all of it.
    const fresh = await startShellProcess();
    try {
      await page.goto(fresh.url);
      const again = new BackupConfigDialog(page);
      await again.open();
      await again.tab('Import').click();
      await again.path().fill(file);
      await again.button('Preview').click();
      const diff = again.dialog.getByTestId('config-diff');
      await expect(diff.getByTestId('diff-added').getByRole('listitem')).toHaveText(['alpha', 'beta']);
      await expect(diff.getByTestId('part-syncSets')).toContainText('Sync sets');
      await expect(diff.getByTestId('part-added-app')).toBeVisible();
      await expect(diff.getByTestId('part-added-web')).toBeVisible();
      await expect(diff.getByTestId('part-schedules')).toContainText('synchronize "app" at 0 1 ANY ANY ANY');
      await expect(diff.getByTestId('part-changed-web')).toContainText('automatic sync: off → every 86400 s');
      await expect(diff.getByTestId('part-changed-Notification settings')).toContainText(
        'desktop: failures → all',
      );
      await snap(page, 'backup-config-6-preview-everything');
      await again.button('Import and commit').click();
      await expect(again.dialog.getByTestId('import-done')).toContainText(
        'the server list, sync sets, schedules, automatic sync, notification settings',
      );
      const rpc2 = await connectRpc(fresh);
      const after = {
        servers: (await rpc2.call('servers.list', {})).committed.map((s) => ({ ...s, lastContact: null })),
        sets: (await rpc2.call('sets.list', {})).sets,
        schedules: (await rpc2.call('schedules.list', {})).entries.map((e) => ({
          id: e.id,
          operation: e.operation,
          time: e.time,
          catchUp: e.catchUp,
          enabled: e.enabled,
        })),
        autoSync: (await rpc2.call('autoSync.list', {})).sets,
        notify: await rpc2.call('notify.getSettings', {}),
      };
      // Everything but the secret: the SMTP password has to be typed again.
      expect(after.notify.hasPassword).toBe(false);
      expect({ ...after, notify: { ...after.notify, hasPassword: true } }).toEqual(before);

      // An edit to one field is shown old → new.
      const edited = JSON.parse(text) as { servers: Array<{ name: string; port?: number }> };
      for (const s of edited.servers) if (s.name === 'beta') s.port = 2299;
      writeFileSync(file, JSON.stringify(edited));
      await again.button('Close').click();
      await again.open();
      await again.tab('Import').click();
      await again.path().fill(file);
      await again.button('Preview').click();
      await expect(again.dialog.getByTestId('diff-changed-beta')).toContainText('port: 2201 → 2299');
      await expect(again.dialog.getByTestId('part-syncSets')).toHaveText('Sync sets: no change.');
      await snap(page, 'backup-config-7-preview-old-new');
      rpc2.close();
    } finally {
      await fresh.stop();
    }
  });
});
