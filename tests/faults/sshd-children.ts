import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The per-connection processes of a listening sshd (its direct children). */
export async function sshdChildren(listenerPid: number): Promise<number[]> {
  const { stdout } = await run('ps', ['-o', 'pid=', '--ppid', String(listenerPid)]).catch(() => ({
    stdout: '',
  }));
  return stdout
    .split('\n')
    .map((l) => Number(l.trim()))
    .filter((n) => n > 0);
}

/** Kills every connection of that sshd with SIGKILL (the listener stays): a session dropped mid-transfer. */
export async function killConnections(listenerPid: number): Promise<number> {
  const pids = await sshdChildren(listenerPid);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  return pids.length;
}
