import { planActions, type Plan, type PlanAction, type PlanEntry } from '../../../src-shared/model/sync.js';
import { countEntries } from '../../engine/plan.js';

/**
 * The user's choice on the Differences page: paths left unticked. A folder stands for everything
 * below it. The engine never sees this: a plan is narrowed here, before apply, to what stays ticked,
 * so the engine's own checks (stale check, guards, verify) run on exactly what is applied.
 */
export type Unticked = ReadonlySet<string>;

const isChange = (a: PlanAction) => a === 'create' || a === 'update' || a === 'delete';

/** Paths and every folder above them: `a/b/c` → `a`, `a/b`, `a/b/c`. */
function withAncestors(path: string): string[] {
  const parts = path.split('/');
  return parts.map((_, i) => parts.slice(0, i + 1).join('/'));
}

/** True when the path, or a folder above it, was unticked. */
export function isUnticked(path: string, unticked: Unticked): boolean {
  if (unticked.size === 0) return false;
  return withAncestors(path).some((p) => unticked.has(p));
}

/**
 * The plan with only its ticked changes. An unticked change is left out (the path stays as it is on
 * the destination); a folder's deletion is left out too when anything below it stays, since the folder
 * cannot go while it holds something. Unchanged entries stay. The summary is counted again from what is
 * left, so the guards and the room check see the narrowed plan. Pure.
 */
export function narrowPlan(plan: Plan, unticked: Unticked): { plan: Plan; leftOut: number } {
  if (unticked.size === 0) return { plan, leftOut: 0 };
  const kept: PlanEntry[] = [];
  let leftOut = 0;
  // Folders that must stay because something below them stays: every unticked path's ancestors.
  const mustStay = new Set<string>();
  for (const e of plan.entries)
    if (isChange(e.action) && isUnticked(e.path, unticked))
      for (const a of withAncestors(e.path).slice(0, -1)) mustStay.add(a);
  for (const e of plan.entries) {
    const out =
      isChange(e.action) && (isUnticked(e.path, unticked) || (e.action === 'delete' && mustStay.has(e.path)));
    if (out) leftOut++;
    else kept.push(e);
  }
  return { plan: { ...plan, entries: kept, summary: summaryOf(kept, plan.summary) }, leftOut };
}

/** Counts and byte totals of entries (as the planner counts them); file totals of both trees kept. */
function summaryOf(entries: ReadonlyArray<PlanEntry>, before: Plan['summary']): Plan['summary'] {
  return { ...before, ...countEntries(entries) };
}

/**
 * How many paths a plan leaves different from the source that a Strict (mirror) sync would change:
 * what an Easy plan keeps on purpose (extra files, newer destination files, a folder where the source
 * has a file). With the unticked changes, what still differs after the run applied it.
 */
export function differencesLeft(plan: Plan): number {
  let n = 0;
  for (const e of plan.entries)
    if (
      e.action === 'skip-newer-on-destination' ||
      (e.action === 'keep' && (!e.source || (e.destination && e.destination.type !== e.source.type)))
    )
      n++;
  return n;
}

/** The folder an entry is listed under on the Differences page ('' for the top of the root). */
export function folderOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

export type GroupRow =
  | {
      readonly kind: 'folder';
      readonly path: string;
      readonly entries: number;
      readonly counts: Readonly<Record<PlanAction, number>>;
      readonly collapsed: boolean;
    }
  | { readonly kind: 'entry'; readonly entry: PlanEntry };

/**
 * Entries grouped by the folder they are in, each group headed by its folder with its counts, folders
 * in path order; a collapsed folder shows its header only. Pure.
 */
export function groupByFolder(entries: ReadonlyArray<PlanEntry>, collapsed: ReadonlySet<string>): GroupRow[] {
  const groups = new Map<string, PlanEntry[]>();
  for (const e of entries) {
    const f = folderOf(e.path);
    let g = groups.get(f);
    if (!g) groups.set(f, (g = []));
    g.push(e);
  }
  const rows: GroupRow[] = [];
  for (const f of [...groups.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
    const g = groups.get(f) ?? [];
    const counts = Object.fromEntries(planActions.map((a) => [a, 0])) as Record<PlanAction, number>;
    for (const e of g) counts[e.action]++;
    const isCollapsed = collapsed.has(f);
    rows.push({ kind: 'folder', path: f, entries: g.length, counts, collapsed: isCollapsed });
    if (!isCollapsed) for (const e of g) rows.push({ kind: 'entry', entry: e });
  }
  return rows;
}
