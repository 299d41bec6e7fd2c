import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { appendFile, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { compose } from '../../../src-main/compose.js';
import { startBrowserShell } from '../../../src-main/web/browser-shell.js';
import { AppKeyStore } from '../../../src-main/secrets/app-key-store.js';
import type { SecretBox } from '../../../src-main/secrets/secret-box.js';
import { startSshd, type SshdServer } from '../../support/sshd.js';
import { makeTempDir } from '../../support/temp.js';
import { runCliIn } from '../../support/cli.js';
import { rpc as appRpc } from '../../support/app.js';
import { startSmtpSink } from '../notify/smtp-sink.js';

/** The browser shell's cookie for its per-run token, as a browser gets it. */
function cookieOf(port: number, token: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: `/?token=${token}` }, (res) => {
      res.resume();
      resolve((res.headers['set-cookie']?.[0] ?? '').split(';')[0] ?? '');
    });
    req.on('error', reject);
    req.end();
  });
}

/** A typed-enough RPC client over the browser shell's WebSocket. */
async function browserClient(port: number, token: string) {
  const cookie = await cookieOf(port, token);
  const ws = await new Promise<WebSocket>((resolve, reject) => {
    const s = new WebSocket(`ws://127.0.0.1:${port}/rpc`, {
      headers: { cookie, origin: `http://127.0.0.1:${port}` },
    });
    s.once('open', () => resolve(s));
    s.once('error', reject);
  });
  let next = 1;
  const call = (method: string, params: unknown): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      const id = next++;
      const onMessage = (data: Buffer) => {
        const msg = JSON.parse(data.toString()) as {
          id?: number;
          ok?: boolean;
          result?: unknown;
          error?: unknown;
        };
        if (msg.id !== id) return;
        ws.off('message', onMessage);
        if (msg.ok) resolve(msg.result as Record<string, unknown>);
        else reject(Object.assign(new Error(JSON.stringify(msg.error)), msg.error as object));
      };
      ws.on('message', onMessage);
      ws.send(JSON.stringify({ id, method, params }));
    });
  return { call, close: () => ws.close() };
}

/**
 * Stands in for Electron's safeStorage (an OS keychain only the desktop app reaches; no Electron
 * runtime exists on this machine): AES-256-GCM with a key held by this process alone.
 */
function keychainOnlyTheDesktopAppReaches(): SecretBox {
  const key = randomBytes(32);
  return {
    kind: 'safe-storage',
    seal(plain) {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([c.update(plain), c.final()]);
      return Buffer.concat([iv, c.getAuthTag(), body]);
    },
    open(sealed) {
      const d = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
      d.setAuthTag(sealed.subarray(12, 28));
      return Buffer.concat([d.update(sealed.subarray(28)), d.final()]);
    },
  };
}

