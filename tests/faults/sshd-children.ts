import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * The sshd processes below a listening sshd: per-connection monitors and the session processes that
 * hold the client's socket. The commands they run (shells, tar) are left to end on their own: killed
 * mid-way, a login shell's startup files can leave lock files behind that stall later logins.
 */
export async function sshdChildren(listenerPid: number): Promise<number[]> {
  const { stdout } = await run('ps', ['-e', '-o', 'pid=,ppid=,comm=']);
  const kids = new Map<number, number[]>();
  for (const line of stdout.split('\n')) {
    const [pid, ppid, comm] = line.trim().split(/\s+/);
    if (!pid || !ppid || comm !== 'sshd') continue;
    kids.set(Number(ppid), [...(kids.get(Number(ppid)) ?? []), Number(pid)]);
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const k of kids.get(p) ?? []) {
      out.push(k);
      walk(k);
    }
  };
  walk(listenerPid);
  return out;
}

/** Kills every connection of that sshd with SIGKILL (the listener stays): a session dropped mid-transfer. */
export async function killConnections(listenerPid: number): Promise<number> {
  const pids = await sshdChildren(listenerPid);
  for (const pid of pids.reverse()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  return pids.length;
}
