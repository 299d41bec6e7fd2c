import type { Entry } from './use-entry-pages.js';

const COLUMNS = [
  'action',
  'path',
  'reason',
  'source_type',
  'source_size',
  'source_mtime',
  'source_mode',
  'destination_type',
  'destination_size',
  'destination_mtime',
  'destination_mode',
] as const;

function csvField(value: string | number | undefined): string {
  if (value === undefined) return '';
  const s = String(value);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
const octal = (mode: number | undefined) =>
  mode === undefined ? undefined : mode.toString(8).padStart(4, '0');

/** The differences as CSV (RFC 4180 quoting, ISO times, octal modes): one row per entry. */
export function entriesToCsv(entries: ReadonlyArray<Entry>): string {
  const rows = entries.map((e) =>
    [
      e.action,
      e.path,
      e.reason,
      e.source?.type,
      e.source?.size,
      iso(e.source?.mtimeMs),
      octal(e.source?.mode),
      e.destination?.type,
      e.destination?.size,
      iso(e.destination?.mtimeMs),
      octal(e.destination?.mode),
    ]
      .map(csvField)
      .join(','),
  );
  return `${[COLUMNS.join(','), ...rows].join('\r\n')}\r\n`;
}

/** A file name safe on every OS: `differences-second-1-20261123T1015.csv`. */
export function exportName(destination: string, ext: 'csv' | 'json', at = new Date()): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').slice(0, 13);
  return `differences-${destination.replace(/[^A-Za-z0-9._-]+/g, '_')}-${stamp}.${ext}`;
}
