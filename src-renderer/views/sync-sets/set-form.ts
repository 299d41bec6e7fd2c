import type { z } from 'zod';
import { syncSetDraft } from '../../../src-shared/contract/methods/sync.js';
import type { SyncSet } from '../../../src-shared/contract/schemas/sync.js';
import {
  DEFAULT_DELETE_THRESHOLD,
  DEFAULT_EXCLUDES,
  DEFAULT_FAN_OUT,
  DEFAULT_HEALTH_TIMEOUT_SEC,
  DEFAULT_KEEP_RUNS,
  DEFAULT_TOLERANCE_MS,
  type CompareMethod,
  type RolloutOrder,
  type SyncMode,
} from '../../../src-shared/model/sync.js';

export type SetDraft = z.input<typeof syncSetDraft>;

/** The editor's fields as the user types them (globs one a line, the threshold in percent). */
export type SetForm = {
  readonly id: string | null;
  readonly name: string;
  readonly items: ReadonlyArray<string>;
  readonly include: string;
  readonly exclude: string;
  readonly mode: SyncMode;
  readonly compare: CompareMethod;
  readonly toleranceSec: number;
  readonly keepRuns: number;
  readonly deletePercent: number;
  readonly validateCommand: string;
  readonly postApplyCommand: string;
  readonly healthCommand: string;
  readonly healthTimeoutSec: number;
  readonly rolloutOrder: RolloutOrder;
  readonly parallel: number;
  readonly stopAfterFailures: number;
};

/** Field key → message; items are `items.0`, `items.1`…, globs `include` / `exclude`. */
export type SetErrors = Readonly<Record<string, string>>;

export function emptySetForm(): SetForm {
  return {
    id: null,
    name: '',
    items: ['${CONFIG_ROOT}'],
    include: '',
    exclude: DEFAULT_EXCLUDES.join('\n'),
    mode: 'mirror',
    compare: 'time-size',
    toleranceSec: DEFAULT_TOLERANCE_MS / 1000,
    keepRuns: DEFAULT_KEEP_RUNS,
    deletePercent: DEFAULT_DELETE_THRESHOLD * 100,
    validateCommand: '',
    postApplyCommand: '',
    healthCommand: '',
    healthTimeoutSec: DEFAULT_HEALTH_TIMEOUT_SEC,
    rolloutOrder: 'all',
    parallel: DEFAULT_FAN_OUT,
    stopAfterFailures: 0,
  };
}

export function formOfSet(s: SyncSet): SetForm {
  return {
    id: s.id,
    name: s.name,
    items: s.items.map((i) => i.path),
    include: s.include.join('\n'),
    exclude: s.exclude.join('\n'),
    mode: s.mode,
    compare: s.compare,
    toleranceSec: s.toleranceMs / 1000,
    keepRuns: s.keepRuns,
    deletePercent: Math.round(s.deleteThreshold * 100),
    validateCommand: s.validateCommand ?? '',
    postApplyCommand: s.postApplyCommand ?? '',
    healthCommand: s.healthCommand ?? '',
    healthTimeoutSec: s.healthTimeoutSec ?? DEFAULT_HEALTH_TIMEOUT_SEC,
    rolloutOrder: s.rollout.order,
    parallel: s.rollout.parallel,
    stopAfterFailures: s.rollout.stopAfterFailures,
  };
}

const lines = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');

export function draftOf(f: SetForm): SetDraft {
  return {
    ...(f.id ? { id: f.id } : {}),
    name: f.name.trim(),
    items: f.items.map((p) => ({ path: p.trim() })),
    include: lines(f.include),
    exclude: lines(f.exclude),
    mode: f.mode,
    compare: f.compare,
    toleranceMs: Math.round(f.toleranceSec * 1000),
    keepRuns: f.keepRuns,
    deleteThreshold: f.deletePercent / 100,
    ...(f.validateCommand.trim() ? { validateCommand: f.validateCommand.trim() } : {}),
    ...(f.postApplyCommand.trim() ? { postApplyCommand: f.postApplyCommand.trim() } : {}),
    ...(f.healthCommand.trim()
      ? { healthCommand: f.healthCommand.trim(), healthTimeoutSec: f.healthTimeoutSec }
      : {}),
    rollout: { order: f.rolloutOrder, parallel: f.parallel, stopAfterFailures: f.stopAfterFailures },
  };
}

/** Which form field an issue path (`items.2.path`, `deleteThreshold`) belongs to. */
export function fieldOf(path: ReadonlyArray<PropertyKey>): string {
  const [head, index] = path;
  if (head === 'items' && typeof index === 'number') return `items.${index}`;
  if (head === 'toleranceMs') return 'toleranceSec';
  if (head === 'deleteThreshold') return 'deletePercent';
  if (head === 'rollout') return path[1] === 'order' ? 'rolloutOrder' : String(path[1] ?? 'rolloutOrder');
  return String(head ?? 'form');
}

const WORDS: Readonly<Record<string, string>> = {
  name: 'Give the set a name of letters, digits, ".", "_" and "-" (it also names the backup folder)',
  items: 'Add at least one folder',
};

/** Validates as the user types, with the same schema main applies; the first problem per field. */
export function validateSetForm(
  f: SetForm,
): { ok: true; draft: SetDraft } | { ok: false; errors: SetErrors } {
  const draft = draftOf(f);
  const errors: Record<string, string> = {};
  f.items.forEach((p, i) => {
    const t = p.trim();
    if (!t) errors[`items.${i}`] = 'Give a folder path';
    else if (!t.startsWith('/') && !t.startsWith('~') && !t.startsWith('${'))
      errors[`items.${i}`] = 'Use an absolute path, ~/…, or start with a ${VARIABLE}';
    else if (t.split('/').includes('..')) errors[`items.${i}`] = 'A path must not contain ".."';
    else if (f.items.findIndex((q) => q.trim() === t) !== i)
      errors[`items.${i}`] = 'This folder is listed twice';
  });
  const r = syncSetDraft.safeParse(draft);
  if (!r.success)
    for (const issue of r.error.issues) {
      const key = fieldOf(issue.path);
      errors[key] ??= WORDS[key] ?? issue.message;
    }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, draft };
}
