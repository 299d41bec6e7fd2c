import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { compose, type ComposedApp } from '../../src-main/compose.js';
import { startSshd, type SshdServer } from '../support/sshd.js';
import { makeTempDir } from '../support/temp.js';
import { rpc } from '../support/app.js';

const run = promisify(execFile);
const shells = [
  { user: 'csynccsh', shell: '/usr/bin/csh' },
  { user: 'csyncfish', shell: '/usr/bin/fish' },
] as const;

/** Accounts whose login shell is not a POSIX shell: the capability probe still reads them right. */
describe('capabilities of csh and fish logins (real sshd)', () => {
  let s: SshdServer;
  let keysDir: string;
  let tmp: { dir: string; cleanup: () => Promise<void> };
  let app: ComposedApp;

  beforeAll(async () => {
    for (const { user, shell } of shells) {
      await run('id', [user]).catch(() => run('useradd', ['-m', '-s', shell, user]));
      await run('usermod', ['-s', shell, '-p', '*', user]);
    }
    // sshd reads authorized keys as the user: a root-owned folder every user can read.
    keysDir = await mkdtemp('/srv/configsync-shells-');
    await chmod(keysDir, 0o755);
    s = await startSshd({
      extraConfig: ['Match User csynccsh,csyncfish', `  AuthorizedKeysFile ${join(keysDir, 'keys')}`],
    });
    await writeFile(join(keysDir, 'keys'), `${s.clientKey.publicKey}\n`, { mode: 0o644 });
    tmp = await makeTempDir('configsync-shells-');
    app = compose({ dataDir: join(tmp.dir, 'store'), shell: 'cli', log: () => undefined });
  }, 60_000);
  afterAll(async () => {
    await app?.dispose();
    await s?.stop();
    await tmp?.cleanup();
    if (keysDir) await rm(keysDir, { recursive: true, force: true });
  });

  for (const { user, shell } of shells)
    it(`${shell}: the probe runs under /bin/sh and finds the fast paths`, async () => {
      const { id } = await rpc(app, 'servers.add', {
        server: {
          name: user,
          host: s.host,
          port: s.port,
          user,
          role: 'not-selected',
          contactTimeoutSec: 10,
          auth: { kind: 'key-file', path: s.clientKey.privateKeyPath },
        },
      });
      await rpc(app, 'servers.trustHostKey', { id, fingerprint: s.hostKeyFingerprint });
      const test = await rpc(app, 'servers.test', { id });
      expect(test.ok).toBe(true);
      const server = (await rpc(app, 'servers.list', {})).draft.find((x) => x.id === id);
      expect(server?.kind === 'ssh' ? server.capabilities : null).toMatchObject({
        shell: 'posix',
        loginShell: shell,
        findPrintf: true,
        tar: 'gnu',
        hashTool: expect.stringMatching(/^(openssl|sha256sum)$/),
      });
    });
});
