import type { SafeStorage } from 'electron';
import { fileModeBox, type SecretBox } from '../secrets/secret-box.js';

/**
 * The part of Electron's `safeStorage` the box uses. SecretBox is synchronous (the key store reads the
 * key inside synchronous code), so this takes the synchronous calls, which Electron 45 marks deprecated
 * in favour of the async ones but still ships; `getSelectedStorageBackend` exists on Linux only.
 */
export type SafeStorageLike = Pick<SafeStorage, 'isEncryptionAvailable' | 'encryptString' | 'decryptString'> &
  Partial<Pick<SafeStorage, 'getSelectedStorageBackend'>>;

/**
 * A SecretBox sealed by the OS keychain through Electron's `safeStorage` (Keychain on macOS, DPAPI on
 * Windows, libsecret/kwallet on Linux). When encryption is unavailable, or on Linux when the only backend
 * is `basic_text` (a fixed, publicly known password: obfuscation, not encryption), it falls back to the
 * file-mode box (0600 file in a 0700 folder) and says so in the log, rather than pretending to encrypt.
 * Call it after the app's `ready` event: before it, Linux and Windows report no encryption.
 */
export function safeStorageBox(
  safeStorage: SafeStorageLike,
  log: (msg: string) => void = (m) => console.warn(`[configsync] ${m}`),
): SecretBox {
  if (!safeStorage.isEncryptionAvailable()) {
    log(
      'The OS keychain (Electron safeStorage) is not available: the app key is protected by file permissions only (0600).',
    );
    return fileModeBox;
  }
  const backend = safeStorage.getSelectedStorageBackend?.();
  if (backend === 'basic_text') {
    log(
      'No OS keychain was found (safeStorage backend "basic_text"): the app key is protected by file permissions only (0600).',
    );
    return fileModeBox;
  }
  return {
    kind: 'safe-storage',
    // The key is OpenSSH text, so a string round trip through safeStorage loses nothing.
    seal: (plain) => Buffer.from(safeStorage.encryptString(plain.toString('utf8'))),
    open: (sealed) => Buffer.from(safeStorage.decryptString(Buffer.from(sealed)), 'utf8'),
  };
}
