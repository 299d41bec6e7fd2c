import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  queryHistory,
  runRecord,
  type HistoryPage,
  type HistoryQuery,
  type RunRecord,
} from '../../../src-shared/model/history.js';

export const HISTORY_FILE = 'history.jsonl';

/** Records in file order plus the number of lines that could not be read (a torn or damaged line). */
export type ParsedHistory = { readonly records: ReadonlyArray<RunRecord>; readonly skippedLines: number };

/** Reads history.jsonl text: one record per line; a line that is not a valid record is skipped, not fatal. */
export function parseHistory(text: string): ParsedHistory {
  const records: RunRecord[] = [];
  let skippedLines = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const parsed = runRecord.safeParse(JSON.parse(line));
      if (parsed.success) records.push(parsed.data);
      else skippedLines++;
    } catch {
      skippedLines++;
    }
  }
  return { records, skippedLines };
}

/**
 * The run history: an append-only JSON-lines file in the data dir. Appending one line is the only
 * write, so a crash can at worst leave a torn last line; reads skip it and the next append starts
 * on a fresh line. Appends are serialised within the process.
 */
export class HistoryStore {
  private chain: Promise<unknown> = Promise.resolve();

  constructor(readonly path: string) {}

  static inDataDir(dataDir: string): HistoryStore {
    return new HistoryStore(join(dataDir, HISTORY_FILE));
  }

  /** Validates and appends one finished run. */
  async append(record: RunRecord): Promise<void> {
    const line = `${JSON.stringify(runRecord.parse(record))}\n`;
    const done = this.chain.then(() => this.appendLine(line));
    this.chain = done.catch(() => undefined);
    await done;
  }

  /** Every readable record, oldest first. */
  async readAll(): Promise<ParsedHistory> {
    await this.chain;
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], skippedLines: 0 };
      throw err;
    }
    return parseHistory(text);
  }

  /** Filtered by server, set, result, trigger; newest first, paged. */
  async list(query: HistoryQuery): Promise<HistoryPage> {
    return queryHistory((await this.readAll()).records, query);
  }

  async get(id: string): Promise<RunRecord | null> {
    const { records } = await this.readAll();
    return records.find((r) => r.id === id) ?? null;
  }

  private async appendLine(line: string): Promise<void> {
    const file = await open(this.path, 'a+', 0o600);
    try {
      const { size } = await file.stat();
      let prefix = '';
      if (size > 0) {
        const last = Buffer.alloc(1);
        await file.read(last, 0, 1, size - 1);
        // A crash mid-write left a line without its newline: end it so the new record stands alone.
        if (last[0] !== 0x0a) prefix = '\n';
      }
      await file.appendFile(prefix + line, 'utf8');
      await file.sync();
    } finally {
      await file.close();
    }
  }
}
