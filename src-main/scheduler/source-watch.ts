/** A running watch on a sync set's source; close() ends it (and its process or channel). */
export type SourceWatch = { close(): Promise<void> };

/** Called once per burst of changes, with the changed paths relative to the source root (POSIX). */
export type ChangeHandler = (paths: string[]) => void;

/** The default quiet time that turns a burst of saves into one trigger. */
export const DEFAULT_DEBOUNCE_MS = 2000;
