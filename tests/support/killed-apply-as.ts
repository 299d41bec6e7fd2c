import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Privilege } from '../../src-main/transport/remote-command.js';
import type { SshdServer } from './sshd.js';

const FIXTURE = fileURLToPath(
  new URL('../integration/privilege/fixtures/killable-apply-as.ts', import.meta.url),
);

/**
 * Runs one mirror apply local → `server` in its own process, logged in as `user` (through sudo when
 * `privilege` says so; its password goes on the child's stdin, never its command line), which freezes
 * after its third rename into place (the swap phase), and kills it there with SIGKILL: a destination
 * left part old, part new, with an unfinished journal. `stateDir` unset: the app's own `~/.configsync`.
 */
export function applyAsAndKillMidSwap(
  server: SshdServer,
  args: {
    user: string;
    privilege: Privilege;
    src: string;
    dst: string;
    stateDir?: string;
    bulk: boolean;
    toleranceMs?: number;
    /** The login runs no commands: the child's endpoint goes over SFTP for everything. */
    sftpOnly?: boolean;
  },
): Promise<void> {
  const input = {
    host: server.host,
    port: server.port,
    privateKey: server.clientKey.privateKey,
    algorithm: server.hostKeyAlgorithm,
    fingerprint: server.hostKeyFingerprint,
    toleranceMs: 0,
    ...args,
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('STALLED')) child.kill('SIGKILL');
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (_c, signal) =>
      signal === 'SIGKILL'
        ? resolve()
        : reject(new Error(`the apply did not reach its swap: ${out}${err.slice(0, 2000)}`)),
    );
    child.stdin.end(JSON.stringify(input));
  });
}
