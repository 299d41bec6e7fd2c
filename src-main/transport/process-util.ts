import type { ChildProcess } from 'node:child_process';

/** Waits for a child process, collecting stdout (bytes) and stderr (text). */
export function collectChild(
  child: ChildProcess,
): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    const out: Buffer[] = [];
    let err = '';
    child.stdout?.on('data', (d: Buffer) => out.push(d));
    child.stderr?.on('data', (d: Buffer) => (err += d.toString('utf8')));
    child.stdin?.on('error', () => undefined);
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr: err }));
  });
}

/**
 * Parses `sha256sum` output for names given as `./rel`: `HASH  ./rel`, or `\HASH  ./rel` with `\\`
 * and `\n` escapes when the name needed them. Keys are the relative paths without `./`.
 */
export function hashLines(stdout: Buffer): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of stdout.toString('utf8').split('\n')) {
    if (!line) continue;
    const escaped = line.startsWith('\\');
    const body = escaped ? line.slice(1) : line;
    const hash = body.slice(0, 64);
    let name = body.slice(66);
    if (escaped)
      name = name.replace(/\\(\\|n|r)/g, (_m, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : '\\'));
    map.set(name.startsWith('./') ? name.slice(2) : name, hash);
  }
  return map;
}