describe('one app key and one SMTP password for every shell of a store', () => {
  let s: SshdServer;
  let tmp: { dir: string; cleanup: () => Promise<void> };
  let sink: Awaited<ReturnType<typeof startSmtpSink>>;
  const SMTP_PASSWORD = 'relay-secret-42';

  beforeAll(async () => {
    s = await startSshd();
    sink = await startSmtpSink({ user: 'configsync', password: SMTP_PASSWORD });
    tmp = await makeTempDir('configsync-onekey-');
    await mkdir(join(s.dataRoot, 'conf'));
    for (let i = 0; i < 3; i++) await writeFile(join(s.dataRoot, 'conf', `f${i}.conf`), `value ${i}\n`);
    await mkdir(join(tmp.dir, 'copy'));
  });
  afterAll(async () => {
    await s?.stop();
    await sink?.stop();
    await tmp?.cleanup();
  });

  it('the browser shell makes the key and saves the SMTP password; the CLI on the same store logs in with that key and mails with that password', async () => {
    const store = join(tmp.dir, 'store');
    const rendererDir = join(tmp.dir, 'renderer');
    await mkdir(rendererDir);
    await writeFile(join(rendererDir, 'index.html'), '<!doctype html><div id="root"></div>');
    const app = compose({ dataDir: store, shell: 'browser', log: () => undefined });
    const shell = await startBrowserShell({ app, rendererDir });
    const web = await browserClient(shell.port, shell.token);
    try {
      const added = await web.call('servers.add', {
        server: {
          name: 'primary',
          host: s.host,
          port: s.port,
          user: s.user,
          role: 'primary',
          contactTimeoutSec: 10,
          vars: { CONFIG_ROOT: join(s.dataRoot, 'conf') },
        },
      });
      const id = String(added.id);
      await web.call('servers.trustHostKey', { id, fingerprint: s.hostKeyFingerprint });
      await web.call('servers.edit', {
        id: 'local',
        patch: { vars: { CONFIG_ROOT: join(tmp.dir, 'copy') } },
      });
      await web.call('servers.setRole', { id: 'local', role: 'secondary' });
      await web.call('servers.commit', {});
      // The first test makes the app key; the server does not know it yet.
      const refused = await web.call('servers.test', { id });
      expect(refused).toMatchObject({ ok: false, code: 'AUTH_FAILED' });
      const appKey = await web.call('servers.appKey', {});
      expect(appKey.protection).toMatchObject({ kind: 'file-mode' });
      expect(String((appKey.protection as { words: string }).words)).toMatch(
        /0600.*the desktop app, the CLI and the scheduler/,
      );
      // What key setup does with the admin password, done by hand here: the public key goes to authorized_keys.
      await appendFile(s.authorizedKeysPath, `${String(appKey.publicKey)}\n`);
      expect(await web.call('servers.test', { id })).toMatchObject({ ok: true });
      await web.call('sets.save', { set: { name: 'app', items: [{ path: '${CONFIG_ROOT}' }] } });
      await web.call('notify.saveSettings', {
        desktop: 'off',
        email: 'all',
        smtp: {
          host: '127.0.0.1',
          port: sink.port,
          secure: false,
          user: 'configsync',
          from: 'configsync@plant.example',
          to: ['ops@plant.example'],
        },
        password: SMTP_PASSWORD,
      });
    } finally {
      web.close();
      await shell.close();
      await app.dispose();
    }
    const keyFile = join(store, 'keys', 'id_ed25519');
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    expect(await readFile(keyFile, 'utf8')).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----/);

    // The CLI, a separate shell on the same store: the same key logs in, the same password sends mail.
    const plan = await runCliIn(store, 'plan', '--set', 'app');
    expect(plan.err).not.toMatch(/KEY_SEALED_ELSEWHERE|cannot open/);
    expect(plan.code).toBe(10);
    const sync = await runCliIn(store, 'sync', '--set', 'app', '--yes');
    expect(sync.code).toBe(0);
    expect(await readFile(join(tmp.dir, 'copy', 'f2.conf'), 'utf8')).toBe('value 2\n');
    // The SMTP password the browser shell saved, opened by a CLI shell of the store for a test mail.
    const cliApp = compose({ dataDir: store, shell: 'cli', log: () => undefined });
    const arrived = sink.nextMail();
    try {
      expect(await appRpc(cliApp, 'notify.sendTest', {})).toMatchObject({ accepted: ['ops@plant.example'] });
    } finally {
      await cliApp.dispose();
    }
    const mail = await arrived;
    expect(mail.user).toBe('configsync');
    expect(mail.recipients).toEqual(['ops@plant.example']);
  }, 120_000);

  it('a key an earlier desktop app sealed in its keychain: the CLI says how to free it, the desktop app turns it into the shared file', async () => {
    const store = join(tmp.dir, 'store-sealed');
    const keychain = keychainOnlyTheDesktopAppReaches();
    const sealedEarlier = new AppKeyStore(store, keychain).ensure();
    expect(
      (await readFile(join(store, 'keys', 'id_ed25519'), 'utf8')).startsWith(
        'configsync-sealed:safe-storage',
      ),
    ).toBe(true);

    const cli = compose({ dataDir: store, shell: 'cli', log: () => undefined });
    await expect(appRpc(cli, 'servers.appKey', {})).rejects.toMatchObject({ code: 'KEY_SEALED_ELSEWHERE' });
    await expect(appRpc(cli, 'servers.appKey', {})).rejects.toThrow(/Start the desktop app once/);
    await cli.dispose();

    // The desktop app (its keychain box given as Electron's main does) opens it and keeps it as the shared file.
    const desktop = compose({ dataDir: store, shell: 'electron', secretBox: keychain, log: () => undefined });
    const r = await appRpc(desktop, 'servers.appKey', {});
    expect(r.publicKey).toBe(sealedEarlier.publicKey);
    expect(r.protection.kind).toBe('file-mode');
    await desktop.dispose();
    expect(await readFile(join(store, 'keys', 'id_ed25519'), 'utf8')).toBe(sealedEarlier.privateKey);

    const after = compose({ dataDir: store, shell: 'cli', log: () => undefined });
    expect((await appRpc(after, 'servers.appKey', {})).publicKey).toBe(sealedEarlier.publicKey);
    await after.dispose();
  });
});
