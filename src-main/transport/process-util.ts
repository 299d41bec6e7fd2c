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
 * SHA-256 of the NUL-separated `./rel` names on stdin, one `HASH  ./rel` line each, run in the
 * folder: OpenSSL's (with the CPU's SHA instructions: about twice as fast as coreutils here) when
 * there is one, coreutils' sha256sum otherwise. Both print lines hashLines reads.
 */
export const HASH_COMMAND =
  'if command -v openssl >/dev/null 2>&1; then xargs -0 openssl dgst -sha256 -r; else xargs -0 sha256sum --; fi';

/**
 * HASH_COMMAND, or coreutils' sha256sum alone when a name holds a newline, carriage return or
 * backslash: sha256sum escapes those in its output (and hashLines reads them back); OpenSSL does not.
 */
export function hashCommandFor(paths: ReadonlyArray<string>): string {
  return paths.some((p) => /[\n\r\\]/.test(p)) ? 'xargs -0 sha256sum --' : HASH_COMMAND;
}

/**
 * Parses `sha256sum` (or `openssl dgst -sha256 -r`: `HASH *./rel`) output for names given as `./rel`: `HASH  ./rel`, or `\HASH  ./rel` with `\\`
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

/**
 * A command's stderr cut to fit in a message: its first lines (a failing tar can print one line per
 * file, thousands of them, all saying the same thing) and how many more there were.
 */
export function briefly(stderr: string, lines = 3): string {
  const all = stderr
    .trim()
    .split('\n')
    .filter((l) => l.trim() !== '');
  const shown = all.slice(0, lines).map((l) => (l.length > 300 ? `${l.slice(0, 300)}…` : l));
  const more = all.length - shown.length;
  return more > 0 ? `${shown.join('\n')}\n(and ${more} more line${more === 1 ? '' : 's'})` : shown.join('\n');
}
