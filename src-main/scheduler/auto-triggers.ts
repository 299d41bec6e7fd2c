import { syncSetKey, type AutoSyncTrigger } from '../../src-shared/model/schedule.js';
import type { RunTrigger } from '../../src-shared/model/history.js';
import type { Clock, TimerHandle } from './clock.js';
import { watchLocalSource } from './local-watcher.js';
import { SignaturePoller } from './remote-poller.js';
import type { RunExecutor } from './run-executor.js';
import type { ReportFn, RunOutcome } from './run-outcome.js';
import { DEFAULT_DEBOUNCE_MS, type ChangeHandler, type SourceWatch } from './source-watch.js';
import { assertNever } from '../../src-shared/assert-never.js';

/** Where a set's source lives, and how to notice it changed. */
export type TriggerSource =
  | { readonly kind: 'local'; readonly root: string; readonly ignored?: (relPath: string) => boolean }
  | {
      readonly kind: 'remote';
      /** A cheap fingerprint of the source tree, e.g. `() => remoteListingSignature(conn, root)`. */
      readonly signature: () => Promise<string>;
      /** Optional push watch, e.g. watchRemoteWithInotify; null when the host cannot (then it is polled). */
      readonly watch?: (
        onChange: ChangeHandler,
        onEnd: (reason: string) => void,
      ) => Promise<SourceWatch | null>;
    };

export type AutoTriggerSpec = {
  readonly setId: string;
  readonly trigger: AutoSyncTrigger;
  readonly source: TriggerSource;
};

export type AutoTriggerDeps = {
  readonly clock: Clock;
  /** Shared with the scheduler and manual runs, so one set never runs twice at once. */
  readonly executor: RunExecutor;
  readonly report: ReportFn;
  /** Runs the set to every secondary. `changedPaths` is what the watcher saw (empty for polls and periods). */
  readonly run: (
    setId: string,
    trigger: RunTrigger,
    changedPaths: ReadonlyArray<string>,
  ) => Promise<RunOutcome>;
  readonly debounceMs?: number;
  /** How often a remote source without a push watch is polled for on-change. Default 30 s. */
  readonly remotePollMs?: number;
};

type Active = { readonly spec: AutoTriggerSpec; stop(): Promise<void> };

/**
 * Automatic synchronization per sync set. 'on-change': a local source is watched (chokidar, debounced);
 * a remote source is watched with its push watch (inotifywait) when it has one, else polled by listing
 * signature. {every: N}: a run every N seconds, timed from the end of the previous run. Every trigger
 * goes through the shared executor: one run per set at a time, retries with backoff, reports.
 */
export class AutoSyncTriggers {
  private readonly active = new Map<string, Active>();

  constructor(private readonly deps: AutoTriggerDeps) {}

  /** Sets what is watched: sets no longer listed or changed are stopped, new or changed ones started. */
  async configure(specs: ReadonlyArray<AutoTriggerSpec>): Promise<void> {
    const wanted = new Map(specs.map((s) => [s.setId, s]));
    for (const [setId, current] of [...this.active]) {
      const next = wanted.get(setId);
      if (next && sameSpec(current.spec, next)) {
        wanted.delete(setId);
        continue;
      }
      this.active.delete(setId);
      await current.stop();
    }
    for (const spec of wanted.values()) {
      if (spec.trigger === 'off') continue;
      try {
        this.active.set(spec.setId, await this.start(spec));
      } catch (err) {
        this.deps.report({
          type: 'trigger-error',
          key: syncSetKey(spec.setId),
          message: err instanceof Error ? err.message : String(err),
        });
      }
    }
  }

  /** Sets with an active trigger. */
  activeSets(): string[] {
    return [...this.active.keys()];
  }

  async stop(): Promise<void> {
    const all = [...this.active.values()];
    this.active.clear();
    await Promise.all(all.map((a) => a.stop()));
  }

  private fire(setId: string, trigger: RunTrigger, paths: ReadonlyArray<string>): Promise<RunOutcome> {
    const key = syncSetKey(setId);
    this.deps.report({ type: 'triggered', key, trigger, paths });
    return this.deps.executor.execute(key, trigger, () => this.deps.run(setId, trigger, paths));
  }

  private async start(spec: AutoTriggerSpec): Promise<Active> {
    const { trigger, source } = spec;
    if (trigger === 'off') throw new Error('unreachable: off is not started');
    if (trigger !== 'on-change') return this.startPeriodic(spec, trigger.every * 1000);
    switch (source.kind) {
      case 'local': {
        const watch = await watchLocalSource({
          root: source.root,
          ...(source.ignored ? { ignored: source.ignored } : {}),
          debounceMs: this.deps.debounceMs ?? DEFAULT_DEBOUNCE_MS,
          clock: this.deps.clock,
          onChange: (paths) => void this.fire(spec.setId, 'watch', paths),
          onError: (err) =>
            this.deps.report({ type: 'trigger-error', key: syncSetKey(spec.setId), message: err.message }),
        });
        return { spec, stop: () => watch.close() };
      }
      case 'remote':
        return this.startRemote(spec, source);
      default:
        return assertNever(source);
    }
  }

  private async startRemote(
    spec: AutoTriggerSpec,
    source: Extract<TriggerSource, { kind: 'remote' }>,
  ): Promise<Active> {
    const key = syncSetKey(spec.setId);
    let poller: SignaturePoller | null = null;
    let stopped = false;
    const startPolling = async () => {
      if (stopped || poller) return;
      poller = new SignaturePoller({
        clock: this.deps.clock,
        intervalMs: this.deps.remotePollMs ?? 30_000,
        signature: source.signature,
        onChange: () => void this.fire(spec.setId, 'poll', []),
        onError: (err) =>
          this.deps.report({
            type: 'trigger-error',
            key,
            message: `Polling failed: ${err instanceof Error ? err.message : String(err)}`,
          }),
      });
      await poller.start();
    };
    let watch: SourceWatch | null = null;
    if (source.watch) {
      try {
        watch = await source.watch(
          (paths) => void this.fire(spec.setId, 'watch', paths),
          (reason) => {
            this.deps.report({ type: 'trigger-error', key, message: `${reason} Polling instead.` });
            void startPolling();
          },
        );
      } catch (err) {
        this.deps.report({
          type: 'trigger-error',
          key,
          message: `Watching failed (${err instanceof Error ? err.message : String(err)}); polling instead.`,
        });
      }
    }
    if (!watch) await startPolling();
    return {
      spec,
      stop: async () => {
        stopped = true;
        (poller as SignaturePoller | null)?.stop();
        await watch?.close();
      },
    };
  }

  private startPeriodic(spec: AutoTriggerSpec, periodMs: number): Active {
    const { clock } = this.deps;
    let timer: TimerHandle | null = null;
    let stopped = false;
    const arm = () => {
      if (!stopped) timer = clock.setTimer(periodMs, tick);
    };
    const tick = () => {
      timer = null;
      void this.fire(spec.setId, 'schedule', []).then(arm);
    };
    arm();
    return {
      spec,
      stop: async () => {
        stopped = true;
        if (timer !== null) clock.clearTimer(timer);
      },
    };
  }
}

function sameSpec(a: AutoTriggerSpec, b: AutoTriggerSpec): boolean {
  if (JSON.stringify(a.trigger) !== JSON.stringify(b.trigger)) return false;
  if (a.source.kind === 'local' && b.source.kind === 'local')
    return a.source.root === b.source.root && a.source.ignored === b.source.ignored;
  return a.source === b.source;
}
