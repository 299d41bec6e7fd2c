import type { ShellRpc } from './rpc.js';
import type { SshdServer } from '../../support/sshd.js';

export type StatusMember = {
  readonly name: string;
  readonly role: 'primary' | 'secondary';
  readonly sshd: SshdServer;
  readonly root: string;
};

/** Adds servers over the shell's WebSocket (as the Server List Wizard would), pins their keys, commits. */
export async function provisionMembers(
  rpc: ShellRpc,
  members: ReadonlyArray<StatusMember>,
): Promise<Record<string, string>> {
  const ids: Record<string, string> = {};
  for (const m of members) {
    const { id } = await rpc.call('servers.add', {
      server: {
        name: m.name,
        host: '127.0.0.1',
        port: m.sshd.port,
        user: m.sshd.user,
        role: m.role,
        contactTimeoutSec: 5,
        vars: { CONFIG_ROOT: m.root },
        auth: { kind: 'key-file', path: m.sshd.clientKey.privateKeyPath },
      },
    });
    await rpc.call('servers.trustHostKey', { id, fingerprint: m.sshd.hostKeyFingerprint });
    ids[m.name] = id;
  }
  await rpc.call('servers.commit', {});
  return ids;
}

/** Plans and applies a set from the primary to every secondary and waits for the run's end. */
export async function syncNow(rpc: ShellRpc, setId: string): Promise<void> {
  const plan = await rpc.call('sync.plan', { setId });
  const { runId } = await rpc.call('sync.apply', { planId: plan.planId });
  await rpc.call('sync.wait', { runId });
}
