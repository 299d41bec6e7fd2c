import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../../../src-main/cli/main.js';
import { startSshd, type SshdServer } from '../../support/sshd.js';
import {
  connectAs,
  ensureSudoAccounts,
  HARDENED_SSHD,
  SUDO_ACCOUNTS,
  SUDO_PASSWORD,
} from '../../support/sudo-accounts.js';
import { makeTempDir } from '../../support/temp.js';

describe('configsync with a password-sudo secondary: --sudo-password-stdin', () => {
  let secondary: SshdServer;
  let tmp: { dir: string; cleanup: () => Promise<void> };
  const cli = async (stdin: string | null, ...args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(['--store', join(tmp.dir, 'store'), ...args], {
      out: (s) => out.push(s),
      err: (s) => err.push(s),
      ...(stdin !== null ? { stdinLine: async () => stdin } : {}),
    });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
  beforeAll(async () => {
    await ensureSudoAccounts();
    secondary = await startSshd(HARDENED_SSHD);
    (await connectAs(secondary, SUDO_ACCOUNTS.password)).close();
    tmp = await makeTempDir('configsync-sudo-cli-');
    const src = join(tmp.dir, 'src');
    await fs.mkdir(src, { recursive: true });
    await fs.writeFile(join(src, 'app.conf'), 'port=8080\n', { mode: 0o600 });
    const dst = join(secondary.dataRoot, 'app');
    await fs.mkdir(dst, { mode: 0o700 });
    expect(
      (await cli(null, 'servers', 'edit', 'This computer', '--role', 'primary', '--var', `APP=${src}`)).code,
    ).toBe(0);
    const added = await cli(
      null,
      'servers',
      'add',
      '--name',
      'hardened',
      '--host',
      secondary.host,
      '--port',
      String(secondary.port),
      '--user',
      SUDO_ACCOUNTS.password,
      '--key-file',
      secondary.clientKey.privateKeyPath,
      '--fingerprint',
      secondary.hostKeyFingerprint,
      '--var',
      `APP=${dst}`,
      '--sudo',
      '--sudo-password',
    );
    expect(added.code, added.err).toBe(0);
    expect((await cli(null, 'sets', 'add', '--name', 'app', '--path', '${APP}')).code).toBe(0);
  }, 60_000);
  afterAll(async () => {
    await secondary?.stop();
    await tmp?.cleanup();
  });

  it('without a password: refused in words, nothing written; with it on stdin: synced as root', async () => {
    const none = await cli(null, 'sync', '--set', 'app', '--yes');
    // sudo refused, not "unreachable": no password given is a usage error (2).
    expect(none.code).toBe(2);
    expect(none.out).toMatch(/sudo refused: SUDO_PASSWORD_NEEDED/);
    expect(none.out).toMatch(/sudo-refused/);
    expect(await fs.readdir(join(secondary.dataRoot, 'app'))).toEqual([]);
    const ok = await cli(SUDO_PASSWORD, 'sync', '--set', 'app', '--yes', '--sudo-password-stdin');
    expect(ok.code, `${ok.out}\n${ok.err}`).toBe(0);
    const st = await fs.stat(join(secondary.dataRoot, 'app', 'app.conf'));
    expect([st.uid, st.mode & 0o777]).toEqual([0, 0o600]);
    expect(`${ok.out}${ok.err}`).not.toContain(SUDO_PASSWORD);
  });
});
