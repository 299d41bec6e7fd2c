import type { RunRecord, RunTrigger } from '../../src-shared/model/history.js';
import { newRunId } from '../engine/apply.js';
import type { HistoryStore } from '../services/history/history-store.js';
import { historyRecordOf, type RunOrigin } from '../services/history/history-record.js';
import { restoreRecord, type RestoreDone } from '../services/history/restore-record.js';
import { recoverRecord, type RecoverDone } from '../services/history/recover-record.js';
import type { NotifyConfig } from '../services/notify/notify-config.js';
import type { Notifier } from '../services/notify/notify-notifier.js';
import type { NameLookup } from '../services/notify/notify-summary.js';
import type { ServerService } from '../services/servers/server-service.js';
import type { StatusService } from '../services/status/status-service.js';
import type { RunRecord as SyncRunRecord } from '../services/sync/sync-service.js';
import type { SyncSetService } from '../services/sync/sync-set-service.js';

export type RunFollowUpDeps = {
  readonly logsDir: string;
  readonly sets: SyncSetService;
  readonly servers: ServerService;
  readonly history: HistoryStore;
  readonly status: Pick<StatusService, 'noteRun' | 'noteRestore' | 'changed'>;
  readonly notify: NotifyConfig;
  readonly notifier: Notifier;
  /** Who started a run whose origin is not known (it came in through `sync.apply` outside a set gate). */
  readonly manualTrigger: RunTrigger;
  readonly log: (msg: string) => void;
};

/**
 * What follows every finished run, whoever started it: its history line, the status tab, the
 * notifications; in order, one run at a time, so the history reads in the order runs ended.
 */
export class RunFollowUp {
  private pending: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: RunFollowUpDeps) {}

  /** A run the sync service finished; `origin` says which set and trigger, when the run gate knew it. */
  runFinished(record: SyncRunRecord, origin: RunOrigin | undefined): void {
    const setId = origin?.setId ?? this.setIdByName(record.setName);
    this.after(
      historyRecordOf(
        record,
        { setId, trigger: origin?.trigger ?? this.deps.manualTrigger },
        this.deps.logsDir,
      ),
    );
  }

  /** A run that could not start (planning failed, a guard refused): a history line with its error. */
  failedStart(setId: string, trigger: RunTrigger, startedAt: number, error: string): void {
    this.after({
      id: newRunId(),
      setId,
      trigger,
      startedAt,
      finishedAt: Date.now(),
      destinations: [],
      error,
    });
  }

  /**
   * A restore of a run ended (or failed): its history line, a run of its own (see restoreRecord),
   * then the status tab; resolves once both are written, so that the caller answers after them.
   */
  async restoreFinished(input: RestoreDone): Promise<void> {
    const record = restoreRecord({
      serverId: input.serverId,
      setId: this.setIdByName(input.setName),
      runId: input.runId,
      trigger: input.trigger,
      startedAt: input.startedAt,
      finishedAt: Date.now(),
      outcome: input.outcome,
    });
    const written = this.pending.then(async () => {
      try {
        await this.deps.history.append(record);
      } catch (err) {
        this.deps.log(`recording a restore failed: ${err instanceof Error ? err.message : String(err)}`);
      }
      if (input.outcome.ok) this.deps.status.noteRestore(record);
      else this.deps.status.changed('restore');
    });
    this.pending = written;
    await written;
  }

  /**
   * A recover ended interrupted runs on a server: a history line for each it ended (a run of its own,
   * see recoverRecord), then the status tab; resolves once they are written.
   */
  async recoverFinished(input: RecoverDone): Promise<void> {
    const finishedAt = Date.now();
    const written = this.pending.then(async () => {
      for (const r of input.recovered)
        if (r.recoveryRunId)
          await this.deps.history
            .append(
              recoverRecord({
                serverId: input.serverId,
                setId: r.setName ? this.setIdByName(r.setName) : 'unknown',
                trigger: input.trigger,
                startedAt: input.startedAt,
                finishedAt,
                recovery: {
                  runId: r.runId,
                  recoveryRunId: r.recoveryRunId,
                  outcome: r.outcome,
                  errors: r.errors,
                  ...(r.left ? { left: r.left } : {}),
                  ...(r.written !== undefined ? { written: r.written } : {}),
                  ...(r.removed !== undefined ? { removed: r.removed } : {}),
                },
              }),
            )
            .catch((err: unknown) =>
              this.deps.log(
                `recording a recovery failed: ${err instanceof Error ? err.message : String(err)}`,
              ),
            );
      this.deps.status.changed('restore');
    });
    this.pending = written;
    await written;
  }

  /** Resolves when the history, status and notifications of every finished run are written. */
  async idle(): Promise<void> {
    for (;;) {
      const current = this.pending;
      await current;
      if (current === this.pending) return;
    }
  }

  private get names(): NameLookup {
    return {
      setName: (id) => this.deps.sets.list().find((s) => s.id === id)?.name,
      serverName: (id) => this.deps.servers.committed().find((s) => s.id === id)?.name,
    };
  }

  private setIdByName(name: string): string {
    try {
      return this.deps.sets.list().find((s) => s.name === name)?.id ?? name;
    } catch {
      return name;
    }
  }

  private after(line: RunRecord): void {
    this.pending = this.pending.then(async () => {
      try {
        await this.deps.history.append(line);
        this.deps.status.noteRun(line);
        await this.deps.notify.runFinished(line, this.deps.notifier, this.names);
      } catch (err) {
        this.deps.log(`recording run ${line.id} failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    });
  }
}
