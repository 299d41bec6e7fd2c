import ssh2 from 'ssh2';
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { writeFileAtomicSync } from '../store/atomic-file.js';
import { join } from 'node:path';
import { AppError } from '../errors/app-error.js';
import { fileModeBox, type SecretBox } from './secret-box.js';
import { protectionOf, writeSecretFile, type KeyProtection } from './key-protection.js';

const { utils } = ssh2;

/** The app's own SSH key pair: the private key in OpenSSH format, the public key as one authorized_keys line. */
export type AppKeyPair = { readonly privateKey: string; readonly publicKey: string };

/** Header of a key file sealed by a box other than `file-mode` (whose file is plain OpenSSH text). */
const SEALED_MAGIC = 'configsync-sealed:';

/**
 * Keeps the app's ed25519 key pair at `<dataDir>/keys/id_ed25519` (0600, folder 0700), sealed by a
 * SecretBox. The key is created on first need and never replaced, because servers trust it by its
 * public half in their authorized_keys.
 */
export class AppKeyStore {
  readonly dir: string;
  readonly privatePath: string;
  readonly publicPath: string;
  private cached: AppKeyPair | null = null;

  constructor(
    dataDir: string,
    private readonly box: SecretBox = fileModeBox,
    /** A box this store no longer seals with, kept to open a key an earlier version sealed with it. */
    private readonly legacy: SecretBox | null = null,
  ) {
    this.dir = join(dataDir, 'keys');
    this.privatePath = join(this.dir, 'id_ed25519');
    this.publicPath = `${this.privatePath}.pub`;
  }

  exists(): boolean {
    return existsSync(this.privatePath);
  }

  /** The key pair, generated and written on first call. */
  ensure(): AppKeyPair {
    if (this.cached) return this.cached;
    if (this.exists()) return (this.cached = this.load());
    const generated = utils.generateKeyPairSync('ed25519', { comment: 'configsync' });
    const pair: AppKeyPair = { privateKey: generated.private, publicKey: generated.public.trim() };
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    chmodSync(this.dir, 0o700);
    const sealed =
      this.box.kind === fileModeBox.kind
        ? this.box.seal(Buffer.from(pair.privateKey))
        : this.sealWithHeader(pair.privateKey);
    writeFileAtomicSync(this.privatePath, sealed, { mode: 0o600 });
    writeFileAtomicSync(this.publicPath, `${pair.publicKey}\n`, { mode: 0o644 });
    return (this.cached = pair);
  }

  /** How the key is kept at rest, in words for the UI and the CLI. */
  protection(): KeyProtection {
    return protectionOf(this.box, this.privatePath);
  }

  /** The public key line, or null before the pair exists. */
  publicKey(): string | null {
    return this.exists() ? this.ensure().publicKey : null;
  }

  private sealWithHeader(privateKey: string): Buffer {
    return Buffer.concat([
      Buffer.from(`${SEALED_MAGIC}${this.box.kind}\n`),
      this.box.seal(Buffer.from(privateKey)),
    ]);
  }

  private load(): AppKeyPair {
    const data = readFileSync(this.privatePath);
    let text: string;
    if (data.subarray(0, SEALED_MAGIC.length).toString() === SEALED_MAGIC) {
      const nl = data.indexOf(10);
      const kind = data.subarray(SEALED_MAGIC.length, nl).toString();
      if (kind === this.box.kind) text = this.box.open(data.subarray(nl + 1)).toString();
      else if (this.legacy && kind === this.legacy.kind) {
        // Sealed by a keychain only this shell reaches: opened once here and kept the way every shell
        // can read it, so the CLI and the scheduler use the same key from now on.
        text = this.legacy.open(data.subarray(nl + 1)).toString();
        writeSecretFile(
          this.privatePath,
          this.box.kind === fileModeBox.kind ? this.box.seal(Buffer.from(text)) : this.sealWithHeader(text),
        );
      } else
        throw new AppError(
          'KEY_SEALED_ELSEWHERE',
          `The app key ${this.privatePath} was sealed with "${kind}" (the desktop app's keychain in an earlier version), which this shell cannot open. ` +
            'Start the desktop app once: it turns the key into a file every shell of this store can read (0600).',
        );
    } else {
      // A plain OpenSSH file (written under file-mode protection) opens in every shell.
      text = data.toString();
    }
    const parsed = utils.parseKey(text);
    if (parsed instanceof Error)
      throw new AppError(
        'KEY_UNREADABLE',
        `The app key ${this.privatePath} cannot be read: ${parsed.message}.`,
      );
    const key = Array.isArray(parsed) ? parsed[0] : parsed;
    if (!key) throw new AppError('KEY_UNREADABLE', `The app key ${this.privatePath} holds no key.`);
    const publicKey = `${key.type} ${key.getPublicSSH().toString('base64')} configsync`;
    return { privateKey: text, publicKey };
  }
}
