import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { promisify } from 'node:util';
import { AppKeyStore } from '../../../src-main/secrets/app-key-store.js';
import type { SecretBox } from '../../../src-main/secrets/secret-box.js';
import { makeTempDir } from '../../support/temp.js';

const run = promisify(execFile);
let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await makeTempDir('configsync-keys-')));
afterEach(async () => cleanup());

describe('AppKeyStore', () => {
  it('creates an ed25519 pair OpenSSH can read, 0600 in a 0700 folder, and keeps it', async () => {
    const keys = new AppKeyStore(dir);
    expect(keys.publicKey()).toBeNull();
    const pair = keys.ensure();
    expect(keys.privatePath).toBe(`${dir}/keys/id_ed25519`);
    expect(statSync(keys.privatePath).mode & 0o777).toBe(0o600);
    expect(statSync(keys.dir).mode & 0o777).toBe(0o700);
    expect(pair.privateKey).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----/);
    // ssh-keygen derives the same public key from the file we wrote.
    const { stdout } = await run('ssh-keygen', ['-y', '-f', keys.privatePath]);
    expect(stdout.split(' ').slice(0, 2)).toEqual(pair.publicKey.split(' ').slice(0, 2));
    expect(readFileSync(keys.publicPath, 'utf8').trim()).toBe(pair.publicKey);
    // A second instance (next start) reads the same key instead of making a new one.
    expect(new AppKeyStore(dir).ensure().publicKey.split(' ')[1]).toBe(pair.publicKey.split(' ')[1]);
  });

  it('seals the private key through the SecretBox and refuses to open it with another box', () => {
    const xor = (b: Buffer) => Buffer.from(b.map((x) => x ^ 0x5a));
    const box: SecretBox = { kind: 'test-xor', seal: xor, open: xor };
    const pair = new AppKeyStore(dir, box).ensure();
    const onDisk = readFileSync(`${dir}/keys/id_ed25519`);
    expect(onDisk.toString('latin1')).not.toContain('OPENSSH PRIVATE KEY');
    expect(new AppKeyStore(dir, box).ensure().privateKey).toBe(pair.privateKey);
    expect(() => new AppKeyStore(dir).ensure()).toThrow(/sealed with "test-xor"/);
  });
});
