import { appendFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
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

  /** Every run record in the folder (a half-written one of a killed run is skipped: its log tells the story). */
  async records(): Promise<RunRecord[]> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const records: RunRecord[] = [];
    for (const n of names.filter((x) => x.endsWith('.json'))) {
      try {
        records.push(JSON.parse(await readFile(join(this.dir, n), 'utf8')) as RunRecord);
      } catch {
        // A half-written record of a run that was killed.
      }
    }
    return records;
  }
}
