import { create } from 'zustand';
import type { Output } from '../../../src-shared/contract/api.js';
import type { EventPayload } from '../../../src-shared/contract/events.js';
import type { SyncSet } from '../../../src-shared/contract/schemas/sync.js';
import type { Server } from '../../../src-shared/model/server.js';
import type { CompareMethod, SyncMode } from '../../../src-shared/model/sync.js';
import { call } from '../../api/client.js';
import { askSudoPasswords } from './sudo-prompt.js';

export type PlanResult = Output<'sync.plan'>;
export type PlanTarget = PlanResult['targets'][number];
export type RunRecord = Output<'sync.wait'>;
export type ProgressSample = EventPayload<'sync.progress'>;
export type RestoreOutcome = { readonly targetId: string; readonly ok: boolean; readonly message: string };

export const SOURCE = 0;
export const DIFFERENCES = 1;
export const CONFIRM = 2;
export const PROGRESS = 3;
export const RESULTS = 4;
export type Step = typeof SOURCE | typeof DIFFERENCES | typeof CONFIRM | typeof PROGRESS | typeof RESULTS;

type WizardState = {
  readonly step: Step;
  readonly servers: ReadonlyArray<Server> | null;
  readonly sets: ReadonlyArray<SyncSet> | null;
  readonly loadError: string | null;
  readonly setId: string | null;
  readonly sourceId: string | null;
  readonly destinationIds: ReadonlyArray<string>;
  readonly mode: SyncMode;
  readonly compare: CompareMethod;
  /** A plan being computed: its ticket, so a stopped computation's answer is ignored. */
  readonly planning: {
    readonly ticket: number;
    readonly startedAt: number;
    /** Names this computation to `sync.cancelPlan`. */
    readonly requestId: string;
  } | null;
  readonly plan: PlanResult | null;
  readonly error: string | null;
  /** The user confirmed the guards that fired (mass deletion, empty source). */
  readonly guardsConfirmed: boolean;
  readonly run: {
    readonly runId: string;
    readonly startedAt: number;
    readonly targetIds: ReadonlyArray<string>;
    readonly progress: Readonly<Record<string, ProgressSample>>;
    readonly cancelRequested: boolean;
  } | null;
  readonly record: RunRecord | null;
  readonly restoring: boolean;
  readonly restored: ReadonlyArray<RestoreOutcome> | null;

  reset(): void;
  load(): Promise<void>;
  chooseSet(id: string): void;
  chooseSource(id: string): void;
  toggleDestination(id: string): void;
  setMode(mode: SyncMode): void;
  setCompare(compare: CompareMethod): void;
  setStep(step: Step): void;
  computePlan(): Promise<void>;
  stopPlanning(): void;
  confirmGuards(value: boolean): void;
  start(): Promise<void>;
  onProgress(sample: ProgressSample): void;
  cancelRun(): Promise<void>;
  restoreRun(): Promise<void>;
};

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));
let tickets = 0;

/** Servers that can take part at all: Not Selected ones never do. */
export function canTakePart(s: Server): boolean {
  return s.role !== 'not-selected';
}

/** Why a server cannot be a destination of a run from `sourceId`, or null when it can. */
export function whyNotDestination(s: Server, sourceId: string | null): string | null {
  if (s.id === sourceId) return 'This is the source.';
  if (s.role === 'not-selected')
    return 'Not Selected in the server list: it takes part in no synchronization.';
  if (s.role === 'primary') return 'The primary is never overwritten; change roles in the server list first.';
  return null;
}

/** The guard codes the plan raised, once each: what `sync.apply` needs in `confirm`. */
export function firedGuards(plan: PlanResult | null): Array<PlanTarget['guards'][number]['code']> {
  return [...new Set((plan?.targets ?? []).flatMap((t) => t.guards.map((g) => g.code)))];
}

const initial = {
  step: SOURCE as Step,
  error: null,
  planning: null,
  plan: null,
  guardsConfirmed: false,
  run: null,
  record: null,
  restoring: false,
  restored: null,
};

