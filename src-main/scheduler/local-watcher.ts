import { watch } from 'chokidar';
import { relative, sep } from 'node:path';
import { systemClock, type Clock } from './clock.js';
import { Debouncer } from './debouncer.js';
import { DEFAULT_DEBOUNCE_MS, type ChangeHandler, type SourceWatch } from './source-watch.js';

export type LocalWatchOptions = {
  readonly root: string;
  readonly onChange: ChangeHandler;
  readonly onError?: (err: Error) => void;
  /** A path (relative, POSIX) the sync would skip anyway, e.g. by the set's exclude filters. */
  readonly ignored?: (relPath: string) => boolean;
  readonly debounceMs?: number;
  readonly clock?: Clock;
};

/**
 * Watches a local source folder with chokidar. An editor's save (write a temp file, rename it over
 * the original) and a burst of saves are one trigger: events are collected until the folder has
 * been quiet for the debounce time. Resolves once the initial scan is done and changes are seen.
 */
export async function watchLocalSource(options: LocalWatchOptions): Promise<SourceWatch> {
  const { root } = options;
  const toRel = (abs: string) => relative(root, abs).split(sep).join('/');
  const debouncer = new Debouncer<string>(
    options.clock ?? systemClock,
    options.debounceMs ?? DEFAULT_DEBOUNCE_MS,
    options.onChange,
  );
  const watcher = watch(root, {
    ignoreInitial: true,
    persistent: true,
    atomic: true,
    ignored: options.ignored ? (abs: string) => abs !== root && options.ignored!(toRel(abs)) : undefined,
  });
  watcher.on('all', (_event, abs) => {
    const rel = toRel(abs);
    debouncer.poke(rel === '' ? '.' : rel);
  });
  watcher.on('error', (err) => options.onError?.(err instanceof Error ? err : new Error(String(err))));
  await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  return {
    async close() {
      debouncer.cancel();
      await watcher.close();
    },
  };
}
