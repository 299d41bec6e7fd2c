import { AppError } from '../../errors/app-error.js';
import { shq } from '../../transport/shell-quote.js';
import { SshError, type SshConnection } from '../../transport/ssh-connection.js';
import { connectTo, type ConnectDeps } from './server-connect.js';
import type { ServerListState } from '../../../src-shared/model/server.js';

/**
 * Appends the key read from stdin to ~/.ssh/authorized_keys unless a line already holds its base64
 * part; creates ~/.ssh (700) and the file (600) under umask 077, and ends an unterminated last line
 * first, as ssh-copy-id does. Prints `added` or `present`.
 */
export const AUTHORIZE_SCRIPT = [
  'umask 077',
  'IFS= read -r key || exit 10',
  'b64=$(printf "%s\\n" "$key" | awk \'{print $2}\')',
  '[ -n "$b64" ] || exit 10',
  'd="$HOME/.ssh"; f="$d/authorized_keys"',
  '[ -d "$d" ] || mkdir -p "$d" || exit 11',
  '[ -f "$f" ] || : > "$f" || exit 12',
  'if awk -v k="$b64" \'{for (i = 1; i <= NF; i++) if ($i == k) found = 1} END {exit found ? 0 : 1}\' "$f"; then echo present; exit 0; fi',
  '[ -s "$f" ] && [ -n "$(tail -c 1 "$f")" ] && { echo >> "$f" || exit 12; }',
  'printf "%s\\n" "$key" >> "$f" || exit 12',
  'echo added',
].join('\n');

export type KeySetupResult = { added: boolean; publicKey: string; message: string; state: ServerListState };

/**
 * One-time key setup: the user's password is used for this one login and then dropped (never stored,
 * never in a message). The host key must be pinned first, so the password only goes to a confirmed
 * host. Key login is then proven on a fresh connection, and the server is set to use the app key.
 */
export async function setupKey(deps: ConnectDeps, id: string, password: string): Promise<KeySetupResult> {
  const server = deps.service.getSsh(id);
  const where = `${server.user}@${server.host}:${server.port}`;
  if (!server.pinnedHostKey)
    throw new AppError(
      'HOST_KEY_NOT_PINNED',
      `Confirm the host key of "${server.name}" before sending it a password.`,
    );
  const pair = deps.keys.ensure();
  let conn: SshConnection;
  try {
    conn = await connectTo(server, deps, { kind: 'password', password });
  } catch (err) {
    if (err instanceof SshError && err.code === 'AUTH_FAILED')
      throw new AppError(
        'AUTH_FAILED',
        `${where} did not accept the password (or allows no password login). Nothing was changed.`,
      );
    throw err;
  }
  let added: boolean;
  try {
    const r = await conn.exec(`/bin/sh -c ${shq(AUTHORIZE_SCRIPT)}`, `${pair.publicKey}\n`);
    const out = r.stdout.toString('utf8').trim();
    if (r.code !== 0 || (out !== 'added' && out !== 'present'))
      throw new AppError(
        'KEY_SETUP_FAILED',
        `Could not write ~/.ssh/authorized_keys on ${where} (exit ${r.code ?? r.signal}): ${r.stderr.trim() || 'no message'}.`,
      );
    added = out === 'added';
  } finally {
    conn.close();
  }
  try {
    const proof = await connectTo(server, deps, { kind: 'key', privateKey: pair.privateKey });
    proof.close();
  } catch (err) {
    throw new AppError(
      'KEY_LOGIN_FAILED',
      `The key is in ~/.ssh/authorized_keys on ${where}, but key login was still refused (${(err as Error).message}). ` +
        'The server may read keys from elsewhere (AuthorizedKeysFile) or reject the folder permissions (StrictModes).',
    );
  }
  const message = added
    ? `The app key was added on ${where}; key login works.`
    : `The app key was already on ${where}; key login works.`;
  deps.service.recordContact(id, true, message);
  const state = deps.service.update(id, (s) => (s.kind === 'ssh' ? { ...s, auth: { kind: 'app-key' } } : s));
  return { added, publicKey: pair.publicKey, message, state };
}
