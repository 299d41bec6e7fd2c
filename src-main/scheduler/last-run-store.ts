import { readFileSync } from 'node:fs';
import { writeFileAtomicSync } from '../store/atomic-file.js';

/**
 * Per schedule entry, the time up to which its schedule was handled (the last fired occurrence, or
 * when the entry was first seen). Persisted, so a start after the app was closed can tell which
 * times were missed. Small and synchronous: a handful of numbers.
 */
export type LastRunStore = {
  get(entryId: string): number | undefined;
  set(entryId: string, ms: number): void;
  delete(entryId: string): void;
};

export class MemoryLastRunStore implements LastRunStore {
  readonly values = new Map<string, number>();
  get(entryId: string): number | undefined {
    return this.values.get(entryId);
  }
  set(entryId: string, ms: number): void {
    this.values.set(entryId, ms);
  }
  delete(entryId: string): void {
    this.values.delete(entryId);
  }
}

/** A JSON file (e.g. `scheduler-state.json` in the data dir) rewritten whole through a temp name and a rename. */
export class JsonFileLastRunStore implements LastRunStore {
  private readonly values: Map<string, number>;

  constructor(readonly path: string) {
    this.values = new Map(readEntries(path));
  }

  get(entryId: string): number | undefined {
    return this.values.get(entryId);
  }

  set(entryId: string, ms: number): void {
    this.values.set(entryId, ms);
    this.flush();
  }

  delete(entryId: string): void {
    if (this.values.delete(entryId)) this.flush();
  }

  private flush(): void {
    writeFileAtomicSync(this.path, `${JSON.stringify(Object.fromEntries(this.values), null, 1)}\n`, {
      mode: 0o600,
    });
  }
}

function readEntries(path: string): Array<[string, number]> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // A damaged file only costs catch-up knowledge: every entry starts afresh.
    return [];
  }
  if (!parsed || typeof parsed !== 'object') return [];
  return Object.entries(parsed).filter(
    (e): e is [string, number] => typeof e[1] === 'number' && Number.isFinite(e[1]),
  );
}
