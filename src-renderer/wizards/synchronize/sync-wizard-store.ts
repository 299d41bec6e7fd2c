import { create } from 'zustand';
import type { Output } from '../../../src-shared/contract/api.js';
import type { EventPayload } from '../../../src-shared/contract/events.js';
import type { SyncSet } from '../../../src-shared/contract/schemas/sync.js';
import type { Server } from '../../../src-shared/model/server.js';
import type { CompareMethod, SyncMode } from '../../../src-shared/model/sync.js';
import { call } from '../../api/client.js';
import { advance } from './progress-math.js';
import { askSudoPasswords } from './sudo-prompt.js';

export type PlanResult = Output<'sync.plan'>;
export type PlanTarget = PlanResult['targets'][number];
export type RunRecord = Output<'sync.wait'>;
export type ProgressSample = EventPayload<'sync.progress'>;
export type RestoreOutcome = {
  readonly targetId: string;
  readonly ok: boolean;
  readonly message: string;
  /** Paths changed on the destination after the run, left as they are by this restore. */
  readonly left: ReadonlyArray<{ readonly path: string; readonly message: string }>;
};

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
  /** Servers being contacted now, so "Reachable" is only ever shown from a contact just made. */
  readonly checking: ReadonlyArray<string>;
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
  /** Per target, the paths the user unticked on the Differences page (a folder: all below it). */
  readonly unticked: Readonly<Record<string, ReadonlyArray<string>>>;
  /** The user confirmed the guards that fired (mass deletion, empty source). */
  readonly guardsConfirmed: boolean;
  readonly run: {
    readonly runId: string;
    readonly startedAt: number;
    readonly targetIds: ReadonlyArray<string>;
    readonly progress: Readonly<Record<string, ProgressSample>>;
    /** Per destination, the share of its run done (0–1); it never goes back. */
    readonly fractions: Readonly<Record<string, number>>;
    /** Per destination, the bytes copied so far (the copy's own count; kept once copying is over). */
    readonly bytesCopied: Readonly<Record<string, number>>;
    readonly cancelRequested: boolean;
  } | null;
  readonly record: RunRecord | null;
  readonly restoring: boolean;
  readonly restored: ReadonlyArray<RestoreOutcome> | null;
  /** When the restore of this run ended (epoch ms). */
  readonly restoredAt: number | null;
  /**
   * Per server: the paths a recover of its interrupted run left because they changed after that run
   * (kept while the wizard is open, since the plan made after the recover replaces its message).
   */
  readonly recoverLeft: Readonly<
    Record<
      string,
      {
        readonly mode: 'complete' | 'rollback';
        readonly left: ReadonlyArray<{ readonly path: string; readonly message: string }>;
      }
    >
  >;
  noteRecoverLeft(
    serverId: string,
    mode: 'complete' | 'rollback',
    left: ReadonlyArray<{ readonly path: string; readonly message: string }>,
  ): void;

  reset(): void;
  load(): Promise<void>;
  /** Contacts every SSH server that can take part (each within its contact timeout) and shows the outcome. */
  checkContacts(): Promise<void>;
  chooseSet(id: string): void;
  chooseSource(id: string): void;
  toggleDestination(id: string): void;
  setMode(mode: SyncMode): void;
  setCompare(compare: CompareMethod): void;
  setStep(step: Step): void;
  computePlan(): Promise<void>;
  stopPlanning(): void;
  confirmGuards(value: boolean): void;
  /** Unticks a path (a folder: all below it), or ticks it again. */
  toggleTick(targetId: string, path: string): void;
  start(): Promise<void>;
  onProgress(sample: ProgressSample): void;
  cancelRun(): Promise<void>;
  /**
   * Restores this run on every destination it changed; with `overwriteTarget`, again on that one
   * destination, where the first restore left paths changed after the run: those too are replaced
   * (each backed up first, in the restore's own backup).
   */
  restoreRun(overwriteTarget?: string): Promise<void>;
};

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));
let tickets = 0;

/** True when the path, or a folder above it, is unticked (the same rule the service applies). */
export function isUnticked(path: string, unticked: ReadonlyArray<string>): boolean {
  return unticked.some((u) => path === u || path.startsWith(`${u}/`));
}

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
  if (s.lastContact && !s.lastContact.ok && s.lastContact.code === 'HOST_KEY_CHANGED')
    return 'Its host key has CHANGED since it was pinned: nothing is sent to it until you review the new key and replace the pin in the Server List Wizard (Trust page).';
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
  unticked: {},
  run: null,
  record: null,
  restoring: false,
  restored: null,
  restoredAt: null,
  recoverLeft: {},
};

