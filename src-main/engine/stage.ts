import { createHash } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import type { Endpoint, StatResult, TarOptions } from '../transport/endpoint.js';
import { sftpCarriesTime } from '../transport/attr-script.js';
import { finishPerFile } from './metadata.js';
import { AppError } from '../errors/app-error.js';
import { IN_FLIGHT, mapBounded } from './bounded.js';
import type { JournalWrite } from './journal.js';
import type { ProgressReporter } from './progress.js';
import { joinRoot } from './rel-path.js';
import { tarTracker, type TarMember } from './tar-tracker.js';

export type StageOptions = {
  readonly signal?: AbortSignal;
  readonly progress: Pick<ProgressReporter, 'update'>;
  /** One tar stream over one channel; otherwise file by file (SFTP with pipelined writes). */
  readonly bulk: boolean;
  /** What tar streams carry beyond mode, owners, times and links (xattrs and ACLs; numeric owners). */
  readonly tar?: TarOptions;
  /**
   * Filled with the SHA-256 of each regular file's content as it passes on its way to the staging
   * folder, by path (what the receiving side wrote; a sparse file or a path sent twice has none).
   */
  readonly hashes?: Map<string, string>;
  /** Filled (tar streams only) with each regular file's size and mtime as the source's tar read them. */
  readonly members?: Map<string, TarMember>;
};

/** Up to this many staged files are stat-ed one by one (many in flight); more are listed at once. */
const STAT_EACH_UP_TO = 256;

export class CancelledError extends AppError {
  constructor() {
    super('CANCELLED', 'The run was cancelled.');
  }
}

/**
 * Puts the new content of every written path under the staging folder (same filesystem as the
 * target, so the later rename is atomic), with mode and mtime already set. Nothing live is touched.
 */
export async function stageFiles(
  source: Endpoint,
  sourceRoot: string,
  destination: Endpoint,
  stagingDir: string,
  writes: ReadonlyArray<JournalWrite>,
  options: StageOptions,
): Promise<void> {
  await destination.mkdirp(stagingDir);
  if (writes.length === 0) return;
  if (options.bulk) await stageBulk(source, sourceRoot, destination, stagingDir, writes, options);
  else await stagePerFile(source, sourceRoot, destination, stagingDir, writes, options);
  options.progress.update({ filesDone: writes.length });
}

/** A bulk transfer of at least this many files is split over two tar streams (two `tar -x` at once). */
const TWO_STREAMS_FROM = 2000;

/**
 * Splits the paths into `n` runs of neighbours (so each stream mostly fills its own folders) of about
 * the same size, counting each file as its bytes plus a block for its own creation cost.
 */
export function splitForStreams<T extends { readonly path: string; readonly size?: number }>(
  writes: ReadonlyArray<T>,
  n: number,
): T[][] {
  const weight = (w: T) => (w.size ?? 0) + 4096;
  const total = writes.reduce((sum, w) => sum + weight(w), 0);
  const parts: T[][] = [[]];
  let acc = 0;
  for (const w of writes) {
    if (acc >= (total * parts.length) / n && parts.length < n) parts.push([]);
    (parts[parts.length - 1] as T[]).push(w);
    acc += weight(w);
  }
  return parts.filter((p) => p.length > 0);
}

