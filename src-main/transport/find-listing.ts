import type { RawEntry } from './endpoint.js';
import { shq } from './shell-quote.js';

/** Each entry: `%y\t%m\t%s\t%T@\t%P` NUL `%l` NUL (escapes are find's own, not the shell's). */
export const FIND_FORMAT = '%y\\t%m\\t%s\\t%T@\\t%P\\0%l\\0';

/**
 * One command that lists a whole tree in one round trip: exit 3 when the root is missing, 4 when it is
 * not a folder. Each entry is `%y\t%m\t%s\t%T@\t%P` NUL `%l` NUL, so any name (tabs, newlines) parses.
 * Listing `ROOT/.` makes a root that is itself a symlink to a folder list that folder.
 */
export function findCommand(root: string): string {
  const r = shq(root);
  return (
    `if [ -d ${r} ]; then find ${shq(`${root.replace(/\/+$/, '')}/.`)} -mindepth 1 -printf ${shq(FIND_FORMAT)}; ` +
    `elif [ -e ${r} ] || [ -L ${r} ]; then exit 4; else exit 3; fi`
  );
}

export function parseFindOutput(stdout: Buffer): RawEntry[] {
  const fields = stdout.toString('utf8').split('\0');
  const out: RawEntry[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const rec = fields[i] ?? '';
    const link = fields[i + 1] ?? '';
    const parts = rec.split('\t');
    if (parts.length < 5) throw new Error(`Unexpected listing line: ${JSON.stringify(rec)}`);
    const [y, m, s, t] = parts;
    const path = parts.slice(4).join('\t');
    const type = y === 'f' ? 'file' : y === 'd' ? 'dir' : y === 'l' ? 'symlink' : 'other';
    out.push({
      path,
      type,
      size: type === 'file' ? Number(s) : 0,
      mtimeMs: Math.round(parseFloat(t ?? '0') * 1000),
      mode: parseInt(m ?? '0', 8) & 0o7777,
      ...(type === 'symlink' ? { linkTarget: link } : {}),
    });
  }
  return out;
}