/** The Synchronize Configurations wizard: choices, the plan, the run and its results. */
export const useSyncWizard = create<WizardState>()((set, get) => ({
  ...initial,
  servers: null,
  sets: null,
  loadError: null,
  checking: [],
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
      void get().checkContacts();
    } catch (err) {
      set({ loadError: message(err) });
    }
  },

  checkContacts: async () => {
    const ids = (get().servers ?? []).filter((s) => s.kind === 'ssh' && canTakePart(s)).map((s) => s.id);
    set({ checking: ids });
    await Promise.all(
      ids.map(async (id) => {
        await call('servers.test', { id }).catch(() => undefined);
        const committed = await call('servers.list', {}).then(
          (l) => l.committed,
          () => null,
        );
        const s = get();
        const fresh = committed?.find((x) => x.id === id);
        const servers = fresh && s.servers ? s.servers.map((x) => (x.id === id ? fresh : x)) : s.servers;
        set({
          servers,
          checking: s.checking.filter((x) => x !== id),
          // A server the contact found unusable (a changed host key) is never left ticked.
          destinationIds: s.destinationIds.filter((d) => {
            const x = servers?.find((y) => y.id === d);
            return !x || whyNotDestination(x, s.sourceId) === null;
          }),
        });
      }),
    );
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
      unticked: {},
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
  toggleTick: (targetId, path) => {
    const now = get().unticked[targetId] ?? [];
    const next = now.includes(path) ? now.filter((p) => p !== path) : [...now, path];
    // A different selection is a different run: the guards asked about the old one.
    set({ unticked: { ...get().unticked, [targetId]: next }, guardsConfirmed: false });
  },

  start: async () => {
    const { plan, guardsConfirmed, unticked } = get();
    if (!plan) return;
    const confirm = guardsConfirmed ? firedGuards(plan) : [];
    const exclude = Object.entries(unticked)
      .filter(([, paths]) => paths.length > 0)
      .map(([targetId, paths]) => ({ targetId, paths: [...paths] }));
    try {
      const { runId } = await call('sync.apply', {
        planId: plan.planId,
        confirm,
        ...(exclude.length > 0 ? { exclude } : {}),
      });
      set({
        step: PROGRESS,
        record: null,
        restored: null,
        run: {
          runId,
          startedAt: Date.now(),
          targetIds: plan.targets.map((t) => t.targetId),
          progress: {},
          fractions: {},
          bytesCopied: {},
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
    const id = sample.targetId;
    const planned = get().plan?.targets.find((t) => t.targetId === id)?.summary?.bytesToCopy ?? 0;
    const copiedNow =
      sample.phase === 'transferring'
        ? sample.bytesDone
        : sample.phase === 'preparing' || sample.phase === 'backing-up'
          ? 0
          : planned;
    set({
      run: {
        ...run,
        progress: { ...run.progress, [id]: sample },
        fractions: { ...run.fractions, [id]: advance(run.fractions[id], sample) },
        bytesCopied: { ...run.bytesCopied, [id]: Math.max(run.bytesCopied[id] ?? 0, copiedNow) },
      },
    });
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

  noteRecoverLeft: (serverId, mode, left) =>
    set({ recoverLeft: { ...get().recoverLeft, [serverId]: { mode, left } } }),

  restoreRun: async (overwriteTarget) => {
    const overwrite = overwriteTarget !== undefined;
    const record = get().record;
    if (!record) return;
    const before = get().restored ?? [];
    set({ restoring: true, error: null, ...(overwrite ? {} : { restored: null }) });
    const outcomes = new Map(before.map((o) => [o.targetId, o]));
    for (const r of record.reports) {
      if (!r.backupDir || r.applied.length === 0) continue;
      if (overwrite && r.targetId !== overwriteTarget) continue;
      const serverId = r.targetId.replace(/#\d+$/, '');
      try {
        const out = await call('sync.restore', {
          serverId,
          setName: record.setName,
          runId: r.runId,
          ...(overwrite ? { overwrite: true } : {}),
        });
        const errs = out.errors.length;
        const left = out.left ?? [];
        outcomes.set(r.targetId, {
          targetId: r.targetId,
          ok: errs === 0,
          left,
          message: `${out.restored} restored, ${out.removed} removed${left.length ? `, ${left.length} changed after the run left as they are` : ''}${overwrite ? ' (what it overwrote is in its backup)' : ''}${errs ? `, ${errs} failed: ${out.errors[0]?.path} (${out.errors[0]?.message})` : ''}`,
        });
      } catch (err) {
        outcomes.set(r.targetId, { targetId: r.targetId, ok: false, left: [], message: message(err) });
      }
    }
    set({ restoring: false, restored: [...outcomes.values()], restoredAt: Date.now() });
  },
}));
