import type { Endpoint, StatResult } from '../transport/endpoint.js';
import { AppError } from '../errors/app-error.js';
import { IN_FLIGHT, mapBounded } from './bounded.js';
import type { JournalWrite } from './journal.js';
import { joinRoot } from './rel-path.js';

/** Up to this many files are stat-ed one by one; more are read in one listing. */
const STAT_EACH_UP_TO = 256;

/**
 * Re-lists the source once its data is staged and checks every written file still has the size and
 * modified time the plan saw. A file rewritten while it was read (an editor saving mid-upload) is
 * otherwise staged as a torn mix of old and new bytes whenever its size did not change; tar notices
 * that itself, a per-file copy does not.
 */
export async function checkSourceUnchanged(
  source: Endpoint,
  sourceRoot: string,
  writes: ReadonlyArray<JournalWrite & { readonly size: number }>,
): Promise<void> {
  const files = writes.filter((w) => w.type === 'file');
  if (files.length === 0) return;
  const now = new Map<string, StatResult>();
  if (source.exactStat && files.length <= STAT_EACH_UP_TO) {
    // A few files: each stat-ed (to the millisecond) rather than the whole source listed again.
    const got = await mapBounded(files, IN_FLIGHT, (w) => source.stat(joinRoot(sourceRoot, w.path)));
    files.forEach((w, i) => {
      const g = got[i];
      if (g) now.set(w.path, g);
    });
  } else for (const e of (await source.list(sourceRoot)) ?? []) now.set(e.path.normalize('NFC'), e);
  for (const w of files) {
    const e = now.get(w.path);
    if (e && e.type === 'file' && e.size === w.size && Math.abs(e.mtimeMs - w.mtimeMs) <= 1) continue;
    const seen = e ? `${e.type}, ${e.size} bytes, modified ${new Date(e.mtimeMs).toISOString()}` : 'gone';
    throw new AppError(
      'SOURCE_CHANGED',
      `"${w.path}" changed on the source while it was being copied (planned: ${w.size} bytes, modified ${new Date(w.mtimeMs).toISOString()}; now: ${seen}). Nothing was changed; plan again.`,
    );
  }
}
