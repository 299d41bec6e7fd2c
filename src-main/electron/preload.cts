// The renderer's only door to main. Sandboxed preloads are CommonJS and may require nothing but
// 'electron', so the channel names repeat src-main/electron/channels.ts (a unit test keeps them equal)
// and local imports here are type-only.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { ConfigSyncBridge } from '../../src-shared/contract/bridge.js';
import type { EventEnvelope, ResponseEnvelope } from '../../src-shared/contract/envelope.js';

const RPC_CHANNEL = 'configsync:rpc';
const EVENT_CHANNEL = 'configsync:event';

const bridge: ConfigSyncBridge = {
  invoke(request) {
    // Only the envelope's three fields cross; main parses them again before anything runs.
    const { id, method, params } = request;
    return ipcRenderer.invoke(RPC_CHANNEL, { id, method, params }) as Promise<ResponseEnvelope>;
  },
  onEvent(listener) {
    if (typeof listener !== 'function') throw new TypeError('onEvent needs a function.');
    // The IpcRendererEvent (which carries `sender`) never reaches the page: only the envelope does.
    const forward = (_event: IpcRendererEvent, envelope: EventEnvelope): void => listener(envelope);
    ipcRenderer.on(EVENT_CHANNEL, forward);
    return () => {
      ipcRenderer.removeListener(EVENT_CHANNEL, forward);
    };
  },
};

contextBridge.exposeInMainWorld('configsync', bridge);
