import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openSettingsStore } from '../../../src-main/store/settings-store.js';
import { ServerService } from '../../../src-main/services/servers/server-service.js';
import { AppKeyStore } from '../../../src-main/secrets/app-key-store.js';
import type { ConnectDeps } from '../../../src-main/services/servers/server-connect.js';
import { discover, importKnownHost, sshConfigHosts } from '../../../src-main/services/servers/server-import.js';
import { exportConfig, importConfig, previewImport } from '../../../src-main/services/servers/server-backup.js';
import { AppError } from '../../../src-main/errors/app-error.js';
import { sshServerFields } from '../../../src-shared/model/server.js';
import { startSshd, type SshdServer } from '../../support/sshd.js';
import { makeTempDir } from '../../support/temp.js';

describe('discover, ~/.ssh imports and Backup Configuration', () => {
  let s: SshdServer;
  let dir: string;
  let cleanup: () => Promise<void>;
  let deps: ConnectDeps;

  beforeAll(async () => {
    s = await startSshd();
    ({ dir, cleanup } = await makeTempDir('configsync-import-'));
    deps = {
      service: new ServerService(openSettingsStore(join(dir, 'data'))),
      keys: new AppKeyStore(join(dir, 'data')),
      homeDir: dir,
    };
  });
  afterAll(async () => {
    await s?.stop();
    await cleanup?.();
  });

  it('resolves a name to its addresses, and says when it cannot', async () => {
    const r = await discover('localhost');
    expect(r.addresses.map((a) => a.address)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^(127\.0\.0\.1|::1)$/)]),
    );
    await expect(discover('no-such-host.invalid')).rejects.toMatchObject({ code: 'DNS' });
  });

  it('lists the concrete hosts of an ssh config file, resolved the way ssh reads it', async () => {
    const path = join(dir, 'ssh_config');
    writeFileSync(
      path,
      [
        'Host web1 web-alias',
        '  HostName 10.0.0.5',
        '  Port 2222',
        '',
        'Host db1',
        '  User postgres',
        '  IdentityFile ~/.ssh/id_db',
        '',
        'Host *.internal !bastion',
        '  User ops',
        '',
        'Host *',
        '  User admin',
        '',
      ].join('\n'),
    );
    const { hosts } = await sshConfigHosts(deps.service.draftList(), path);
    expect(hosts).toEqual([
      {
        alias: 'web1',
        host: '10.0.0.5',
        port: 2222,
        user: 'admin',
        identityFile: null,
        proxyJump: null,
        problem: null,
        alreadyListed: false,
      },
      {
        alias: 'web-alias',
        host: '10.0.0.5',
        port: 2222,
        user: 'admin',
        identityFile: null,
        proxyJump: null,
        problem: null,
        alreadyListed: false,
      },
      {
        alias: 'db1',
        host: 'db1',
        port: 22,
        user: 'postgres',
        identityFile: '~/.ssh/id_db',
        proxyJump: null,
        problem: null,
        alreadyListed: false,
      },
    ]);
    await expect(sshConfigHosts([], join(dir, 'missing'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('pins the presented key when known_hosts lists it, plain or hashed, and nothing otherwise', async () => {
    const id = deps.service.add(
      sshServerFields.parse({
        name: 'Known',
        host: s.host,
        port: s.port,
        user: s.user,
        role: 'primary',
        contactTimeoutSec: 5,
      }),
    ).id;
    const knownHosts = join(dir, 'known_hosts');
    const pub = readFileSync(`${s.hostKeyPath}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ');
    const otherPub = s.clientKey.publicKey.split(' ').slice(0, 2).join(' ');

    writeFileSync(knownHosts, `[${s.host}]:${s.port} ${otherPub}\n`);
    const mismatch = await importKnownHost(deps, id, knownHosts);
    expect(mismatch.pinned).toBeNull();
    expect(mismatch.message).toMatch(/presents .* now\. Nothing was pinned/);

    writeFileSync(knownHosts, `[${s.host}]:${s.port} ${pub}\n`);
    execFileSync('ssh-keygen', ['-H', '-f', knownHosts], { stdio: 'ignore' });
    expect(readFileSync(knownHosts, 'utf8')).toMatch(/^\|1\|/);
    const hashed = await importKnownHost(deps, id, knownHosts);
    expect(hashed.pinned?.fingerprint).toBe(s.hostKeyFingerprint);
    expect(deps.service.get(id)).toMatchObject({ pinnedHostKey: { fingerprint: s.hostKeyFingerprint } });
  });

  it('exports the list without secrets, previews what an import changes, and imports into the draft', async () => {
    deps.service.commit();
    deps.keys.ensure();
    const file = join(dir, 'backup.json');
    const out = await exportConfig(deps.service, file);
    expect(out.servers).toBe(2);
    const text = readFileSync(file, 'utf8');
    expect(text).toBe(out.json);
    expect(text).not.toContain('PRIVATE KEY');
    expect(text).not.toContain(deps.keys.ensure().privateKey.split('\n')[1]);
    const backup = JSON.parse(text);
    expect(backup).toMatchObject({ app: 'ConfigSync', kind: 'backup-configuration', schemaVersion: 1 });

    // Someone edits the backup: one server renamed and moved, one added.
    backup.servers[1].name = 'Known (moved)';
    backup.servers[1].port = 2200;
    backup.servers.push({ ...backup.servers[1], id: 'srv-new', name: 'New one', role: 'secondary' });
    writeFileSync(file, JSON.stringify(backup));
    const diff = await previewImport(deps.service, file);
    expect(diff.added).toEqual([{ id: 'srv-new', name: 'New one' }]);
    expect(diff.removed).toEqual([]);
    expect(diff.changed).toEqual([
      {
        id: backup.servers[1].id,
        name: 'Known (moved)',
        fields: ['name', 'port'],
        changes: [
          { field: 'name', old: 'Known', new: 'Known (moved)' },
          { field: 'port', old: String(s.port), new: '2200' },
        ],
      },
    ]);
    expect(deps.service.state().dirty).toBe(false);

    const { state } = await importConfig(deps.service, file);
    expect(state.dirty).toBe(true);
    expect(state.draft.map((x) => x.name)).toEqual(['This computer', 'Known (moved)', 'New one']);
    expect(state.committed.map((x) => x.name)).toEqual(['This computer', 'Known']);
    deps.service.reset();

    writeFileSync(file, '{"app":"ConfigSync"}');
    const bad = await previewImport(deps.service, file).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(AppError);
    expect((bad as AppError).code).toBe('BAD_BACKUP');
  });
});
