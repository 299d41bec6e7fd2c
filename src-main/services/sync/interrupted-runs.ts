import type { Endpoint } from '../../transport/endpoint.js';
import { findInterrupted, recover, type RecoverResult } from '../../engine/recover.js';
import { journalPath, type JournalHead } from '../../engine/journal.js';
import { resolveStateDir } from '../../engine/state-dir.js';

/**
 * Journals on a destination of runs that never reached an end (process killed, link lost), leaving out
 * runs this process is still carrying out. Such a destination is neither planned nor applied until the
 * user recovers it: a plan made over a half-swapped tree would be a plan of the wrong thing.
 */
export async function interruptedRuns(
  endpoint: Endpoint,
  stateDir: string | undefined,
  isActive: (runId: string) => boolean,
): Promise<JournalHead[]> {
  const dir = await resolveStateDir(endpoint, stateDir);
  return (await findInterrupted(endpoint, dir)).filter((j) => !isActive(j.runId));
}

/** Ends every interrupted run on a destination from its journal: completes it (default) or rolls it back. */
export async function recoverInterrupted(
  endpoint: Endpoint,
  stateDir: string | undefined,
  isActive: (runId: string) => boolean,
  prefer: 'complete' | 'rollback',
): Promise<RecoverResult[]> {
  const dir = await resolveStateDir(endpoint, stateDir);
  const results: RecoverResult[] = [];
  // Oldest first, so a later run can see that an earlier one was superseded.
  const journals = (await interruptedRuns(endpoint, stateDir, isActive)).sort((a, b) =>
    a.runId < b.runId ? -1 : 1,
  );
  for (const j of journals) results.push(await recover(endpoint, journalPath(dir, j.runId), prefer));
  return results;
}

/** One line for the user: which runs were interrupted, where they stopped, and what to do. */
export function describeInterrupted(journals: ReadonlyArray<JournalHead>): string {
  const runs = journals.map((j) => `${j.runId} (stopped while ${j.phase})`).join(', ');
  return `An earlier run to this destination was interrupted: ${runs}. Nothing is half-written, but the tree may be part old, part new. Recover it first (in the Synchronize Configurations wizard, or with "configsync recover"), then plan again.`;
}
