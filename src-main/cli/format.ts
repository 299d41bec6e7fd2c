import { exitCodes, type ExitName } from '../../src-shared/errors.js';

/** A plain-text table with left-aligned columns, for terminals and logs. */
export function table(headers: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: ReadonlyArray<string>) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** 1536 → "1.5 KB" (decimal units, as file managers show sizes). */
export function bytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = -1;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}

/** A command's `Exit:` line, its numbers read from the one exit-code table: "Exit: 0 applied, 3 partial." */
export function exitLine(cases: ReadonlyArray<readonly [ExitName, string]>): string {
  return `Exit: ${cases.map(([name, words]) => `${exitCodes[name]} ${words}`).join(', ')}.`;
}
