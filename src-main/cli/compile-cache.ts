import { createHash } from 'node:crypto';
import {
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import Module from 'node:module';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import vm from 'node:vm';

/**
 * Where the CLI keeps V8's compiled code of its bundle between runs: the platform's per-user cache
 * folder (`CONFIGSYNC_COMPILE_CACHE=DIR` for another, `=0` for none).
 */
export function compileCacheDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string | null {
  const set = env.CONFIGSYNC_COMPILE_CACHE;
  if (set === '0') return null;
  if (set) return set;
  if (platform === 'win32')
    return join(env.LOCALAPPDATA ?? join(homedir(), 'AppData', 'Local'), 'ConfigSync', 'Cache');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Caches', 'ConfigSync');
  return join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'configsync');
}

/**
 * The folder, made if missing, when only this user can write it: compiled code read from a folder
 * someone else can write would run their code as this user. Null (no cache) otherwise.
 */
function privateFolder(dir: string): string | null {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = lstatSync(dir);
    if (!st.isDirectory()) return null;
    if (process.platform === 'win32' || typeof process.getuid !== 'function') return dir;
    return st.uid === process.getuid() && (st.mode & 0o022) === 0 ? dir : null;
  } catch {
    return null;
  }
}

export type CompileCacheRun = {
  /** none: no cache yet; used: V8 took it; rejected: V8 refused it (another Node, flags or bundle); off. */
  readonly status: 'none' | 'used' | 'rejected' | 'off';
  /** The cache file this run reads and may write. */
  readonly file: string | null;
};

/**
 * Runs a CommonJS bundle (the CLI) as `require` would, but compiled from V8's code cache of an earlier
 * run when there is one: parsing and compiling the 4 MB bundle is most of a cold CLI start (about
 * 70 ms of ~250 here), reading its compiled code a fraction of it. Node 20 has no compile cache of its
 * own (module.enableCompileCache is Node 22), and the require hook that keeps one (v8-compile-cache)
 * caches only the code compiled before the bundle runs, in the shared temp folder. The cache is
 * written at exit when there was none, when V8 refused it, or when a `full` run (one that plans)
 * follows a lighter one, so the functions a plan compiles are in it: atomically, by temp and rename.
 * A cache is only a speed-up: anything wrong with it and the bundle is compiled from its source.
 */
export function runWithCompileCache(
  bundle: string,
  options: { readonly cacheDir: string | null; readonly full: boolean },
): CompileCacheRun {
  const source = readFileSync(bundle, 'utf8').replace(/^#!.*/, '');
  const dir = options.cacheDir ? privateFolder(options.cacheDir) : null;
  let file: string | null = null;
  let cached: Buffer | undefined;
  let cachedFull = false;
  if (dir) {
    const st = statSync(bundle);
    const key = createHash('sha256')
      .update(`${process.version} ${process.arch} ${bundle} ${st.size} ${st.mtimeMs}`)
      .digest('hex')
      .slice(0, 20);
    file = join(dir, `cli-${key}.bin`);
    try {
      const data = readFileSync(file);
      // The first byte says whether a full run wrote it.
      if (data.length > 1) {
        cachedFull = data[0] === 1;
        cached = data.subarray(1);
      }
    } catch {
      cached = undefined;
    }
  }
  const script = new vm.Script(Module.wrap(source), {
    filename: bundle,
    ...(cached ? { cachedData: cached } : {}),
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const rejected = cached !== undefined && script.cachedDataRejected === true;
  const status = !file ? 'off' : cached === undefined ? 'none' : rejected ? 'rejected' : 'used';
  if (file && (status !== 'used' || (options.full && !cachedFull))) {
    const target = file;
    process.once('exit', () => writeCache(script, target, options.full));
  }
  const run = script.runInThisContext() as (
    exports: unknown,
    require: NodeJS.Require,
    module: { exports: unknown },
    filename: string,
    dirname: string,
  ) => void;
  const mod = { exports: {} };
  run.call(mod.exports, mod.exports, createRequire(bundle), mod, bundle, dirname(bundle));
  return { status, file };
}

function writeCache(script: vm.Script, file: string, full: boolean): void {
  try {
    const data = script.createCachedData();
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, Buffer.concat([Buffer.from([full ? 1 : 0]), data]), { mode: 0o600 });
    renameSync(temp, file);
    // The caches of earlier builds (and Node versions) are of no use any more.
    const dir = dirname(file);
    for (const name of readdirSync(dir))
      if (/^cli-[0-9a-f]+\.bin$/.test(name) && name !== basename(file))
        rmSync(join(dir, name), { force: true });
  } catch {
    // No cache this time: the next run compiles from the source again.
  }
}
