import { runResultOf, type DestinationResult, type RunRecord } from '../../../src-shared/model/history.js';
import type { MailContent } from './notify-email.js';

/** Display names for ids; an id without a name is shown as is. */
export type NameLookup = {
  readonly setName?: (setId: string) => string | undefined;
  readonly serverName?: (serverId: string) => string | undefined;
};

/** Bytes as a person reads them: 512 B, 4.0 KiB, 1.5 MiB. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} ${units[0]}` : `${value.toFixed(1)} ${units[unit]}`;
}

function formatDuration(ms: number): string {
  return ms < 60_000
    ? `${(ms / 1000).toFixed(1)} s`
    : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

function destinationLine(d: DestinationResult, names: NameLookup): string[] {
  const name = names.serverName?.(d.serverId) ?? d.serverId;
  const c = d.counts;
  const counts = `${c.created} created, ${c.updated} updated, ${c.deleted} deleted, ${c.unchanged} unchanged`;
  const lines = [
    `  ${name}: ${d.status} - ${counts}; ${formatBytes(d.bytes)} in ${formatDuration(d.durationMs)}`,
  ];
  if (d.message) lines.push(`    ${d.message}`);
  if (d.logPath) lines.push(`    log: ${d.logPath}`);
  return lines;
}

/**
 * The per-run summary mail: the subject says set, result and counts (so a mail client's list is
 * enough to see what happened), the body has one line per destination.
 */
export function formatRunSummary(record: RunRecord, names: NameLookup = {}): MailContent {
  const setName = names.setName?.(record.setId) ?? record.setId;
  const result = runResultOf(record);
  const ok = record.destinations.filter((d) => d.status === 'ok').length;
  const notOk = record.destinations.length - ok;
  const subject = `[ConfigSync] ${setName}: ${result} (${ok} ok, ${notOk} failed)`;
  const text = [
    `Sync set: ${setName}`,
    `Result: ${result}, ${ok} of ${record.destinations.length} destinations ok`,
    `Trigger: ${record.trigger}`,
    `Started: ${new Date(record.startedAt).toISOString()}`,
    `Duration: ${formatDuration(record.finishedAt - record.startedAt)}`,
    ...(record.error ? [`Error: ${record.error}`] : []),
    '',
    'Destinations:',
    ...(record.destinations.length > 0
      ? record.destinations.flatMap((d) => destinationLine(d, names))
      : ['  (none reached)']),
    '',
    `Run id: ${record.id}`,
    '',
  ].join('\n');
  return { subject, text };
}
