import type { Input, Method, Output } from '../../src-shared/contract/api.js';
import type { EventEnvelope, ResponseEnvelope, RpcError } from '../../src-shared/contract/envelope.js';
import type { EventName, EventPayload } from '../../src-shared/contract/events.js';
import type { ErrorCode } from '../../src-shared/errors.js';
import type { ConfigSyncBridge } from '../../src-shared/contract/bridge.js';

/** An RPC that main answered with `ok:false`: code, message, and field issues for forms. */
export class RpcCallError extends Error {
  override readonly name = 'RpcCallError';
  readonly code: ErrorCode;
  readonly issues: RpcError['issues'];
  constructor(error: RpcError) {
    super(error.message);
    this.code = error.code;
    this.issues = error.issues;
  }
}

type Transport = {
  readonly kind: 'electron' | 'browser';
  send(request: { id: number; method: string; params: unknown }): Promise<ResponseEnvelope>;
  subscribe(listener: (e: EventEnvelope) => void): void;
};

declare global {
  interface Window {
    configsync?: ConfigSyncBridge;
  }
}

/** Electron: the preload's two functions. */
function bridgeTransport(bridge: ConfigSyncBridge): Transport {
  return { kind: 'electron', send: (req) => bridge.invoke(req), subscribe: (l) => void bridge.onEvent(l) };
}

/** Browser shell: one WebSocket to /rpc on the page's own origin (the token travels as a cookie). */
function socketTransport(): Transport {
  const pending = new Map<number | string, (r: ResponseEnvelope) => void>();
  const listeners = new Set<(e: EventEnvelope) => void>();
  let socket: Promise<WebSocket> | null = null;
  const open = (): Promise<WebSocket> =>
    (socket ??= new Promise((resolve, reject) => {
      const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/rpc`);
      ws.onopen = () => resolve(ws);
      ws.onerror = () => reject(new RpcCallError({ code: 'DISCONNECTED', message: 'Cannot reach ConfigSync (the browser shell is not running, or refused this page).' }));
      ws.onclose = () => {
        socket = null;
        for (const [id, done] of pending)
          done({ id, ok: false, error: { code: 'DISCONNECTED', message: 'The connection to ConfigSync was closed.' } });
        pending.clear();
      };
      ws.onmessage = (msg) => {
        const data = JSON.parse(String(msg.data)) as ResponseEnvelope | EventEnvelope;
        if ('event' in data) for (const l of listeners) l(data);
        else if (data.id !== null) {
          pending.get(data.id)?.(data);
          pending.delete(data.id);
        }
      };
    }));
  return {
    kind: 'browser',
    async send(req) {
      const ws = await open();
      return new Promise((resolve) => {
        pending.set(req.id, resolve);
        ws.send(JSON.stringify(req));
      });
    },
    subscribe(l) {
      listeners.add(l);
      void open().catch(() => undefined);
    },
  };
}

const transport: Transport = window.configsync ? bridgeTransport(window.configsync) : socketTransport();
let nextId = 1;
const eventHandlers = new Map<string, Set<(payload: unknown) => void>>();
transport.subscribe((e) => eventHandlers.get(e.event)?.forEach((h) => h(e.payload)));

/** Which shell the renderer runs in. */
export const shellKind = transport.kind;

/** Calls a contract method; resolves with its typed result or rejects with an RpcCallError. */
export async function call<M extends Method>(method: M, params: Input<M>): Promise<Output<M>> {
  const response = await transport.send({ id: nextId++, method, params });
  if (!response.ok) throw new RpcCallError(response.error);
  return response.result as Output<M>;
}

/** Listens to one event; returns the function that stops listening. */
export function onEvent<E extends EventName>(event: E, handler: (payload: EventPayload<E>) => void): () => void {
  const set = eventHandlers.get(event) ?? new Set();
  eventHandlers.set(event, set);
  const h = handler as (payload: unknown) => void;
  set.add(h);
  return () => set.delete(h);
}
