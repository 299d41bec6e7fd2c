import type { Plan, PlanEntry } from '../../src-shared/model/sync.js';
import type { Endpoint } from '../transport/endpoint.js';
import { AppError } from '../errors/app-error.js';
import { parentsOf } from './rel-path.js';
import { verify } from './verify.js';

const isChange = (e: PlanEntry) => e.action === 'create' || e.action === 'update' || e.action === 'delete';

/**
 * Checks the destination still is what the plan was made from, for every path the run changes and
 * every folder above one: a file edited there since (it would be overwritten blindly) or a parent
 * folder swapped for a symlink (a rename would then write outside the root) stops the run, before
 * the swap, with PLAN_STALE. `when` says since when, for the message.
 */
export async function assertDestinationAsPlanned(
  plan: Plan,
  destination: Endpoint,
  when: string,
): Promise<void> {
  const changing = plan.entries.filter(isChange);
  if (changing.length === 0) return;
  const parents = new Set(changing.flatMap((e) => parentsOf(e.path)));
  const entries = plan.entries
    .filter((e) => isChange(e) || parents.has(e.path))
    .map((e) => ({ ...e, action: 'keep' as const }));
  const stale = await verify({ ...plan, entries }, destination, { hash: false });
  if (stale.length > 0)
    throw new AppError(
      'PLAN_STALE',
      `${stale.length} path(s) changed on ${destination.label} ${when} (first: ${stale[0]?.path}: ${stale[0]?.message}). Nothing was changed; plan again.`,
    );
}
