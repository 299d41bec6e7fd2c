import { shq } from '../../transport/shell-quote.js';
import type { SshConnection } from '../../transport/ssh-connection.js';
import type { ServerCapabilities } from '../../../src-shared/contract/methods/servers.js';

/**
 * One exec that asks the host everything the engine relies on, each by trying it: GNU find's -printf
 * (one-round-trip listings), tar (bulk transfers), sha256sum (checksum compare) and df -Pk (free space).
 */
export function capabilitiesScript(path?: string): string {
  const target = path ? shq(path) : '"$HOME"';
  return [
    `p=${target}`,
    'printf "os=%s\\n" "$(uname -sr 2>/dev/null)"',
    'printf "shell=%s\\n" "${SHELL:-}"',
    'printf "path=%s\\n" "$p"',
    '[ "$(find / -maxdepth 0 -printf x 2>/dev/null)" = x ] && echo find=1 || echo find=0',
    'tar --version >/dev/null 2>&1 && echo tar=1 || echo tar=0',
    '[ "$(printf "" | sha256sum 2>/dev/null | cut -c1-8)" = e3b0c442 ] && echo sha256sum=1 || echo sha256sum=0',
    'df -Pk "$p" 2>/dev/null | awk \'NR==2 {print "freekb=" $4}\'',
  ].join('\n');
}

/** Reads the `key=value` lines of capabilitiesScript; missing keys count as "not available". */
export function parseCapabilities(output: string): ServerCapabilities {
  const values = new Map<string, string>();
  for (const line of output.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) values.set(line.slice(0, eq), line.slice(eq + 1).trim());
  }
  const freeKb = Number(values.get('freekb'));
  return {
    os: values.get('os') ?? '',
    shell: values.get('shell') ?? '',
    findPrintf: values.get('find') === '1',
    tar: values.get('tar') === '1',
    sha256sum: values.get('sha256sum') === '1',
    freeSpacePath: values.get('path') ?? '',
    freeBytes: values.has('freekb') && Number.isFinite(freeKb) ? freeKb * 1024 : null,
  };
}

/** Runs the probe on an open connection. */
export async function probeCapabilities(conn: SshConnection, path?: string): Promise<ServerCapabilities> {
  const result = await conn.exec('/bin/sh -s', capabilitiesScript(path));
  return parseCapabilities(result.stdout.toString('utf8'));
}
