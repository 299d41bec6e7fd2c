import WebSocket from 'ws';
import type { Input, Method, Output } from '../../../src-shared/contract/api.js';
import type { ResponseEnvelope } from '../../../src-shared/contract/envelope.js';
import type { RunningShell } from './browser-shell-process.js';

export type ShellRpc = {
  /** Calls a method of the running shell; rejects with `CODE: message` on `ok:false`. */
  call<M extends Method>(method: M, params: Input<M>): Promise<Output<M>>;
  close(): void;
};

/**
 * A WebSocket to the browser shell's /rpc, as the page opens it (the per-run token as its cookie, our
 * own Origin), so a test can set servers and sets up without walking the Server List Wizard.
 */
export async function connectRpc(shell: RunningShell): Promise<ShellRpc> {
  const token = new URL(shell.url).searchParams.get('token') ?? '';
  const ws = new WebSocket(`${shell.origin.replace(/^http/, 'ws')}/rpc`, {
    headers: { Cookie: `configsync_token=${encodeURIComponent(token)}`, Origin: shell.origin },
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) =>
      reject(new Error(`the shell refused the socket: HTTP ${res.statusCode}`)),
    );
  });
  const pending = new Map<number, (r: ResponseEnvelope) => void>();
  ws.on('message', (data) => {
    const msg = JSON.parse(String(data)) as ResponseEnvelope | { event: string };
    if ('event' in msg || msg.id === null) return;
    pending.get(Number(msg.id))?.(msg);
    pending.delete(Number(msg.id));
  });
  let nextId = 1;
  return {
    async call(method, params) {
      const id = nextId++;
      const response = await new Promise<ResponseEnvelope>((resolve) => {
        pending.set(id, resolve);
        ws.send(JSON.stringify({ id, method, params }));
      });
      if (!response.ok) throw new Error(`${method}: ${response.error.code}: ${response.error.message}`);
      return response.result as Output<typeof method>;
    },
    close: () => ws.close(),
  };
}
