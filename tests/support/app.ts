import type { Input, Method, Output } from '../../src-shared/contract/api.js';
import type { ComposedApp } from '../../src-main/compose.js';
import type { ServerRole } from '../../src-shared/model/server.js';
import type { SshdServer } from './sshd.js';

/** Calls a method through the app's real router (as the shells do) and throws on `ok:false`. */
export async function rpc<M extends Method>(app: ComposedApp, method: M, params: Input<M>): Promise<Output<M>> {
  const res = await app.router.handle({ id: 1, method, params }, { transport: 'test' });
  if (!res.ok) throw Object.assign(new Error(`${method}: ${res.error.code}: ${res.error.message}`), { code: res.error.code });
  return res.result as Output<M>;
}

export type ProvisionedServer = { readonly id: string; readonly sshd: SshdServer | null };

/**
 * Adds servers through the contract, pins each host key with the fingerprint the harness read with
 * ssh-keygen (as a user would after comparing), logs in with the harness's client key, and commits.
 */
export async function provisionServers(
  app: ComposedApp,
  servers: ReadonlyArray<{ name: string; sshd: SshdServer; role: ServerRole; vars?: Record<string, string>; timeoutSec?: number }>,
): Promise<string[]> {
  const ids: string[] = [];
  for (const s of servers) {
    const { id } = await rpc(app, 'servers.add', {
      server: {
        name: s.name,
        host: s.sshd.host,
        port: s.sshd.port,
        user: s.sshd.user,
        role: s.role,
        contactTimeoutSec: s.timeoutSec ?? 5,
        vars: s.vars ?? {},
        auth: { kind: 'key-file', path: s.sshd.clientKey.privateKeyPath },
      },
    });
    await rpc(app, 'servers.trustHostKey', { id, fingerprint: s.sshd.hostKeyFingerprint });
    ids.push(id);
  }
  await rpc(app, 'servers.commit', {});
  return ids;
}
