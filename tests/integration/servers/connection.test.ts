import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendFileSync } from 'node:fs';
import { createServer, type Server as NetServer } from 'node:net';
import { openSettingsStore } from '../../../src-main/store/settings-store.js';
import { ServerService } from '../../../src-main/services/servers/server-service.js';
import { AppKeyStore } from '../../../src-main/secrets/app-key-store.js';
import {
  replaceHostKey,
  testConnection,
  trustHostKey,
  type ConnectDeps,
} from '../../../src-main/services/servers/server-connect.js';
import { AppError } from '../../../src-main/errors/app-error.js';
import { sshServerFields } from '../../../src-shared/model/server.js';
import { startSshd, type SshdServer } from '../../support/sshd.js';
import { freePort } from '../../support/net.js';
import { makeTempDir } from '../../support/temp.js';

async function rejection(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  }
  throw new Error('expected a refusal');
}

describe('test connection and host-key trust against real sshd', () => {
  let s: SshdServer;
  let blackhole: NetServer;
  let deps: ConnectDeps;
  let cleanup: () => Promise<void>;
  let id: string;

  beforeAll(async () => {
    s = await startSshd();
    blackhole = createServer(() => undefined);
    await new Promise<void>((r) => blackhole.listen(0, '127.0.0.1', () => r()));
    const tmp = await makeTempDir('configsync-conn-');
    cleanup = tmp.cleanup;
    deps = {
      service: new ServerService(openSettingsStore(tmp.dir)),
      keys: new AppKeyStore(tmp.dir),
      env: {},
    };
    id = deps.service.add(
      sshServerFields.parse({
        name: 'Primary',
        host: s.host,
        port: s.port,
        user: s.user,
        role: 'primary',
        contactTimeoutSec: 5,
      }),
    ).id;
  });
  afterAll(async () => {
    await s?.stop();
    blackhole?.close();
    await cleanup?.();
  });

  it('on first contact shows the presented key as ssh-keygen -lf does, and pins it only when confirmed', async () => {
    const first = await testConnection(deps, id);
    expect(first.ok).toBe(false);
    if (first.ok) return;
    expect(first.code).toBe('HOST_KEY_UNKNOWN');
    expect(first.presentedKey).toEqual({
      algorithm: 'ssh-ed25519',
      fingerprint: s.hostKeyFingerprint,
      display: `256 ${s.hostKeyFingerprint} (ED25519)`,
    });
    expect(deps.service.get(id)).toMatchObject({ pinnedHostKey: null, lastContact: { ok: false } });

    const wrong = `SHA256:${'B'.repeat(43)}`;
    expect((await rejection(trustHostKey(deps, id, wrong))).code).toBe('HOST_KEY_MISMATCH');
    expect(deps.service.get(id)).toMatchObject({ pinnedHostKey: null });

    const { pinned } = await trustHostKey(deps, id, s.hostKeyFingerprint);
    expect(pinned.fingerprint).toBe(s.hostKeyFingerprint);
    expect(deps.service.get(id)).toMatchObject({
      pinnedHostKey: { algorithm: 'ssh-ed25519', fingerprint: s.hostKeyFingerprint },
    });
  });

  it('with the key pinned but the app key not authorized, says the login was refused', async () => {
    const r = await testConnection(deps, id);
    expect(r).toMatchObject({ ok: false, code: 'AUTH_FAILED' });
  });

  it('once the app key is authorized, reports the capabilities the engine needs', async () => {
    appendFileSync(s.authorizedKeysPath, `${deps.keys.ensure().publicKey}\n`);
    const r = await testConnection(deps, id, s.dataRoot);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.capabilities.os).toMatch(/^Linux \d/);
    expect(r.capabilities).toMatchObject({
      findPrintf: true,
      tar: true,
      sha256sum: true,
      freeSpacePath: s.dataRoot,
    });
    expect(r.capabilities.freeBytes).toBeGreaterThan(0);
    expect(r.capabilities.shell).toMatch(/sh$/);
    expect(deps.service.get(id).lastContact).toMatchObject({ ok: true });
  });

  it('refuses a changed host key with both fingerprints, and replaces the pin only on the explicit override', async () => {
    const old = s.hostKeyFingerprint;
    await s.rotateHostKey();
    const r = await testConnection(deps, id);
    expect(r).toMatchObject({ ok: false, code: 'HOST_KEY_CHANGED' });
    if (r.ok) return;
    expect(r.message).toContain(old);
    expect(r.message).toContain(s.hostKeyFingerprint);
    expect(r.presentedKey?.fingerprint).toBe(s.hostKeyFingerprint);
    expect(r.pinnedKey?.fingerprint).toBe(old);

    const refused = await rejection(trustHostKey(deps, id, s.hostKeyFingerprint));
    expect(refused.code).toBe('HOST_KEY_CHANGED');
    expect(refused.message).toContain(old);
    expect(deps.service.get(id)).toMatchObject({ pinnedHostKey: { fingerprint: old } });

    expect((await rejection(replaceHostKey(deps, id, old))).code).toBe('HOST_KEY_MISMATCH');
    const replaced = await replaceHostKey(deps, id, s.hostKeyFingerprint);
    expect(replaced.previous?.fingerprint).toBe(old);
    expect((await testConnection(deps, id)).ok).toBe(true);
  });

  it('reports a host that never answers within its contact timeout', async () => {
    const port = (blackhole.address() as { port: number }).port;
    const hung = deps.service.add(
      sshServerFields.parse({ name: 'Hung', host: '127.0.0.1', port, user: 'root', contactTimeoutSec: 1 }),
    ).id;
    const t0 = Date.now();
    const r = await testConnection(deps, hung);
    expect(r).toMatchObject({ ok: false, code: 'TIMEOUT' });
    if (!r.ok) expect(r.message).toMatch(/did not answer within 1 s/);
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('reports a refused port and an unknown name in words', async () => {
    const closed = deps.service.add(
      sshServerFields.parse({ name: 'Closed', host: '127.0.0.1', port: await freePort(), user: 'root' }),
    ).id;
    const r = await testConnection(deps, closed);
    expect(r).toMatchObject({ ok: false, code: 'REFUSED' });
    if (!r.ok) expect(r.message).toMatch(/refused the connection/);
    const nowhere = deps.service.add(
      sshServerFields.parse({ name: 'Nowhere', host: 'no-such-host.invalid', user: 'root' }),
    ).id;
    expect(await testConnection(deps, nowhere)).toMatchObject({ ok: false, code: 'DNS' });
  });

  it('says so when the ssh-agent is chosen but none runs', async () => {
    const agent = deps.service.add(
      sshServerFields.parse({
        name: 'Agent',
        host: s.host,
        port: s.port,
        user: 'root',
        auth: { kind: 'agent' },
      }),
    ).id;
    expect(await testConnection(deps, agent)).toMatchObject({ ok: false, code: 'NO_AGENT' });
  });
});
