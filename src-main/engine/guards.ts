import { DEFAULT_DELETE_THRESHOLD, type GuardCode, type Plan } from '../../src-shared/model/sync.js';
import { AppError } from '../errors/app-error.js';

export type { GuardCode } from '../../src-shared/model/sync.js';

export type GuardFinding = { readonly code: GuardCode; readonly message: string };

export type GuardOptions = {
  /** Fraction of the destination's files a plan may delete without confirmation (default 0.5). */
  readonly deleteThreshold?: number;
  /** Codes the user has explicitly confirmed for this run. */
  readonly confirmed?: ReadonlyArray<GuardCode>;
};

/**
 * The plans that usually mean a mistake (a wrong or unmounted source, a wrong root) rather than an
 * intention: they are shown to the user, and apply refuses them until each one is confirmed.
 */
export function guardFindings(plan: Plan, options: GuardOptions = {}): GuardFinding[] {
  const out: GuardFinding[] = [];
  const s = plan.summary;
  if (!plan.sourceExists)
    out.push({
      code: 'GUARD_SOURCE_MISSING',
      message: `The source folder ${plan.sourceRoot} does not exist.`,
    });
  else if (s.sourceFiles === 0)
    out.push({ code: 'GUARD_SOURCE_EMPTY', message: `The source folder ${plan.sourceRoot} holds no files.` });
  const threshold = options.deleteThreshold ?? DEFAULT_DELETE_THRESHOLD;
  const deletes = plan.entries.filter((e) => e.action === 'delete' && e.destination?.type !== 'dir').length;
  if (s.destinationFiles > 0 && deletes > threshold * s.destinationFiles)
    out.push({
      code: 'GUARD_MASS_DELETE',
      message: `The plan deletes ${deletes} of the ${s.destinationFiles} files in ${plan.destinationRoot} (more than ${Math.round(threshold * 100)} %).`,
    });
  return out;
}

/** Throws the first unconfirmed finding as an AppError with its GUARD_* code. */
export function assertGuards(plan: Plan, options: GuardOptions = {}): void {
  const confirmed = new Set(options.confirmed ?? []);
  const open = guardFindings(plan, options).find((f) => !confirmed.has(f.code));
  if (open)
    throw new AppError(open.code, `${open.message} Nothing was changed; confirm explicitly to go ahead.`);
}
