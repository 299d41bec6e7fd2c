import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readRunRecords } from '../../log/prune-runs.js';
import type { z } from 'zod';
import type { runRecord } from '../../../src-shared/contract/schemas/sync.js';

export type RunRecord = z.output<typeof runRecord>;

/** One run's log as it is written: JSON lines as things happen, the record when it ends. */
export type RunLogWriter = {
  line(event: object): Promise<void>;
  finish(record: RunRecord): Promise<void>;
};

/**
 * The run logs in the app's data folder: `<runId>.log` (JSON lines, one an event) and `<runId>.json`
 * (the run's record, written when it ends).
 */
export class RunLog {
  constructor(private readonly dir: string) {}

  async open(runId: string): Promise<RunLogWriter> {
    await mkdir(this.dir, { recursive: true });
    const log = join(this.dir, `${runId}.log`);
    const line = (o: object) =>
      appendFile(log, `${JSON.stringify({ at: new Date().toISOString(), ...o })}\n`).catch(() => undefined);
    return {
      line,
      finish: async (record) => {
        await writeFile(join(this.dir, `${runId}.json`), JSON.stringify(record, null, 1));
        await line({ event: 'finished' });
      },
    };
  }

  /**
   * The records of the newest `limit` runs, newest first: the folder is listed and only those files
   * are read (a half-written one of a killed run is skipped: its log tells the story).
   */
  records(limit = 200): Promise<RunRecord[]> {
    return readRunRecords<RunRecord>(this.dir, limit);
  }
}
