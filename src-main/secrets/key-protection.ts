import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import type { SecretBox } from './secret-box.js';

/** How the app key and the SMTP password are kept at rest, in words the UI and the CLI show. */
export type KeyProtection = {
  readonly kind: 'file-mode' | 'os-keychain';
  readonly words: string;
};

/**
 * Which protection a store's secrets get. The Electron app, the CLI and `configsync scheduler` (which
 * may run as a system service, outside any login session) all open the same store, so a secret sealed
 * by a keychain only one of them can reach (Electron's safeStorage) locks the others out. A box is
 * used only when it says every shell can open it; otherwise the secret is a 0600 file in a 0700
 * folder, as OpenSSH keeps ~/.ssh/id_ed25519.
 */
export function protectionOf(
  box: SecretBox & { readonly everyShell?: boolean },
  path: string,
): KeyProtection {
  if (box.kind !== 'file-mode' && box.everyShell === true)
    return {
      kind: 'os-keychain',
      words: `The app key ${path} is sealed by the OS keychain (${box.kind}), which the app, the CLI and the scheduler can all open.`,
    };
  return {
    kind: 'file-mode',
    words:
      `The app key ${path} is a file only your user can read (0600, folder 0700), as OpenSSH keeps ~/.ssh/id_ed25519: ` +
      'the desktop app, the CLI and the scheduler all open the same store, and no OS keychain here is reachable by all three.',
  };
}

/** The box secrets are sealed with: `box` when every shell can open it, else file-mode (0600). */
export function sharedBox(
  box: SecretBox & { readonly everyShell?: boolean },
  fileMode: SecretBox,
): SecretBox {
  return box.kind !== fileMode.kind && box.everyShell === true ? box : fileMode;
}

/** Writes a secret file by temp file, fsync and rename, 0600: a crash leaves the old file or the new one. */
export function writeSecretFile(path: string, data: Buffer | string): void {
  const temp = `${path}.${process.pid}.tmp`;
  const fd = openSync(temp, 'w', 0o600);
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
}
