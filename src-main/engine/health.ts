import { DEFAULT_HEALTH_TIMEOUT_SEC, type PathError, type RunReport } from '../../src-shared/model/sync.js';
import { trace } from '../trace.js';
import { restoreBackup } from './backup.js';
import { parentOf } from './rel-path.js';
import { settleFolderList, type FolderSetting } from './metadata.js';
import { mark, report, type RunContext } from './run-context.js';
import { briefly, commandFor, TIMED_OUT } from './shadow.js';

/**
 * Health: the set's health command, run in the root after the swap and the post-apply command (`%s`
 * names the root), within its time limit. Why it failed ("exit 3: first line of stderr", "timed out
 * after 60 s"), or null when it passed or there is none.
 */
export async function health(ctx: RunContext): Promise<string | null> {
  const command = ctx.options.healthCommand;
  if (!command) return null;
  // Shown as part of the post-apply step (reload, then probe).
  ctx.progress.phase('post-apply');
  const limit = ctx.options.healthTimeoutSec ?? DEFAULT_HEALTH_TIMEOUT_SEC;
  const r = await ctx.destination.run(commandFor(command, ctx.root, limit), ctx.root);
  trace(`${ctx.destination.label}: health command exited with ${r.code}`);
  if (r.code === 0) return null;
  if (r.code === TIMED_OUT) return `timed out after ${limit} s`;
  const line = briefly(r);
  return `exit ${r.code ?? 'without a status'}${line ? `: ${line}` : ''}`;
}

/**
 * The health command failed: the destination is put back from this run's backup by the same roll-back
 * as recover's (a path changed by someone else since the swap is left and listed), the folders the run
 * wrote into and the root get their mode and mtime as found, the post-apply command runs again so a
 * reloaded service takes the old files, and the run counts as failed (the roll-out's stop-after-N too).
 */
export async function rollBackUnhealthy(
  ctx: RunContext,
  why: string,
  applied: ReadonlyArray<string>,
  postApply: (ctx: RunContext, errors: PathError[]) => Promise<void>,
): Promise<RunReport> {
  const { destination, runId } = ctx;
  const failed = `health command failed (${why})`;
  let result: Awaited<ReturnType<typeof restoreBackup>>;
  try {
    result = await restoreBackup(destination, ctx.backupDir, { expect: 'left-or-found' });
  } catch (err) {
    // The journal still says "swapped": the root shows an interrupted run until recover rolls it back.
    const message = `The ${failed}, and the roll-back failed (${(err as Error).message}); run recover for ${runId}.`;
    return report(ctx, 'failed', { applied, message, code: 'INTERRUPTED_RUN' });
  }
  await destination.removeTree(ctx.stagingDir).catch(() => undefined);
  const errors: PathError[] = [
    ...result.errors,
    ...result.left.map((l) => ({ path: l.path, message: `left as it is: ${l.message}` })),
  ];
  errors.push(...(await settleFolderList(destination, ctx.root, foldersAsFound(ctx))));
  await postApply(ctx, errors).catch((err: Error) => errors.push({ path: '', message: err.message }));
  const left = result.left.length;
  const message = `rolled back: ${failed}${left > 0 ? `; ${left} path(s) changed since the swap were left as they are` : ''}`;
  await mark(ctx, 'rolled-back', { message }).catch(() => undefined);
  ctx.progress.phase('done', { filesTotal: ctx.writes.length, bytesTotal: ctx.plan.summary.bytesToCopy });
  // Nothing of this run stays in place: a path left as it is holds someone else's edit.
  return report(ctx, 'failed', { applied: [], errors, message, code: 'HEALTH_FAILED' });
}

/** The folders the run wrote into that were there before, and the root, with their mode and mtime as found. */
function foldersAsFound(ctx: RunContext): FolderSetting[] {
  const { plan } = ctx;
  const touched = new Set<string>();
  for (const p of ctx.changedPaths) for (let q = parentOf(p); q !== ''; q = parentOf(q)) touched.add(q);
  const dirs = plan.entries
    .filter(
      (e) => (touched.has(e.path) || ctx.changedPaths.includes(e.path)) && e.destination?.type === 'dir',
    )
    .map((e) => ({ path: e.path, meta: e.destination as NonNullable<typeof e.destination> }))
    .sort((a, b) => b.path.split('/').length - a.path.split('/').length);
  const root = plan.destinationRootEntry;
  return [...dirs, ...(root ? [{ path: '', meta: root }] : [])].map((d) => ({
    path: d.path,
    mode: d.meta.mode,
    mtimeMs: d.meta.mtimeMs,
    ...(d.meta.nsec !== undefined ? { nsec: d.meta.nsec } : {}),
  }));
}
