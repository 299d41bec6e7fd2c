import { describe, expect, it } from 'vitest';
import { groupByFolder, narrowPlan } from '../../../src-main/services/sync/plan-selection.js';
import type { Plan, PlanEntry } from '../../../src-shared/model/sync.js';

const file = (size: number) => ({ type: 'file' as const, size, mtimeMs: 0, mode: 0o644 });
const dir = { type: 'dir' as const, size: 0, mtimeMs: 0, mode: 0o755 };
const e = (
  path: string,
  action: PlanEntry['action'],
  s?: PlanEntry['source'],
  d?: PlanEntry['destination'],
): PlanEntry => ({
  path,
  action,
  reason: '',
  ...(s ? { source: s } : {}),
  ...(d ? { destination: d } : {}),
});

const plan: Plan = {
  options: { mode: 'mirror', compare: 'time-size', toleranceMs: 0 },
  sourceRoot: '/s',
  destinationRoot: '/d',
  sourceExists: true,
  entries: [
    e('a.conf', 'update', file(10), file(5)),
    e('keep.conf', 'keep', file(1), file(1)),
    e('new', 'create', dir),
    e('new/x.conf', 'create', file(7)),
    e('old', 'delete', undefined, dir),
    e('old/y.conf', 'delete', undefined, file(3)),
    e('old/z.conf', 'delete', undefined, file(4)),
  ],
  summary: {
    counts: { create: 2, update: 1, delete: 3, keep: 1, 'skip-newer-on-destination': 0, skip: 0 },
    bytesToCopy: 17,
    bytesToDelete: 7,
    bytesToBackUp: 12,
    destinationFiles: 4,
    sourceFiles: 3,
  },
};

describe('narrowing a plan to the ticked changes', () => {
  it('leaves out an unticked folder with everything below it, and counts again', () => {
    const { plan: p, leftOut } = narrowPlan(plan, new Set(['new']));
    expect(leftOut).toBe(2);
    expect(p.entries.map((x) => x.path)).toEqual(['a.conf', 'keep.conf', 'old', 'old/y.conf', 'old/z.conf']);
    expect(p.summary.counts).toMatchObject({ create: 0, update: 1, delete: 3, keep: 1 });
    expect(p.summary.bytesToCopy).toBe(10);
    expect(p.summary.destinationFiles).toBe(4);
  });

  it('keeps a folder whose deletion would take an unticked file with it', () => {
    const { plan: p, leftOut } = narrowPlan(plan, new Set(['old/y.conf']));
    expect(leftOut).toBe(2);
    expect(p.entries.filter((x) => x.action === 'delete').map((x) => x.path)).toEqual(['old/z.conf']);
    expect(p.summary.bytesToDelete).toBe(4);
    expect(p.summary.bytesToBackUp).toBe(9);
  });

  it('changes nothing when nothing is unticked, and never leaves out an unchanged entry', () => {
    expect(narrowPlan(plan, new Set()).plan).toBe(plan);
    expect(narrowPlan(plan, new Set(['keep.conf'])).leftOut).toBe(0);
  });
});

describe('grouping by folder', () => {
  it('heads each folder with its counts, in path order; a collapsed one shows its header only', () => {
    const rows = groupByFolder(plan.entries, new Set(['old']));
    expect(
      rows.map((r) =>
        r.kind === 'folder' ? `[${r.path}] ${r.entries}${r.collapsed ? ' collapsed' : ''}` : r.entry.path,
      ),
    ).toEqual(['[] 4', 'a.conf', 'keep.conf', 'new', 'old', '[new] 1', 'new/x.conf', '[old] 2 collapsed']);
    const old = rows.find((r) => r.kind === 'folder' && r.path === 'old');
    expect(old?.kind === 'folder' && old.counts.delete).toBe(2);
  });
});
