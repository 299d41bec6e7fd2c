/**
 * The two IPC channels between main and the preload. The preload cannot import local files
 * (sandboxed preloads only get `electron`), so it repeats these literals; a unit test keeps both equal.
 */
export const RPC_CHANNEL = 'configsync:rpc';
export const EVENT_CHANNEL = 'configsync:event';
