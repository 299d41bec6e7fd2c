import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { SshdServer } from './sshd.js';

const FIXTURE = fileURLToPath(new URL('../integration/engine/fixtures/killable-apply.ts', import.meta.url));

/**
 * Runs one apply local → `server` in its own process, which freezes after its third rename into place
 * (the swap phase), and kills it there with SIGKILL: a destination left part old, part new, whole files only,
 * with an unfinished journal in `stateDir`.
 */
export function applyAndKillMidSwap(
  server: SshdServer,
  args: { src: string; dst: string; stateDir: string },
): Promise<void> {
  const input = {
    host: server.host,
    port: server.port,
    user: server.user,
    privateKey: server.clientKey.privateKey,
    fingerprint: server.hostKeyFingerprint,
    ...args,
    stallAt: 'swap',
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, JSON.stringify(input)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('STALLED')) child.kill('SIGKILL');
    });
    child.stderr.resume();
    child.on('close', (_c, signal) =>
      signal === 'SIGKILL' ? resolve() : reject(new Error(`the apply did not reach its swap: ${out}`)),
    );
  });
}

/**
 * Runs the same apply in its own process and leaves it frozen (alive) after its third rename into
 * place, holding the destination root's lock; `kill()` then ends it with SIGKILL.
 */
export function applyAndFreezeMidSwap(
  server: SshdServer,
  args: { src: string; dst: string; stateDir: string },
): Promise<{ readonly pid: number; kill(): Promise<void> }> {
  const input = {
    host: server.host,
    port: server.port,
    user: server.user,
    privateKey: server.clientKey.privateKey,
    fingerprint: server.hostKeyFingerprint,
    ...args,
    stallAt: 'swap',
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, JSON.stringify(input)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const closed = new Promise<void>((done) => child.on('close', () => done()));
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('STALLED'))
        resolve({
          pid: child.pid ?? 0,
          kill: async () => {
            child.kill('SIGKILL');
            await closed;
          },
        });
    });
    child.stderr.resume();
    void closed.then(() => reject(new Error(`the apply did not reach its swap: ${out}`)));
  });
}
