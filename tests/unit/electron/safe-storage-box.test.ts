import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { safeStorageBox, type SafeStorageLike } from '../../../src-main/electron/safe-storage-box.js';
import { fileModeBox } from '../../../src-main/secrets/secret-box.js';

/**
 * A stand-in for Electron's safeStorage: the Electron runtime cannot run under plain Node, so this tiny
 * in-memory object implements the calls the box uses (real AES-256-GCM under a per-instance key, like
 * the keychain-held key safeStorage uses), which is enough to check what the box does with them.
 */
function memorySafeStorage(options: {
  available: boolean;
  backend?: ReturnType<NonNullable<SafeStorageLike['getSelectedStorageBackend']>>;
}): SafeStorageLike & { calls: string[] } {
  const key = randomBytes(32);
  const calls: string[] = [];
  return {
    calls,
    isEncryptionAvailable: () => options.available,
    ...(options.backend ? { getSelectedStorageBackend: () => options.backend ?? 'unknown' } : {}),
    encryptString(plainText) {
      calls.push('encrypt');
      if (!options.available) throw new Error('Encryption is not available.');
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plainText, 'utf8'), cipher.final()]);
      return Buffer.concat([Buffer.from('v10'), iv, cipher.getAuthTag(), body]);
    },
    decryptString(encrypted) {
      calls.push('decrypt');
      const iv = encrypted.subarray(3, 15);
      const decipher = createDecipheriv('aes-256-gcm', key, iv);
      decipher.setAuthTag(encrypted.subarray(15, 31));
      return Buffer.concat([decipher.update(encrypted.subarray(31)), decipher.final()]).toString('utf8');
    },
  };
}

const plainKey = Buffer.from(
  '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----\n',
);

describe('safeStorageBox', () => {
  it('seals through safeStorage: the sealed bytes are not the key, and open() gives the key back', () => {
    const storage = memorySafeStorage({ available: true });
    const logs: string[] = [];
    const box = safeStorageBox(storage, (m) => logs.push(m));
    expect(box.kind).toBe('safe-storage');
    const sealed = box.seal(plainKey);
    expect(storage.calls).toEqual(['encrypt']);
    expect(sealed.equals(plainKey)).toBe(false);
    expect(sealed.includes('OPENSSH PRIVATE KEY')).toBe(false);
    expect(box.open(sealed).equals(plainKey)).toBe(true);
    expect(logs).toEqual([]);
  });

  it('does not open what another keychain sealed', () => {
    const sealed = safeStorageBox(memorySafeStorage({ available: true }), () => undefined).seal(plainKey);
    const other = safeStorageBox(memorySafeStorage({ available: true }), () => undefined);
    expect(() => other.open(sealed)).toThrow();
  });

  it('falls back to the file-mode box, and says so, when encryption is unavailable', () => {
    const storage = memorySafeStorage({ available: false });
    const logs: string[] = [];
    const box = safeStorageBox(storage, (m) => logs.push(m));
    expect(box).toBe(fileModeBox);
    expect(box.kind).toBe('file-mode');
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/not available.*file permissions only/);
    expect(box.open(box.seal(plainKey)).equals(plainKey)).toBe(true);
    expect(storage.calls).toEqual([]);
  });

  it('falls back on Linux when the only backend is basic_text (a fixed password, not encryption)', () => {
    const logs: string[] = [];
    const box = safeStorageBox(memorySafeStorage({ available: true, backend: 'basic_text' }), (m) =>
      logs.push(m),
    );
    expect(box.kind).toBe('file-mode');
    expect(logs[0]).toMatch(/basic_text/);
    expect(
      safeStorageBox(memorySafeStorage({ available: true, backend: 'gnome_libsecret' }), (m) => logs.push(m))
        .kind,
    ).toBe('safe-storage');
    expect(logs).toHaveLength(1);
  });
});
