import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { mkdir, writeFile } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { compose, type ComposedApp } from '../../../src-main/compose.js';
import { startBrowserShell, type BrowserShell } from '../../../src-main/web/browser-shell.js';
import { makeTempDir } from '../../support/temp.js';

type HttpResult = { status: number; headers: IncomingHttpHeaders; body: string };

function get(port: number, path: string, headers: Record<string, string> = {}): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function openSocket(port: number, headers: Record<string, string>): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/rpc`, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`refused with ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

function rpc(ws: WebSocket, message: unknown): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    ws.once('message', (data) => resolve(JSON.parse(data.toString()) as Record<string, unknown>));
    ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  });
}

describe('browser shell', () => {
  let app: ComposedApp;
  let shell: BrowserShell;
  let cleanup: () => Promise<void>;
  let cookie: string;
  let origin: string;

  beforeAll(async () => {
    const tmp = await makeTempDir();
    cleanup = tmp.cleanup;
    const rendererDir = join(tmp.dir, 'renderer');
    await mkdir(rendererDir);
    await writeFile(
      join(rendererDir, 'index.html'),
      '<!doctype html><title>ConfigSync</title><div id="root"></div>',
    );
    await writeFile(join(tmp.dir, 'secret.txt'), 'outside the renderer');
    app = compose({ dataDir: join(tmp.dir, 'store'), shell: 'browser', log: () => undefined });
    shell = await startBrowserShell({ app, rendererDir });
    origin = `http://127.0.0.1:${shell.port}`;
  });
  afterAll(async () => {
    await shell?.close();
    await cleanup?.();
  });

  it('prints a loopback URL carrying a long random token', () => {
    expect(shell.url).toBe(`http://127.0.0.1:${shell.port}/?token=${shell.token}`);
    expect(shell.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('serves nothing but a short refusal without the token', async () => {
    for (const path of ['/', '/index.html', '/?token=wrong']) {
      const res = await get(shell.port, path);
      expect(res.status).toBe(401);
      expect(res.body).toMatch(/needs the per-run token/);
      expect(res.body).not.toContain('<div id="root">');
    }
  });

  it('trades the token for an HttpOnly SameSite cookie and then serves the app with a strict CSP', async () => {
    const first = await get(shell.port, `/?token=${shell.token}`);
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe('/');
    const setCookie = first.headers['set-cookie']?.[0] ?? '';
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    cookie = setCookie.split(';')[0] ?? '';
    const page = await get(shell.port, '/', { cookie });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<div id="root">');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain('unsafe-eval');
    expect(page.headers['x-frame-options']).toBe('DENY');
  });

  it('refuses another Host (DNS rebinding), another Origin, and paths outside the renderer', async () => {
    expect((await get(shell.port, '/', { cookie, host: `evil.example:${shell.port}` })).status).toBe(403);
    expect((await get(shell.port, '/', { cookie, origin: 'http://evil.example' })).status).toBe(403);
    expect((await get(shell.port, '/../secret.txt', { cookie })).status).toBe(404);
    expect((await get(shell.port, '/%2e%2e/secret.txt', { cookie })).status).toBe(404);
  });

  it('refuses a WebSocket without the token or from another Origin', async () => {
    await expect(openSocket(shell.port, { origin })).rejects.toThrow(/401/);
    await expect(openSocket(shell.port, { cookie, origin: 'http://evil.example' })).rejects.toThrow(/403/);
    await expect(openSocket(shell.port, { cookie })).rejects.toThrow(/403/);
  });

  it('answers RPC over the socket, with clear errors for unknown methods, bad params and junk', async () => {
    const ws = await openSocket(shell.port, { cookie, origin });
    const info = await rpc(ws, { id: 1, method: 'app.info', params: {} });
    expect(info).toMatchObject({ id: 1, ok: true, result: { shell: 'browser', name: 'ConfigSync' } });
    expect((info.result as { storePath: string }).storePath).toMatch(/store[/\\]config\.json$/);
    expect(await rpc(ws, { id: 2, method: 'nope.nothing', params: {} })).toMatchObject({
      id: 2,
      ok: false,
      error: { code: 'UNKNOWN_METHOD' },
    });
    expect(await rpc(ws, { id: 3, method: 'app.echo', params: { text: ['x'] } })).toMatchObject({
      id: 3,
      ok: false,
      error: { code: 'BAD_PARAMS' },
    });
    expect(await rpc(ws, '{not json')).toMatchObject({ id: null, ok: false, error: { code: 'BAD_REQUEST' } });
    // The socket is still usable after all that.
    expect(await rpc(ws, { id: 4, method: 'app.echo', params: { text: 'still here' } })).toMatchObject({
      ok: true,
      result: { text: 'still here' },
    });
    ws.close();
  });

  it('pushes events to connected sockets', async () => {
    const ws = await openSocket(shell.port, { cookie, origin });
    const got = new Promise((resolve) => ws.once('message', (d) => resolve(JSON.parse(d.toString()))));
    app.events.emit('menu.command', { command: 'open-server-list' });
    expect(await got).toEqual({ event: 'menu.command', payload: { command: 'open-server-list' } });
    ws.close();
  });

  it('listens on loopback only', async () => {
    const external = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal);
    if (!external) return; // a machine with loopback only has nothing else to try
    const reached = await new Promise<boolean>((resolve) => {
      const sock = connect({ host: external.address, port: shell.port });
      sock.once('connect', () => (sock.destroy(), resolve(true)));
      sock.once('error', () => resolve(false));
    });
    expect(reached).toBe(false);
  });
});
