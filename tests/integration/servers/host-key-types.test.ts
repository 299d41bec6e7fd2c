import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openSettingsStore } from '../../../src-main/store/settings-store.js';
import { ServerService } from '../../../src-main/services/servers/server-service.js';
import { AppKeyStore } from '../../../src-main/secrets/app-key-store.js';
import { testConnection, trustHostKey, type ConnectDeps } from '../../../src-main/services/servers/server-connect.js';
import { importKnownHost } from '../../../src-main/services/servers/server-import.js';
import { hostKeyPins, sshServerFields } from '../../../src-shared/model/server.js';
import { fingerprintOf, startSshd, type SshdServer } from '../../support/sshd.js';
import { makeTempDir } from '../../support/temp.js';

const run = promisify(execFile);

/** A host with an ed25519 and an ECDSA key: each pinned on its own, the negotiation held to the pins. */
describe('host keys: one pin per key type (real sshd with two host keys)', () => {
  let s: SshdServer;
  let deps: ConnectDeps;
  let tmp: { dir: string; cleanup: () => Promise<void> };
  let ecdsa: { algorithm: string; fingerprint: string };
  let ecdsaPub: string;
  let ed25519Pub: string;
  const config = () => join(s.baseDir, 'sshd_config');
  const add = (name: string) =>
    deps.service.add(
      sshServerFields.parse({
        name,
        host: s.host,
        port: s.port,
        user: s.user,
        contactTimeoutSec: 10,
        auth: { kind: 'key-file', path: s.clientKey.privateKeyPath },
      }),
    ).id;

  beforeAll(async () => {
    tmp = await makeTempDir('configsync-hostkeys-');
    const ecdsaPath = join(tmp.dir, 'ssh_host_ecdsa_key');
    await run('ssh-keygen', ['-q', '-t', 'ecdsa', '-b', '256', '-N', '', '-f', ecdsaPath]);
    ecdsa = await fingerprintOf(ecdsaPath);
    ecdsaPub = (await readFile(`${ecdsaPath}.pub`, 'utf8')).trim();
    s = await startSshd({ extraConfig: [`HostKey ${ecdsaPath}`] });
    ed25519Pub = (await readFile(`${s.hostKeyPath}.pub`, 'utf8')).trim();
    deps = {
      service: new ServerService(openSettingsStore(join(tmp.dir, 'store'))),
      keys: new AppKeyStore(join(tmp.dir, 'store')),
      env: {},
    };
  });
  afterAll(async () => {
    await s?.stop();
    await tmp?.cleanup();
  });

  it('known_hosts import keeps every key the host has', async () => {
    const id = add('imported');
    const knownHosts = join(tmp.dir, 'known_hosts');
    const name = `[127.0.0.1]:${s.port}`;
    const strip = (pub: string) => pub.split(/\s+/).slice(0, 2).join(' ');
    await writeFile(knownHosts, `${name} ${strip(ed25519Pub)}\n${name} ${strip(ecdsaPub)}\n`);
    const r = await importKnownHost(deps, id, knownHosts);
    expect(r.message).toMatch(/ED25519.* and .*ECDSA/);
    const pins = hostKeyPins(deps.service.getSsh(id));
    expect(pins.map((p) => p.fingerprint).sort()).toEqual([s.hostKeyFingerprint, ecdsa.fingerprint].sort());
    expect(new Set(pins.map((p) => p.algorithm)).size).toBe(2);
  });

  it('a host pinned by its ECDSA key is reached by that key, though it prefers ed25519', async () => {
    const id = add('ecdsa-only');
    const pinned = await trustHostKey(deps, id, ecdsa.fingerprint);
    expect(pinned.pinned.algorithm).toBe('ecdsa-sha2-nistp256');
    const test = await testConnection(deps, id);
    expect(test).toMatchObject({ ok: true, hostKey: { fingerprint: ecdsa.fingerprint } });
  });

  it('a key type that is not pinned yet is offered for confirmation, not called a change; a changed key of a pinned type still is', async () => {
    const id = add('ed25519-first');
    await trustHostKey(deps, id, s.hostKeyFingerprint);
    expect(hostKeyPins(deps.service.getSsh(id)).map((p) => p.algorithm)).toEqual(['ssh-ed25519']);
    expect((await testConnection(deps, id)).ok).toBe(true);

    // The server stops offering its ed25519 key (an upgrade that changed its key set).
    const original = await readFile(config(), 'utf8');
    await writeFile(config(), original.replace(`HostKey ${s.hostKeyPath}\n`, ''));
    await s.restart();
    const offered = await testConnection(deps, id);
    expect(offered).toMatchObject({
      ok: false,
      code: 'HOST_KEY_NEW_ALGORITHM',
      presentedKey: { fingerprint: ecdsa.fingerprint, algorithm: 'ecdsa-sha2-nistp256' },
    });
    if (offered.ok) return;
    expect(offered.message).toMatch(/not a change of a pinned key/);
    await trustHostKey(deps, id, ecdsa.fingerprint);
    expect(hostKeyPins(deps.service.getSsh(id)).map((p) => p.fingerprint)).toEqual([
      s.hostKeyFingerprint,
      ecdsa.fingerprint,
    ]);
    expect(await testConnection(deps, id)).toMatchObject({
      ok: true,
      hostKey: { fingerprint: ecdsa.fingerprint },
    });

    // Back with a new ed25519 key: that is a change of a pinned type, refused with both fingerprints.
    const old = s.hostKeyFingerprint;
    await writeFile(config(), original);
    await s.rotateHostKey();
    const changed = await testConnection(deps, id);
    expect(changed).toMatchObject({ ok: false, code: 'HOST_KEY_CHANGED' });
    if (changed.ok) return;
    expect(changed.message).toContain(old);
    expect(changed.message).toContain(s.hostKeyFingerprint);
    await expect(trustHostKey(deps, id, s.hostKeyFingerprint)).rejects.toMatchObject({
      code: 'HOST_KEY_CHANGED',
    });
  });
});
