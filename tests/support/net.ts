import { createServer, connect } from 'node:net';

/** A port the kernel just handed out on 127.0.0.1 and that is free again now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      if (addr === null || typeof addr === 'string') return reject(new Error('no port'));
      srv.close(() => resolve(addr.port));
    });
  });
}

/** Resolves once something on host:port sends a line starting with `prefix` (e.g. the SSH banner). */
export async function waitForBanner(port: number, prefix: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const sock = connect({ host: '127.0.0.1', port });
      let buf = '';
      const done = (v: boolean) => {
        sock.destroy();
        resolve(v);
      };
      sock.setTimeout(1000, () => done(false));
      sock.on('data', (d) => {
        buf += d.toString('latin1');
        if (buf.includes('\n')) done(buf.startsWith(prefix));
      });
      sock.on('error', () => done(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing answered "${prefix}" on 127.0.0.1:${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
