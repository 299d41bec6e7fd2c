import type { EventEnvelope, ResponseEnvelope } from './envelope.js';

/** A request as the renderer hands it to the bridge; main parses it as a `requestEnvelope`. */
export type BridgeRequest = {
  readonly id: number | string;
  readonly method: string;
  readonly params?: unknown;
};

/**
 * What the Electron preload exposes as `window.configsync`, and all it exposes: one call to send a
 * request and get its response, one to listen to pushed events. The renderer declares
 * `window.configsync?: ConfigSyncBridge` itself (src-shared knows no DOM).
 */
export type ConfigSyncBridge = {
  invoke(request: BridgeRequest): Promise<ResponseEnvelope>;
  /** Registers a listener for every event; returns the function that removes it. */
  onEvent(listener: (event: EventEnvelope) => void): () => void;
};

/** The property of `window` under which the preload exposes the bridge. */
export const bridgeKey = 'configsync';