/** The Synchronize Configurations wizard: choices, the plan, the run and its results. */
export const useSyncWizard = create<WizardState>()((set, get) => ({
  ...initial,
  servers: null,
  sets: null,
  loadError: null,
  setId: null,
  sourceId: null,
  destinationIds: [],
  mode: 'mirror',
  compare: 'time-size',

  reset: () => set({ ...initial }),

  load: async () => {
    try {
      const [list, { sets }] = await Promise.all([call('servers.list', {}), call('sets.list', {})]);
      const servers = list.committed;
      const keep = get();
      const chosen = sets.find((s) => s.id === keep.setId) ?? sets[0] ?? null;
      const primary = servers.find((s) => s.role === 'primary') ?? null;
      const sourceId = servers.some((s) => s.id === keep.sourceId && canTakePart(s))
        ? keep.sourceId
        : (primary?.id ?? null);
      set({
        servers,
        sets,
        loadError: null,
        setId: chosen?.id ?? null,
        mode: chosen?.mode ?? 'mirror',
        compare: chosen?.compare ?? 'time-size',
        sourceId,
        destinationIds: servers.filter((s) => whyNotDestination(s, sourceId) === null).map((s) => s.id),
      });
    } catch (err) {
      set({ loadError: message(err) });
    }
  },

  chooseSet: (id) => {
    const chosen = get().sets?.find((s) => s.id === id);
    if (chosen) set({ setId: id, mode: chosen.mode, compare: chosen.compare });
  },
  chooseSource: (id) => {
    const servers = get().servers ?? [];
    set({
      sourceId: id,
      destinationIds: servers.filter((s) => whyNotDestination(s, id) === null).map((s) => s.id),
    });
  },
  toggleDestination: (id) => {
    const ids = get().destinationIds;
    set({ destinationIds: ids.includes(id) ? ids.filter((x) => x !== id) : [...ids, id] });
  },
  setMode: (mode) => set({ mode }),
  setCompare: (compare) => set({ compare }),
  setStep: (step) => set({ step, error: null }),

  computePlan: async () => {
    const { setId, sourceId, destinationIds, mode, compare, servers } = get();
    if (!setId || !sourceId || destinationIds.length === 0) return;
    // Servers whose sudo asks for a password: asked now, sent with this plan only.
    const asking = (servers ?? [])
      .filter((s) => s.kind === 'ssh' && s.sudo?.askPassword === true)
      .filter((s) => s.id === sourceId || destinationIds.includes(s.id))
      .map((s) => ({ id: s.id, name: s.name }));
    const sudoPasswords = asking.length > 0 ? await askSudoPasswords(asking) : undefined;
    if (sudoPasswords === null) return;
    const ticket = ++tickets;
    const requestId = `plan-${Date.now().toString(36)}-${ticket}-${Math.random().toString(36).slice(2, 8)}`;
    set({
      step: DIFFERENCES,
      planning: { ticket, startedAt: Date.now(), requestId },
      plan: null,
      error: null,
      guardsConfirmed: false,
    });
    try {
      const plan = await call('sync.plan', {
        setId,
        sourceServerId: sourceId,
        destinationServerIds: [...destinationIds],
        mode,
        compare,
        planRequestId: requestId,
        ...(sudoPasswords ? { sudoPasswords } : {}),
      });
      if (get().planning?.ticket === ticket) set({ plan, planning: null });
    } catch (err) {
      if (get().planning?.ticket === ticket) set({ error: message(err), planning: null });
    }
  },
  stopPlanning: () => {
    const planning = get().planning;
    set({ planning: null, step: SOURCE, error: null });
    // The scans stop on the servers too; the plan call then fails with PLAN_CANCELLED, which is ignored.
    if (planning) void call('sync.cancelPlan', { planRequestId: planning.requestId }).catch(() => undefined);
  },
  confirmGuards: (value) => set({ guardsConfirmed: value }),

  start: async () => {
    const { plan, guardsConfirmed } = get();
    if (!plan) return;
    const confirm = guardsConfirmed ? firedGuards(plan) : [];
    try {
      const { runId } = await call('sync.apply', { planId: plan.planId, confirm });
      set({
        step: PROGRESS,
        record: null,
        restored: null,
        run: {
          runId,
          startedAt: Date.now(),
          targetIds: plan.targets.map((t) => t.targetId),
          progress: {},
          cancelRequested: false,
        },
      });
      const record = await call('sync.wait', { runId });
      if (get().run?.runId === runId) set({ record });
    } catch (err) {
      set({ error: message(err) });
    }
  },

  onProgress: (sample) => {
    const run = get().run;
    if (!run || !run.targetIds.includes(sample.targetId) || !sample.runId.startsWith(run.runId)) return;
    set({ run: { ...run, progress: { ...run.progress, [sample.targetId]: sample } } });
  },

  cancelRun: async () => {
    const run = get().run;
    if (!run) return;
    set({ run: { ...run, cancelRequested: true } });
    try {
      await call('sync.cancel', { runId: run.runId });
    } catch (err) {
      set({ error: message(err) });
    }
  },

  restoreRun: async () => {
    const record = get().record;
    if (!record) return;
    set({ restoring: true, restored: null, error: null });
    const outcomes: RestoreOutcome[] = [];
    for (const r of record.reports) {
      if (!r.backupDir || r.applied.length === 0) continue;
      const serverId = r.targetId.replace(/#\d+$/, '');
      try {
        const out = await call('sync.restore', { serverId, setName: record.setName, runId: r.runId });
        const errs = out.errors.length;
        outcomes.push({
          targetId: r.targetId,
          ok: errs === 0,
          message: `${out.restored} restored, ${out.removed} removed${errs ? `, ${errs} failed: ${out.errors[0]?.path} (${out.errors[0]?.message})` : ''}`,
        });
      } catch (err) {
        outcomes.push({ targetId: r.targetId, ok: false, message: message(err) });
      }
    }
    set({ restoring: false, restored: outcomes });
  },
}));
