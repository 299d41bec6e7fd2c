import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { writeFile, mkdir, chmod, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import { promisify } from 'node:util';
import { fingerprintOf, makeKeyPair, SSHD, type ClientKey } from './sshd.js';
import { makeTempDir } from './temp.js';

const run = promisify(execFile);

/**
 * A network namespace joined to this one by a veth pair, so that `tc` and link state affect only the
 * traffic to what runs inside it (a "server" on its own link). Needs root and CAP_NET_ADMIN.
 */
export type Netns = {
  readonly name: string;
  /** This side's address on the link, and the namespace's. */
  readonly hostIp: string;
  readonly nsIp: string;
  /** The host-side interface: shaping or taking it down affects traffic to the namespace. */
  readonly hostIf: string;
  /** Rate-limits traffic towards the namespace (tbf), e.g. "4mbit". */
  limitRate(rate: string): Promise<void>;
  /** Delay and random loss with a rate (netem), where the kernel has it. */
  impair(delay: string, loss: string, rate: string): Promise<void>;
  /** Drops every packet on the link (the far end does not know): what a pulled cable looks like. */
  linkDown(): Promise<void>;
  destroy(): Promise<void>;
};

/** Why namespaces and tc cannot be used here, or null. Also says whether netem (delay/loss) exists. */
export async function netnsSupport(): Promise<{ netns: string | null; netem: string | null }> {
  let ns: Netns | null = null;
  try {
    ns = await makeNetns();
  } catch (err) {
    return {
      netns: `network namespaces are not available: ${(err as Error).message.split('\n')[0]}`,
      netem: 'no namespace',
    };
  }
  try {
    await run('tc', ['qdisc', 'add', 'dev', ns.hostIf, 'root', 'netem', 'delay', '100ms', 'loss', '5%']);
    return { netns: null, netem: null };
  } catch (err) {
    return {
      netns: null,
      netem: `tc netem is not available in this kernel: ${(err as Error).message.split('\n')[0]}`,
    };
  } finally {
    await ns.destroy();
  }
}

export async function makeNetns(): Promise<Netns> {
  const id = randomInt(10, 250);
  const tag = `${process.pid % 10000}x${id}`;
  const name = `cs${tag}`;
  const hostIf = `csh${tag}`;
  const nsIf = `csn${tag}`;
  const hostIp = `10.${200 + (id % 50)}.${id}.1`;
  const nsIp = `10.${200 + (id % 50)}.${id}.2`;
  const ip = (...args: string[]) => run('ip', args);
  await ip('netns', 'add', name);
  try {
    await ip('link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf);
    await ip('link', 'set', nsIf, 'netns', name);
    await ip('addr', 'add', `${hostIp}/24`, 'dev', hostIf);
    await ip('link', 'set', hostIf, 'up');
    await ip('netns', 'exec', name, 'ip', 'addr', 'add', `${nsIp}/24`, 'dev', nsIf);
    await ip('netns', 'exec', name, 'ip', 'link', 'set', nsIf, 'up');
    await ip('netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up');
  } catch (err) {
    await ip('link', 'del', hostIf).catch(() => undefined);
    await ip('netns', 'del', name).catch(() => undefined);
    throw err;
  }
  return {
    name,
    hostIp,
    nsIp,
    hostIf,
    async limitRate(rate) {
      await run('tc', [
        'qdisc',
        'replace',
        'dev',
        hostIf,
        'root',
        'tbf',
        'rate',
        rate,
        'burst',
        '32kbit',
        'latency',
        '400ms',
      ]);
    },
    async impair(delay, loss, rate) {
      await run('tc', [
        'qdisc',
        'replace',
        'dev',
        hostIf,
        'root',
        'netem',
        'delay',
        delay,
        'loss',
        loss,
        'rate',
        rate,
      ]);
    },
    async linkDown() {
      await ip('link', 'set', hostIf, 'down');
    },
    async destroy() {
      await ip('link', 'del', hostIf).catch(() => undefined);
      await ip('netns', 'del', name).catch(() => undefined);
    },
  };
}

/** An OpenSSH sshd running inside a namespace, listening on its address there. */
export type NsSshd = {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly dataRoot: string;
  readonly baseDir: string;
  readonly hostKeyFingerprint: string;
  readonly hostKeyAlgorithm: string;
  readonly clientKey: ClientKey;
  stop(): Promise<void>;
};

export type NsSshdOptions = {
  /** The address to listen on inside the namespace (its link address by default; 127.0.0.1 is reachable only from inside). */
  readonly listen?: string;
  readonly port?: number;
};

export async function startSshdInNetns(ns: Netns, options: NsSshdOptions = {}): Promise<NsSshd> {
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
  const { dir: baseDir } = await makeTempDir('configsync-nssshd-');
  const hostKeyPath = join(baseDir, 'ssh_host_ed25519_key');
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKeyPath]);
  await chmod(hostKeyPath, 0o600);
  const clientKey = await makeKeyPair(baseDir, 'client_ed25519');
  await writeFile(join(baseDir, 'authorized_keys'), `${clientKey.publicKey}\n`, { mode: 0o600 });
  const dataRoot = join(baseDir, 'data');
  await mkdir(dataRoot);
  const port = options.port ?? 2222;
  const listen = options.listen ?? ns.nsIp;
  const config = join(baseDir, 'sshd_config');
  await writeFile(
    config,
    [
      `Port ${port}`,
      `ListenAddress ${listen}`,
      `HostKey ${hostKeyPath}`,
      `PidFile ${join(baseDir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(baseDir, 'authorized_keys')}`,
      'StrictModes no',
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'Subsystem sftp internal-sftp',
      'LogLevel ERROR',
      '',
    ].join('\n'),
  );
  const fp = await fingerprintOf(hostKeyPath);
  const child: ChildProcess = spawn('ip', ['netns', 'exec', ns.name, SSHD, '-D', '-e', '-f', config], {
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ok =
      listen !== ns.nsIp
        ? await bannerInside(ns, port)
        : await new Promise<boolean>((resolve) => {
            const sock = connect({ host: ns.nsIp, port });
            sock.setTimeout(1000, () => (sock.destroy(), resolve(false)));
            sock.once('data', (d) => (sock.destroy(), resolve(d.toString('latin1').startsWith('SSH-2.0'))));
            sock.once('error', () => resolve(false));
          });
    if (ok) break;
    if (Date.now() > deadline || child.exitCode !== null)
      throw new Error(`sshd in ${ns.name} did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    host: listen,
    port,
    user: userInfo().username,
    dataRoot,
    baseDir,
    hostKeyFingerprint: fp.fingerprint,
    hostKeyAlgorithm: fp.algorithm,
    clientKey,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null)
        return rm(baseDir, { recursive: true, force: true });
      // The sshd processes only: the commands of its sessions then see their input end and exit on
      // their own (a login shell killed mid-startup can leave lock files that stall later logins).
      // Each connection's sshd and its session's sshd (which sshd gives a session of its own, so
      // not in the daemon's process group): every sshd below the daemon. Left running, a session
      // whose link a test cut kept its command (a tar -x waiting for input) alive for good.
      const { stdout } = await run('ps', ['-e', '-o', 'pid=,ppid=,comm=']);
      const rows = stdout
        .split('\n')
        .map((l) => l.trim().split(/\s+/))
        .filter((r) => r.length === 3);
      const below = new Set<string>([String(child.pid)]);
      for (let grew = true; grew;) {
        grew = false;
        for (const [pid, ppid, comm] of rows)
          if (comm === 'sshd' && below.has(ppid as string) && !below.has(pid as string)) {
            below.add(pid as string);
            grew = true;
          }
      }
      below.delete(String(child.pid));
      const pids = [...below].map(Number);
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        for (const pid of [...pids, child.pid ?? 0])
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // Already gone.
          }
      });
      await rm(baseDir, { recursive: true, force: true });
    },
  };
}

/** True once something inside the namespace answers on 127.0.0.1:port with an SSH banner. */
async function bannerInside(ns: Netns, port: number): Promise<boolean> {
  try {
    const { stdout } = await run('ip', [
      'netns',
      'exec',
      ns.name,
      'timeout',
      '2',
      'bash',
      '-c',
      `exec 3<>/dev/tcp/127.0.0.1/${port}; head -c 7 <&3`,
    ]);
    return stdout.startsWith('SSH-2.0');
  } catch {
    return false;
  }
}
