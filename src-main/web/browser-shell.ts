import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ComposedApp } from '../compose.js';
import { contentSecurityPolicy } from '../security/csp.js';
import { checkAccess, TOKEN_COOKIE } from './access.js';
import { loadStatic } from './static-files.js';

export type BrowserShellOptions = {
  readonly app: ComposedApp;
  /** The built renderer (vite output). */
  readonly rendererDir: string;
  /** 0 (default) picks a free port. */
  readonly port?: number;
  /** Fixed token for tests; random per run otherwise. */
  readonly token?: string;
};

export type BrowserShell = {
  readonly port: number;
  readonly token: string;
  /** The address to open: carries the token once; the page then keeps it as an HttpOnly cookie. */
  readonly url: string;
  close(): Promise<void>;
};

const MAX_MESSAGE_BYTES = 1024 * 1024;

/**
 * The loopback "browser shell": serves the built renderer and carries the RPC contract over a WebSocket.
 * Bound to 127.0.0.1 only; every request and socket needs the per-run token and our own Origin.
 */
export async function startBrowserShell(options: BrowserShellOptions): Promise<BrowserShell> {
  const token = options.token ?? randomBytes(32).toString('base64url');
  const { app } = options;
  const sockets = new Set<WebSocket>();
  let port = 0;

  const server = createServer((req, res) => {
    void serveHttp(req, res).catch((err: unknown) => {
      if (!res.headersSent)
        refuse(res, 500, `Internal error: ${err instanceof Error ? err.message : String(err)}`);
    });
  });

  async function serveHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const queryToken = url.searchParams.get('token');
    const access = checkAccess(req, port, token, queryToken, false);
    if (!access.ok) return refuse(res, access.status, access.reason);
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'Only GET is served here.');
    if (queryToken !== null) {
      // Trade the token in the address for a cookie, and drop it from the address bar.
      url.searchParams.delete('token');
      res.writeHead(303, {
        'Set-Cookie': `${TOKEN_COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`,
        Location: url.pathname + url.search,
        'Cache-Control': 'no-store',
      });
      return void res.end();
    }
    const file = await loadStatic(options.rendererDir, url.pathname);
    if (!file) return refuse(res, 404, 'Not found.');
    res.writeHead(200, {
      'Content-Type': file.type,
      'Content-Length': file.body.length,
      'Content-Security-Policy': contentSecurityPolicy({
        wsOrigin: `ws://${req.headers.host ?? `127.0.0.1:${port}`}`,
      }),
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'no-referrer',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Cache-Control': file.type.startsWith('text/html') ? 'no-store' : 'private, max-age=3600',
    });
    res.end(req.method === 'HEAD' ? undefined : file.body);
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const access =
      url.pathname === '/rpc'
        ? checkAccess(req, port, token, null, true)
        : ({ ok: false, status: 404, reason: 'Not found.' } as const);
    if (!access.ok) {
      socket.end(
        `HTTP/1.1 ${access.status} Refused\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${access.reason}\n`,
      );
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => onSocket(ws));
  });

  function onSocket(ws: WebSocket): void {
    sockets.add(ws);
    const unsubscribe = app.events.subscribe((envelope) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(envelope));
    });
    ws.on('message', (data, isBinary) => {
      void (async () => {
        let raw: unknown;
        try {
          raw = isBinary ? undefined : JSON.parse(data.toString());
        } catch {
          raw = undefined;
        }
        const response =
          raw === undefined
            ? {
                id: null,
                ok: false,
                error: { code: 'BAD_REQUEST', message: 'Malformed request: not JSON text.' },
              }
            : await app.router.handle(raw, { transport: 'browser' });
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(response));
      })();
    });
    // An oversized or malformed frame errors the socket (ws then closes it with 1009/1002); without a
    // listener that error would be thrown and end the whole shell.
    ws.on('error', () => ws.terminate());
    ws.on('close', () => {
      unsubscribe();
      sockets.delete(ws);
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string')
    throw new Error('The browser shell has no TCP address.');
  port = address.port;

  return {
    port,
    token,
    url: `http://127.0.0.1:${port}/?token=${token}`,
    async close() {
      for (const ws of sockets) ws.terminate();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function refuse(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-store',
  });
  res.end(`${message}\n`);
}
