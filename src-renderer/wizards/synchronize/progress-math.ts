import type { Progress, RunPhase } from '../../../src-shared/model/sync.js';
import { formatBytes } from './format.js';

/**
 * The share of a destination's run each phase takes on its bar. The engine counts each phase from 0
 * (its own files or bytes), so a bar drawn from those counts would go back at every phase change;
 * placed one after the other, every phase moves the bar forward and none moves it back.
 */
const weights: Readonly<Record<RunPhase, number>> = {
  preparing: 3,
  'backing-up': 12,
  transferring: 60,
  validating: 3,
  swapping: 10,
  deleting: 4,
  verifying: 6,
  'post-apply': 2,
  done: 0,
};
const order: ReadonlyArray<RunPhase> = [
  'preparing',
  'backing-up',
  'transferring',
  'validating',
  'swapping',
  'deleting',
  'verifying',
  'post-apply',
  'done',
];
const total = order.reduce((n, p) => n + weights[p], 0);

/** How far a phase has come by its own counts (bytes while copying or backing up, entries otherwise), 0–1. */
function withinPhase(p: Progress): number {
  const ratio = (done: number, all: number) => (all > 0 ? Math.min(1, Math.max(0, done / all)) : 0);
  if ((p.phase === 'transferring' || p.phase === 'backing-up') && p.bytesTotal > 0)
    return ratio(p.bytesDone, p.bytesTotal);
  return ratio(p.filesDone, p.filesTotal);
}

/** A sample as the share of the whole destination run done, 0–1 ('done' is 1). */
export function sampleFraction(p: Progress): number {
  if (p.phase === 'done') return 1;
  let before = 0;
  for (const phase of order) {
    if (phase === p.phase) break;
    before += weights[phase];
  }
  return (before + weights[p.phase] * withinPhase(p)) / total;
}

/** Never backwards: a late or reordered sample keeps the furthest point reached. */
export function advance(previous: number | undefined, p: Progress): number {
  return Math.max(previous ?? 0, sampleFraction(p));
}

/** The whole run: each destination counts the same, a skipped one (not planned) not at all. */
export function overallFraction(fractions: ReadonlyArray<number>): number {
  if (fractions.length === 0) return 1;
  return fractions.reduce((n, f) => n + f, 0) / fractions.length;
}

/** What a destination is doing, in words, from its latest sample. */
export function phaseWords(p: Progress): string {
  const n = (x: number) => x.toLocaleString('en-US');
  switch (p.phase) {
    case 'preparing':
      return 'Checking the destination is as planned…';
    case 'backing-up':
      return `Backing up what it will overwrite or delete: ${n(p.filesDone)} of ${n(p.filesTotal)} ${p.filesTotal === 1 ? 'entry' : 'entries'}, ${formatBytes(p.bytesDone)} of ${formatBytes(p.bytesTotal)}`;
    case 'transferring':
      return `Copying: ${n(p.filesDone)} of ${n(p.filesTotal)} files`;
    case 'validating':
      return 'Running the validate command on the staged files…';
    case 'swapping':
      return `Putting the new files in place: ${n(p.filesDone)} of ${n(p.filesTotal)}`;
    case 'deleting':
      return `Deleting: ${n(p.filesDone)} of ${n(p.filesTotal)}`;
    case 'verifying':
      return 'Reading the destination back to check it against the plan…';
    case 'post-apply':
      return 'Running the post-apply command…';
    case 'done':
      return 'Done; waiting for the report…';
    default:
      return assertNever(p.phase);
  }
}

function assertNever(x: never): never {
  throw new Error(`unexpected phase ${String(x)}`);
}
