import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { SshdServer } from '../support/sshd.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/apply-child.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../..', import.meta.url));

export type ChildEnd = { readonly killed: boolean; readonly output: string; readonly runId: string | null };

/**
 * Runs the apply fixture in its own process group. `killWhen` sees each output line and returns
 * true to SIGKILL the whole group at that moment (or a number: kill that many ms later).
 */
export function runChild(
  s: SshdServer,
  args: { src: string; dst: string; stateDir: string; bulk: boolean },
  killWhen: (line: string) => boolean | number,
): Promise<ChildEnd> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        FIXTURE,
        JSON.stringify({
          host: s.host,
          port: s.port,
          user: s.user,
          privateKey: s.clientKey.privateKey,
          fingerprint: s.hostKeyFingerprint,
          ...args,
        }),
      ],
      { cwd: REPO, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    let buf = '';
    let armed = false;
    const kill = () => {
      try {
        process.kill(-(child.pid ?? 0), 'SIGKILL');
      } catch {
        // It ended on its own first.
      }
    };
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const line of lines) {
        if (armed) continue;
        const k = killWhen(line);
        if (k === false) continue;
        armed = true;
        if (k === true) kill();
        else setTimeout(kill, k);
      }
    });
    child.on('close', (_code, signal) => {
      const runId = /PLANNED (\S+)/.exec(out)?.[1] ?? null;
      if (out.includes('ERROR')) reject(new Error(`the fixture failed: ${out} ${err}`));
      else resolve({ killed: signal === 'SIGKILL', output: out, runId });
    });
  });
}
