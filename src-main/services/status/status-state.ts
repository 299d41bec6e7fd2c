import { readFileSync } from 'node:fs';
import { writeFileAtomicSync } from '../../store/atomic-file.js';
import { join } from 'node:path';
import { z } from 'zod';
import { driftSource, healthState, type HealthState } from '../../../src-shared/contract/methods/status.js';

const driftEntry = z.object({
  state: z.enum(['in-sync', 'differs', 'unknown']),
  differences: z.number().int().min(0),
  checkedAt: z.number(),
  message: z.string(),
  /** What it was learnt from: a check, or a run (or restore) and its id, as History lists it. */
  source: driftSource.optional(),
});
export type DriftEntry = z.infer<typeof driftEntry>;

const stateDoc = z.object({
  /** serverId → setId → what the last plan (drift check or run) found. */
  drift: z.record(z.string(), z.record(z.string(), driftEntry)).default({}),
  health: z.record(z.string(), healthState).default({}),
  lastCheckAt: z.number().nullable().default(null),
});
type StateDoc = z.infer<typeof stateDoc>;

export const STATUS_STATE_FILE = 'status-state.json';

/**
 * What the drift and health checks found, kept in `status-state.json` in the data dir so the status
 * survives a restart and `configsync status` shows what the long-running app last found. A damaged
 * file only costs that knowledge: everything reads as unknown until the next check.
 */
export class StatusStateStore {
  private doc: StateDoc;

  constructor(readonly path: string) {
    this.doc = readDoc(path);
  }

  static inDataDir(dataDir: string): StatusStateStore {
    return new StatusStateStore(join(dataDir, STATUS_STATE_FILE));
  }

  drift(serverId: string): Readonly<Record<string, DriftEntry>> {
    return this.doc.drift[serverId] ?? {};
  }

  /** Records a finding unless a newer one is known (a run's line may be written after a later check). */
  setDrift(serverId: string, setId: string, entry: DriftEntry): void {
    const known = this.doc.drift[serverId]?.[setId];
    if (known && known.checkedAt > entry.checkedAt) return;
    this.doc.drift[serverId] = { ...this.doc.drift[serverId], [setId]: entry };
    this.flush();
  }

  /** Forgets sets and servers that no longer exist, so they stop counting. */
  prune(serverIds: ReadonlySet<string>, setIds: ReadonlySet<string>): void {
    for (const id of Object.keys(this.doc.drift)) {
      if (!serverIds.has(id)) delete this.doc.drift[id];
      else
        for (const setId of Object.keys(this.doc.drift[id] ?? {}))
          if (!setIds.has(setId)) delete this.doc.drift[id]?.[setId];
    }
    for (const id of Object.keys(this.doc.health)) if (!serverIds.has(id)) delete this.doc.health[id];
  }

  health(serverId: string): HealthState | undefined {
    return this.doc.health[serverId];
  }

  setHealth(serverId: string, health: HealthState): void {
    this.doc.health[serverId] = health;
    this.flush();
  }

  get lastCheckAt(): number | null {
    return this.doc.lastCheckAt;
  }

  set lastCheckAt(at: number | null) {
    this.doc.lastCheckAt = at;
    this.flush();
  }

  private flush(): void {
    writeFileAtomicSync(this.path, `${JSON.stringify(this.doc, null, 1)}\n`, { mode: 0o600 });
  }
}

function readDoc(path: string): StateDoc {
  try {
    const parsed = stateDoc.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    if (parsed.success) return parsed.data;
  } catch {
    // Missing or unreadable: start from unknown.
  }
  return stateDoc.parse({});
}
