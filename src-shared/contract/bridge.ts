import type { EventEnvelope, ResponseEnvelope } from './envelope.js';

/** What the Electron preload exposes as `window.configsync`: these two functions and nothing more. */
export type ConfigSyncBridge = {
  invoke(request: { id: number | string; method: string; params: unknown }): Promise<ResponseEnvelope>;
  onEvent(listener: (event: EventEnvelope) => void): () => void;
};
