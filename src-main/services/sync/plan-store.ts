import type { SyncSet } from '../../../src-shared/contract/schemas/sync.js';
import type { TargetPlan } from '../../engine/fan-out.js';
import type { Endpoint } from '../../transport/endpoint.js';
import { AppError } from '../../errors/app-error.js';

/** A plan kept between `sync.plan` and `sync.apply`, with the connections it was made over. */
export type StoredPlan = {
  readonly planId: string;
  readonly set: SyncSet;
  readonly source: Endpoint;
  readonly endpoints: Map<string, Promise<Endpoint>>;
  readonly items: ReadonlyArray<{
    readonly index: number;
    readonly sourceRoot: string;
    readonly targets: ReadonlyArray<TargetPlan & { serverId: string }>;
  }>;
};

const MAX_PLANS = 20;

/**
 * The plans shown and not yet applied. Connection lifetime: a stored plan holds its open endpoints (the
 * source and every destination), so that applying it needs no new login. They are closed when the plan
 * is pushed out by newer ones (the 20 newest are kept) or when the store is disposed; a plan taken for
 * a run hands them to that run, which closes them at its end (closeEndpoints).
 */
export class PlanStore {
  private readonly plans = new Map<string, StoredPlan>();

  keep(plan: StoredPlan): void {
    // Waiting for its apply: a kept connection under it is not in use meanwhile (see Endpoint.park).
    plan.source.park?.();
    for (const e of plan.endpoints.values()) void e.then((ep) => ep.park?.()).catch(() => undefined);
    this.plans.set(plan.planId, plan);
    while (this.plans.size > MAX_PLANS) {
      const oldest = this.plans.keys().next().value as string;
      const dropped = this.plans.get(oldest);
      this.plans.delete(oldest);
      if (dropped) closeEndpoints(dropped);
    }
  }

  /** Takes a plan out of the store for a run: the caller now owns its connections. */
  take(planId: string): StoredPlan {
    const stored = this.get(planId);
    this.plans.delete(planId);
    stored.source.unpark?.();
    for (const e of stored.endpoints.values()) void e.then((ep) => ep.unpark?.()).catch(() => undefined);
    return stored;
  }

  get(planId: string): StoredPlan {
    const stored = this.plans.get(planId);
    if (!stored) throw new AppError('PLAN_UNKNOWN', 'That plan is no longer available; plan again.');
    return stored;
  }

  /** One destination × item of a plan that could be planned. */
  target(planId: string, targetId: string): Extract<TargetPlan, { ok: true }> {
    const t = this.get(planId)
      .items.flatMap((i) => i.targets)
      .find((x) => x.id === targetId);
    if (!t) throw new AppError('TARGET_UNKNOWN', `No target ${targetId} in that plan.`);
    if (!t.ok) throw new AppError(t.code, t.message);
    return t;
  }

  /** Forgets a plan that will not be applied (its caller is gone), closing its connections. */
  discard(planId: string): void {
    const stored = this.plans.get(planId);
    this.plans.delete(planId);
    if (stored) closeEndpoints(stored);
  }

  dispose(): void {
    for (const p of this.plans.values()) closeEndpoints(p);
    this.plans.clear();
  }
}

/** Closes the source and every destination connection of a plan. */
export function closeEndpoints(p: StoredPlan): void {
  p.source.close();
  for (const e of p.endpoints.values()) void e.then((ep) => ep.close()).catch(() => undefined);
}
