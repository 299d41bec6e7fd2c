// The real set-up behind the Differences page benchmark: two sshd (a primary with N empty files, an empty
// secondary), the built browser shell as its own process, and the servers and a set registered through
// the RPC, as the e2e tests do it.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { startSshd, type SshdServer } from '../tests/support/sshd.js';
import {
  repoRoot,
  startShellProcess,
  type RunningShell,
} from '../tests/e2e/support/browser-shell-process.js';
import { connectRpc, type ShellRpc } from '../tests/e2e/support/rpc.js';
import { provision } from '../tests/e2e/support/sync-wizard-page.js';

export const PRIMARY = 'primary';
export const SECONDARY = 'second-1';
const FILES_PER_FOLDER = 1000;

export type DifferencesFixture = {
  readonly shell: RunningShell;
  readonly rpc: ShellRpc;
  /** The browser shell's own process (its main process). */
  readonly shellPid: number;
  readonly setName: string;
  /** Files made on the primary, and the folders that hold them. */
  readonly files: number;
  readonly folders: number;
  /** Stops everything started here and removes every temp tree; safe to call twice. */
  stop(): Promise<void>;
};

/**
 * `files` empty files in folders of 1,000 (`d001/f0001.conf` …), made by `xargs touch` in about a second
 * for 100,000: the page's cost does not depend on file contents, and a plan only lists them.
 */
async function makeFlatTree(root: string, files: number): Promise<number> {
  const folders = Math.ceil(files / FILES_PER_FOLDER);
  const width = Math.max(3, String(folders).length);
  const paths: string[] = [];
  for (let i = 0; i < files; i++) {
    const folder = `d${String(Math.floor(i / FILES_PER_FOLDER) + 1).padStart(width, '0')}`;
    if (i % FILES_PER_FOLDER === 0) await mkdir(join(root, folder), { recursive: true });
    paths.push(`${folder}/f${String((i % FILES_PER_FOLDER) + 1).padStart(4, '0')}.conf`);
  }
  execFileSync('xargs', ['touch'], { cwd: root, input: paths.join('\n'), maxBuffer: 1 << 26 });
  return folders;
}

/** The pid whose command line is the shell's entry with this store (startShellProcess keeps its child to itself). */
async function findShellPid(dataDir: string): Promise<number> {
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const args = await readFile(`/proc/${name}/cmdline`, 'utf8')
      .then((s) => s.split('\0'))
      .catch(() => [] as string[]);
    const store = args.indexOf('--store');
    if (store > 0 && args[store + 1] === dataDir && args.some((a) => a.endsWith('web/start.js')))
      return Number(name);
  }
  throw new Error(`no process runs the browser shell with --store ${dataDir}`);
}

/** A `/proc/<pid>/status` field in MB (VmHWM = peak resident set, VmRSS = current). */
export async function statusMb(pid: number, field: 'VmHWM' | 'VmRSS'): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1];
  if (kb === undefined) throw new Error(`/proc/${pid}/status has no ${field}`);
  return Number(kb) / 1024;
}

/** Starts the whole set-up; on any failure stops what was already started before rethrowing. */
export async function startDifferencesFixture(files: number): Promise<DifferencesFixture> {
  const shellEntry = join(repoRoot, 'build/main/src-main/web/start.js');
  const rendererIndex = join(repoRoot, 'build/renderer/index.html');
  if (!existsSync(shellEntry) || !existsSync(rendererIndex))
    throw new Error(
      'The app is not built (build/main or build/renderer is missing): run `npm run build` first.',
    );
  const servers: SshdServer[] = [];
  let shell: RunningShell | null = null;
  let rpc: ShellRpc | null = null;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    rpc?.close();
    await shell?.stop().catch(() => undefined);
    await Promise.all(servers.map((s) => s.stop().catch(() => undefined)));
    await Promise.all(servers.map((s) => rm(s.baseDir, { recursive: true, force: true })));
  };
  try {
    servers.push(...(await Promise.all([startSshd(), startSshd()])));
    const [primary, secondary] = servers as [SshdServer, SshdServer];
    const primaryRoot = join(primary.dataRoot, 'conf');
    const secondaryRoot = join(secondary.dataRoot, 'conf');
    await mkdir(primaryRoot, { recursive: true });
    await mkdir(secondaryRoot, { recursive: true });
    const folders = await makeFlatTree(primaryRoot, files);
    shell = await startShellProcess();
    const shellPid = await findShellPid(shell.dataDir);
    rpc = await connectRpc(shell);
    await provision(
      rpc,
      [
        { name: PRIMARY, role: 'primary', sshd: primary, root: primaryRoot },
        { name: SECONDARY, role: 'secondary', sshd: secondary, root: secondaryRoot },
      ],
      primary.clientKey.privateKeyPath,
    );
    const setName = 'bench-differences';
    await rpc.call('sets.save', { set: { name: setName, items: [{ path: '${CONFIG_ROOT}' }] } });
    return { shell, rpc, shellPid, setName, files, folders, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
