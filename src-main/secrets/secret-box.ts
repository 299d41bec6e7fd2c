/**
 * Seals secrets at rest. The Electron shell supplies one backed by safeStorage (the OS keychain);
 * the browser shell and CLI use `fileModeBox`, which relies on the file being readable only by the user.
 * Kept free of electron imports so every shell can use the stores that take one.
 */
export interface SecretBox {
  /** Shown in messages and stored beside sealed data, so a file sealed one way is never opened another. */
  readonly kind: string;
  seal(plain: Buffer): Buffer;
  open(sealed: Buffer): Buffer;
}

/** No encryption: the data is protected by 0600 permissions in a 0700 folder. */
export const fileModeBox: SecretBox = {
  kind: 'file-mode',
  seal: (plain) => Buffer.from(plain),
  open: (sealed) => Buffer.from(sealed),
};
