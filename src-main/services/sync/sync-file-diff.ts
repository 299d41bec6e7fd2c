import type { z } from 'zod';
import type { fileSide } from '../../../src-shared/contract/methods/sync.js';
import type { Endpoint } from '../../transport/endpoint.js';
import { checkRelPath, joinRoot } from '../../engine/rel-path.js';
import { resolveRoot } from '../../engine/scan.js';

export type FileSide = z.output<typeof fileSide>;

/** Where each target of a plan lives, remembered by `sync.plan` so `sync.fileDiff` can find both files. */
export type PlanPlaces = {
  readonly sourceServerId: string;
  readonly targets: ReadonlyMap<string, { readonly serverId: string; readonly item: string }>;
};

/** Bytes that are text: no NUL in the first 8 KiB and valid UTF-8 throughout. */
export function asText(data: Buffer): string | null {
  if (data.subarray(0, 8192).includes(0)) return null;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    return null;
  }
}

/**
 * Reads one side of a plan entry for the diff view: stat first so a large file is never downloaded,
 * then the whole (capped) file, said to be binary when it is not UTF-8 text.
 */
export async function readSide(
  endpoint: Endpoint,
  rawRoot: string,
  relPath: string,
  limit: number,
): Promise<FileSide> {
  const root = await resolveRoot(endpoint, rawRoot);
  const full = joinRoot(root, checkRelPath(relPath));
  const st = await endpoint.stat(full);
  if (!st) return { kind: 'absent' };
  if (st.type !== 'file') return { kind: 'not-a-file', type: st.type };
  if (st.size > limit) return { kind: 'too-large', size: st.size, limit };
  const data = await endpoint.readFile(full);
  const text = asText(data);
  return text === null ? { kind: 'binary', size: data.length } : { kind: 'text', size: data.length, text };
}

/** Keeps the places of the newest plans only (the service forgets older plans too). */
export class PlanPlacesMemo {
  private readonly byPlan = new Map<string, PlanPlaces>();
  constructor(private readonly max = 20) {}

  remember(planId: string, places: PlanPlaces): void {
    this.byPlan.set(planId, places);
    while (this.byPlan.size > this.max) {
      const oldest = this.byPlan.keys().next().value as string;
      this.byPlan.delete(oldest);
    }
  }

  get(planId: string): PlanPlaces | undefined {
    return this.byPlan.get(planId);
  }
}