async function stageBulk(
  source: Endpoint,
  sourceRoot: string,
  destination: Endpoint,
  stagingDir: string,
  writes: ReadonlyArray<JournalWrite & { readonly size?: number }>,
  { signal, progress, tar, hashes, members }: StageOptions,
): Promise<void> {
  if (signal?.aborted) throw new CancelledError();
  // Creating many small files is the destination's filesystem work, one core per `tar -x`: two
  // streams (two channels on the same connection) keep two of its cores busy. Hard links are made
  // by tar only between names of one stream: a run holding any goes as one.
  const linked = writes.some((w) => w.linkId !== undefined);
  const parts = writes.length >= TWO_STREAMS_FROM && !linked ? splitForStreams(writes, 2) : [[...writes]];
  const seen = parts.map(() => ({ files: 0, bytes: 0 }));
  const report = (i: number, p: { filesStarted: number; bytes: number; path: string }) => {
    seen[i] = { files: Math.max(0, p.filesStarted - 1), bytes: p.bytes };
    progress.update({
      filesDone: seen.reduce((n, x) => n + x.files, 0),
      bytesDone: seen.reduce((n, x) => n + x.bytes, 0),
      currentPath: p.path,
    });
  };
  let cancelled = false;
  const streams: Array<{ stream: Readable; tracker: Transform }> = [];
  const onAbort = () => {
    cancelled = true;
    for (const s of streams) {
      s.stream.destroy();
      s.tracker.destroy(new CancelledError());
    }
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  const one = async (part: ReadonlyArray<JournalWrite>, i: number): Promise<void> => {
    const { stream, done } = await source.tarCreate(
      sourceRoot,
      part.map((w) => w.path),
      tar,
    );
    const tracker = tarTracker((p) => report(i, p), {
      ...(hashes ? { hashes } : {}),
      ...(members ? { members } : {}),
    });
    streams.push({ stream, tracker });
    if (cancelled) onAbort();
    stream.on('error', (err) => tracker.destroy(err));
    stream.pipe(tracker);
    await Promise.all([destination.tarExtract(stagingDir, tracker, tar), done]);
  };
  const running = parts.map(one);
  try {
    // Many files are checked afterwards with one listing: its session starts while the data flows.
    if (writes.length > STAT_EACH_UP_TO) destination.prepareCommand?.();
    await Promise.all(running);
  } catch (err) {
    // The other stream is stopped too, and waited for: nothing may still write into the staging
    // folder when the caller removes it.
    onAbort();
    await Promise.allSettled(running);
    if (cancelled && signal?.aborted) throw new CancelledError();
    throw err;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  if (cancelled) throw new CancelledError();
}

async function stagePerFile(
  source: Endpoint,
  sourceRoot: string,
  destination: Endpoint,
  stagingDir: string,
  writes: ReadonlyArray<JournalWrite>,
  { signal, progress, tar, hashes }: StageOptions,
): Promise<void> {
  const made = new Set<string>([stagingDir]);
  let bytes = 0;
  let files = 0;
  // Times SFTP cannot carry are set by one shell command at the end: its session starts now.
  if (writes.some((w) => w.type !== 'dir' && !sftpCarriesTime(w.mtimeMs, w.nsec)))
    destination.prepareCommand?.();
  for (const w of writes) {
    if (signal?.aborted) throw new CancelledError();
    progress.update({ currentPath: w.path });
    const staged = joinRoot(stagingDir, w.path);
    const parent = staged.replace(/\/[^/]*$/, '');
    if (!made.has(parent)) {
      await destination.mkdirp(parent);
      made.add(parent);
    }
    if (w.type === 'symlink') await destination.symlink(w.linkTarget ?? '', staged);
    else {
      const input = await source.readStream(joinRoot(sourceRoot, w.path));
      await destination.writeFile(
        staged,
        counted(
          input,
          (n) => progress.update({ bytesDone: (bytes += n) }),
          hashes && ((digest) => hashes.set(w.path, digest)),
        ),
        w.mode,
      );
      await destination.setAttrs(staged, w);
    }
    progress.update({ filesDone: ++files });
  }
  await finishPerFile(source, sourceRoot, destination, stagingDir, writes, tar?.xattrs === true);
}

/** The file's bytes passed on, counted and, with `onHash`, hashed (its SHA-256 given at the end). */
function counted(input: Readable, onBytes: (n: number) => void, onHash?: (digest: string) => void): Readable {
  const hash = onHash && createHash('sha256');
  const t = new Transform({
    transform(chunk: Buffer, _e, cb) {
      onBytes(chunk.length);
      hash?.update(chunk);
      cb(null, chunk);
    },
    flush(cb) {
      if (hash && onHash) onHash(hash.digest('hex'));
      cb();
    },
  });
  input.on('error', (err) => t.destroy(err));
  return input.pipe(t);
}

/** Checks the staged copies against what the plan expects, so a source that changed mid-run is caught before the swap. */
export async function checkStaged(
  destination: Endpoint,
  stagingDir: string,
  writes: ReadonlyArray<JournalWrite & { size: number }>,
): Promise<void> {
  const listed = new Map<string, StatResult>();
  if (writes.length <= STAT_EACH_UP_TO) {
    const got = await mapBounded(writes, IN_FLIGHT, (w) => destination.stat(joinRoot(stagingDir, w.path)));
    writes.forEach((w, i) => {
      const g = got[i];
      if (g) listed.set(w.path, g);
    });
  } else for (const e of (await destination.list(stagingDir)) ?? []) listed.set(e.path, e);
  for (const w of writes) {
    const got = listed.get(w.path);
    const ok =
      got &&
      got.type === w.type &&
      (w.type !== 'file' || got.size === w.size) &&
      (w.type !== 'symlink' || got.linkTarget === w.linkTarget);
    if (!ok)
      throw new AppError(
        'SOURCE_CHANGED',
        `"${w.path}" changed on the source after the plan was made (staged: ${got ? `${got.type}, ${got.size} bytes` : 'missing'}; planned: ${w.type}, ${w.size} bytes). Nothing was changed; plan again.`,
      );
  }
}
