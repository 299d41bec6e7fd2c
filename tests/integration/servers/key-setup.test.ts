import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { compose, type ComposedApp } from '../../../src-main/compose.js';
import type { ResponseEnvelope } from '../../../src-shared/contract/envelope.js';
import { startSshd, PASSWORD, PASSWORD_USER, type SshdServer } from '../../support/sshd.js';
import { makeTempDir } from '../../support/temp.js';

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)],
  );
}

describe('one-time key setup with a password (real sshd, compose + router)', () => {
  let s: SshdServer;
  let app: ComposedApp;
  let dataDir: string;
  let cleanup: () => Promise<void>;
  let sshDir: string;
  const logged: string[] = [];
  let nextId = 1;

  async function call(method: string, params: unknown): Promise<unknown> {
    const res: ResponseEnvelope = await app.router.handle(
      { id: nextId++, method, params },
      { transport: 'test' },
    );
    if (!res.ok) throw Object.assign(new Error(res.error.message), { code: res.error.code });
    return res.result;
  }
  async function failure(method: string, params: unknown): Promise<{ code: string; message: string }> {
    const res = await app.router.handle({ id: nextId++, method, params }, { transport: 'test' });
    if (res.ok) throw new Error(`${method} was expected to fail`);
    return res.error;
  }

  beforeAll(async () => {
    s = await startSshd({ passwordAuth: true });
    sshDir = join(
      execFileSync('sh', ['-c', `getent passwd ${PASSWORD_USER} | cut -d: -f6`])
        .toString()
        .trim(),
      '.ssh',
    );
    const tmp = await makeTempDir('configsync-keysetup-');
    cleanup = tmp.cleanup;
    dataDir = join(tmp.dir, 'data');
    app = compose({
      dataDir,
      shell: 'cli',
      log: (msg, err) => logged.push(`${msg} ${err instanceof Error ? err.stack : String(err ?? '')}`),
    });
  });
  beforeEach(() => rmSync(sshDir, { recursive: true, force: true }));
  afterAll(async () => {
    rmSync(sshDir, { recursive: true, force: true });
    await app?.dispose();
    await s?.stop();
    await cleanup?.();
  });

  // The default timeout: a refused password costs PAM's failure delay twice (password, then keyboard-interactive).
  async function addTrusted(name: string): Promise<string> {
    const { id } = (await call('servers.add', {
      server: {
        name,
        host: s.host,
        port: s.port,
        user: PASSWORD_USER,
        role: 'primary',
        contactTimeoutSec: 15,
      },
    })) as { id: string };
    await call('servers.trustHostKey', { id, fingerprint: s.hostKeyFingerprint });
    return id;
  }

  it('installs the app key once (700/600), proves key login, and leaks the password nowhere', async () => {
    const output: string[] = [];
    const realOut = process.stdout.write.bind(process.stdout);
    const realErr = process.stderr.write.bind(process.stderr);
    const capture = (chunk: unknown) => (output.push(String(chunk)), true);
    process.stdout.write = capture as typeof process.stdout.write;
    process.stderr.write = capture as typeof process.stderr.write;
    let first: { added: boolean; publicKey: string; message: string };
    let second: { added: boolean };
    let wrong: { code: string; message: string };
    try {
      const id = await addTrusted('Key setup');
      first = (await call('servers.setupKey', { id, password: PASSWORD })) as typeof first;
      second = (await call('servers.setupKey', { id, password: PASSWORD })) as typeof second;
      wrong = await failure('servers.setupKey', { id, password: `${PASSWORD}-wrong` });
      await call('servers.commit', {});
      const test = (await call('servers.test', { id })) as { ok: boolean };
      expect(test.ok).toBe(true);
    } finally {
      process.stdout.write = realOut;
      process.stderr.write = realErr;
    }
    expect(first.added).toBe(true);
    expect(first.message).toMatch(/key login works/);
    expect(second.added).toBe(false);
    expect(wrong.code).toBe('AUTH_FAILED');

    const authorized = readFileSync(join(sshDir, 'authorized_keys'), 'utf8');
    const b64 = first.publicKey.split(' ')[1] ?? 'missing';
    expect(authorized.split('\n').filter((l) => l.includes(b64))).toHaveLength(1);
    expect(authorized.endsWith('\n')).toBe(true);
    expect(statSync(sshDir).mode & 0o777).toBe(0o700);
    expect(statSync(join(sshDir, 'authorized_keys')).mode & 0o777).toBe(0o600);

    const files = filesUnder(dataDir);
    expect(files.some((f) => f.endsWith('keys/id_ed25519'))).toBe(true);
    expect(files.some((f) => f.endsWith('config.json'))).toBe(true);
    for (const f of files) expect(readFileSync(f, 'latin1'), f).not.toContain(PASSWORD);
    expect(output.join('')).not.toContain(PASSWORD);
    expect(logged.join('\n')).not.toContain(PASSWORD);
  });

  it('ends an unterminated last line before appending, and keeps the keys already there', async () => {
    mkdirSync(sshDir, { mode: 0o700 });
    execFileSync('chown', [`${PASSWORD_USER}:`, sshDir]);
    const existing = `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHhlaXN0aW5na2V5aGVyZWZvcnRlc3Rpbmdvbmx5 someone@elsewhere`;
    writeFileSync(join(sshDir, 'authorized_keys'), existing, { mode: 0o600 });
    execFileSync('chown', [`${PASSWORD_USER}:`, join(sshDir, 'authorized_keys')]);
    const id = await addTrusted('Existing keys');
    const r = (await call('servers.setupKey', { id, password: PASSWORD })) as {
      added: boolean;
      publicKey: string;
    };
    expect(r.added).toBe(true);
    const lines = readFileSync(join(sshDir, 'authorized_keys'), 'utf8').split('\n');
    expect(lines[0]).toBe(existing);
    expect(lines[1]?.split(' ').slice(0, 2)).toEqual(r.publicKey.split(' ').slice(0, 2));
    expect(lines).toHaveLength(3);
  });

  it('sends no password to a host whose key is not confirmed', async () => {
    const { id } = (await call('servers.add', {
      server: { name: 'Unpinned', host: s.host, port: s.port, user: PASSWORD_USER },
    })) as { id: string };
    const err = await failure('servers.setupKey', { id, password: PASSWORD });
    expect(err.code).toBe('HOST_KEY_NOT_PINNED');
  });
});
