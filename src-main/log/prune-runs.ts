import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** `<runId>.log` / `<runId>.json`, run ids starting with their UTC start time (see newRunId). */
const RUN_FILE = /^(\d{8}T\d{6,9}Z-[0-9a-f]+)\.(log|json)$/;

/** A run id's start time (epoch ms) from its name; null for a name that is not a run id. */
export function runIdTime(runId: string): number | null {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})?Z-/.exec(runId);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, ms] = m;
  const t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Number(ms ?? 0));
  return Number.isNaN(t) ? null : t;
}

/** The run ids that have files in the logs folder, newest first, by name alone (no file is read). */
export async function runIdsNewestFirst(logsDir: string): Promise<string[]> {
  const names = await readdir(logsDir).catch(() => [] as string[]);
  const ids = new Set<string>();
  for (const n of names) {
    const m = RUN_FILE.exec(n);
    if (m?.[1]) ids.add(m[1]);
  }
  return [...ids].sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
}

/**
 * The records (`<runId>.json`) of the newest `limit` runs, newest first: the folder is listed and only
 * those files are read. A record that cannot be read (a run killed while writing it) is left out.
 */
export async function readRunRecords<T>(logsDir: string, limit: number): Promise<T[]> {
  const ids = await runIdsNewestFirst(logsDir);
  const out: T[] = [];
  for (const id of ids) {
    if (out.length >= limit) break;
    try {
      out.push(JSON.parse(await readFile(join(logsDir, `${id}.json`), 'utf8')) as T);
    } catch {
      // No record (a run still going, or killed): its .log tells the story.
    }
  }
  return out;
}

/**
 * Removes the log and record of every run beyond the newest `keep`, and of every run started more than
 * `days` days before `now`. Runs named in `active` (under way in this process) are never removed.
 */
export async function pruneRunLogs(
  logsDir: string,
  limits: { readonly keep: number; readonly days: number },
  now: number,
  active: ReadonlySet<string> = new Set(),
): Promise<{ readonly removed: ReadonlyArray<string> }> {
  const ids = await runIdsNewestFirst(logsDir);
  const cutoff = now - limits.days * 86_400_000;
  const removed: string[] = [];
  for (const [i, id] of ids.entries()) {
    if (active.has(id)) continue;
    const t = runIdTime(id);
    if (i < limits.keep && (t === null || t >= cutoff)) continue;
    await rm(join(logsDir, `${id}.log`), { force: true });
    await rm(join(logsDir, `${id}.json`), { force: true });
    removed.push(id);
  }
  return { removed };
}
