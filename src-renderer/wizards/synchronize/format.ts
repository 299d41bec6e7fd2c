import type { PlanAction, RunStatus, SyncMode, CompareMethod } from '../../../src-shared/model/sync.js';
import { assertNever } from '../../../src-shared/assert-never.js';

/** 1234567 → "1.2 MB" (decimal units, as file managers show sizes). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = bytes / 1000;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ${units[i]}`;
}

/** A modification time as a short local date and time. */
export function formatTime(ms: number | undefined): string {
  if (ms === undefined) return '—';
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** "3 min ago", "2 h ago", or the date when older than a week. */
export function formatAgo(iso: string, now = Date.now()): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  if (s < 7 * 86400) return `${Math.round(s / 86400)} d ago`;
  return formatTime(t);
}

/** 61500 → "1 min 2 s"; under a second → "0.4 s". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** "12 files" / "1 file". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

export type ActionLook = { readonly label: string; readonly color: string; readonly verb: string };

/** How each plan action is named and coloured everywhere in the wizard. */
export function actionLook(action: PlanAction): ActionLook {
  switch (action) {
    case 'create':
      return { label: 'Create', color: 'teal', verb: 'created' };
    case 'update':
      return { label: 'Update', color: 'blue', verb: 'updated' };
    case 'delete':
      return { label: 'Delete', color: 'red', verb: 'deleted' };
    case 'keep':
      return { label: 'Unchanged', color: 'gray', verb: 'unchanged' };
    case 'skip-newer-on-destination':
      return { label: 'Skip', color: 'yellow', verb: 'skipped (newer on the destination)' };
    case 'skip':
      return { label: 'Skipped', color: 'orange', verb: 'skipped (not carried, see the reason)' };
    default:
      return assertNever(action);
  }
}

export type StatusLook = { readonly label: string; readonly color: string };

/** How a destination's run status is named: succeeded, failed, skipped or cancelled. */
export function statusLook(status: RunStatus): StatusLook {
  switch (status) {
    case 'completed':
      return { label: 'Succeeded', color: 'green' };
    case 'completed-with-errors':
      return { label: 'Succeeded with errors', color: 'orange' };
    case 'failed':
      return { label: 'Failed', color: 'red' };
    case 'cancelled':
      return { label: 'Cancelled', color: 'gray' };
    case 'refused':
      return { label: 'Skipped (refused)', color: 'orange' };
    case 'unreachable':
      return { label: 'Skipped (unreachable)', color: 'orange' };
    case 'sudo-refused':
      return { label: 'Skipped (sudo refused)', color: 'red' };
    default:
      return assertNever(status);
  }
}

/** One line on what a mode does, shown beside the choice. */
export function modeExplained(mode: SyncMode): string {
  switch (mode) {
    case 'mirror':
      return 'Strict: each destination becomes an exact copy; differing files are overwritten and extra files deleted.';
    case 'update':
      return 'Easy: only files that are newer on the source are copied; extra and newer destination files are left alone.';
    default:
      return assertNever(mode);
  }
}

/** One line on what a compare method does. */
export function compareExplained(compare: CompareMethod): string {
  switch (compare) {
    case 'time-size':
      return "Time and size: fast; files with the same size and modification time (within the set's tolerance) count as equal.";
    case 'checksum':
      return 'Checksum: reads every file on each server and compares SHA-256; slower, catches every change.';
    default:
      return assertNever(compare);
  }
}
