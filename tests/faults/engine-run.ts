import { apply, type ApplyOptions } from '../../src-main/engine/apply.js';
import { DEFAULT_EXCLUDES } from '../../src-main/engine/filters.js';
import { plan } from '../../src-main/engine/plan.js';
import { scan } from '../../src-main/engine/scan.js';
import type { Endpoint } from '../../src-main/transport/endpoint.js';
import type { Plan, PlanOptions, RunReport } from '../../src-shared/model/sync.js';

export const MIRROR: PlanOptions = { mode: 'mirror', compare: 'time-size', toleranceMs: 2000 };

/** Scans both sides with the default exclusions and plans, as the sync service does. */
export async function planBetween(
  source: Endpoint,
  src: string,
  destination: Endpoint,
  dst: string,
  options: PlanOptions = MIRROR,
): Promise<Plan> {
  const hash = options.compare === 'checksum';
  const [si, di] = await Promise.all([
    scan(source, src, { exclude: DEFAULT_EXCLUDES, hash }),
    scan(destination, dst, { exclude: DEFAULT_EXCLUDES, hash }),
  ]);
  return plan(si, di, options);
}

/** Plans and applies one destination (set "main"). */
export async function planAndApply(
  source: Endpoint,
  src: string,
  destination: Endpoint,
  dst: string,
  extra: Partial<ApplyOptions> & { readonly stateDir: string },
  options: PlanOptions = MIRROR,
): Promise<RunReport> {
  const p = await planBetween(source, src, destination, dst, options);
  return apply(p, source, destination, { setName: 'main', ...extra });
}

/** The AppError code a promise rejects with (fails the test when it resolves). */
export async function rejection(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (err) {
    return { code: (err as { code?: string }).code ?? 'NONE', message: (err as Error).message };
  }
  throw new Error('expected a rejection');
}

/** A run's outcome whether apply refused it (thrown AppError, as applyAll reports it) or reported it. */
export type Outcome = {
  readonly status: string;
  readonly code?: string;
  readonly message: string;
  readonly applied: ReadonlyArray<string>;
  readonly backupDir?: string;
};

export async function settle(p: Promise<RunReport>): Promise<Outcome> {
  try {
    const r = await p;
    return { ...r, message: r.message ?? '', ...(r.backupDir ? { backupDir: r.backupDir } : {}) };
  } catch (err) {
    return {
      status: 'failed',
      code: (err as { code?: string }).code ?? 'NONE',
      message: (err as Error).message,
      applied: [],
    };
  }
}
