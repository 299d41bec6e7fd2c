import { open, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import lockfile from 'proper-lockfile';

/**
 * history.jsonl is appended by every process of a store (the app, the CLI, a scheduler service) and
 * rewritten only when it is compacted; both hold this lock (proper-lockfile: a `history.jsonl.lock`
 * folder, stale after 10 s), so an append never lands in a file that is being replaced.
 */
export async function withHistoryLock<T>(path: string, work: () => Promise<T>): Promise<T> {
  const release = await lockfile.lock(path, {
    realpath: false,
    stale: 10_000,
    retries: { retries: 60, factor: 1.3, minTimeout: 10, maxTimeout: 250 },
  });
  try {
    return await work();
  } finally {
    await release().catch(() => undefined);
  }
}

export type HistoryLimits = { readonly maxRecords: number; readonly maxAgeDays: number };

/** When a history line's run finished (epoch ms); null for a line that is not a record. */
function finishedAt(line: string): number | null {
  try {
    const v = (JSON.parse(line) as { finishedAt?: unknown }).finishedAt;
    return typeof v === 'number' ? v : null;
  } catch {
    return null;
  }
}

/**
 * Keeps the newest `maxRecords` lines whose run finished within `maxAgeDays` of `now`, and drops lines
 * that are not records (torn by a crash). The new file is written beside the old one, fsynced and
 * renamed over it, then the folder is fsynced: a crash leaves the old file or the new one, whole.
 * Nothing is written when nothing would go. The caller holds the history lock.
 */
export async function compactHistory(
  path: string,
  limits: HistoryLimits,
  now: number,
): Promise<{ readonly kept: number; readonly removed: number }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kept: 0, removed: 0 };
    throw err;
  }
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const cutoff = now - limits.maxAgeDays * 86_400_000;
  const young = lines.filter((l) => {
    const t = finishedAt(l);
    return t !== null && t >= cutoff;
  });
  const kept = young.slice(Math.max(0, young.length - limits.maxRecords));
  const removed = lines.length - kept.length;
  if (removed === 0) return { kept: kept.length, removed: 0 };
  const temp = `${path}.compact-${process.pid}`;
  const file = await open(temp, 'w', 0o600);
  try {
    await file.writeFile(kept.map((l) => `${l}\n`).join(''), 'utf8');
    await file.sync();
  } catch (err) {
    await file.close();
    await rm(temp, { force: true });
    throw err;
  }
  await file.close();
  await rename(temp, path);
  const dir = await open(dirname(path), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
  return { kept: kept.length, removed };
}

/**
 * Whether compacting would remove anything, judged cheaply: the number of lines (a count of newline
 * bytes) against `maxRecords`, and the first (oldest) line's age.
 */
export async function historyNeedsCompaction(
  path: string,
  limits: HistoryLimits,
  now: number,
): Promise<boolean> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch {
    return false;
  }
  let lines = 0;
  for (let i = buf.indexOf(0x0a); i >= 0; i = buf.indexOf(0x0a, i + 1)) lines++;
  if (lines > limits.maxRecords) return true;
  const end = buf.indexOf(0x0a);
  const first = buf.subarray(0, end < 0 ? buf.length : end).toString('utf8');
  if (first.trim() === '') return false;
  const t = finishedAt(first);
  return t === null || t < now - limits.maxAgeDays * 86_400_000;
}
