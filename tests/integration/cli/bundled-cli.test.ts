import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startSshd, type SshdServer } from '../../support/sshd.js';
import { makeTempDir } from '../../support/temp.js';

const run = promisify(execFile);
const repo = new URL('../../../', import.meta.url).pathname;
const entry = join(repo, 'build/cli/configsync.mjs');

/** Runs the bundled CLI as the installed `configsync` command runs it: its own process, exit code kept. */
async function configsync(
  store: string,
  ...args: string[]
): Promise<{ code: number; out: string; err: string }> {
  try {
    const r = await run(process.execPath, [entry, '--store', store, ...args], { encoding: 'utf8' });
    return { code: 0, out: r.stdout, err: r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? -1, out: err.stdout ?? '', err: err.stderr ?? '' };
  }
}

describe('the bundled CLI (build/cli/configsync.mjs, what `configsync` runs)', () => {
  let server: SshdServer;
  let store: string;
  let src: string;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    // Built here, from the current sources, so the test never checks a stale bundle.
    await run(process.execPath, [join(repo, 'scripts/bundle-cli.mjs')]);
    server = await startSshd();
    const tmp = await makeTempDir();
    cleanup = tmp.cleanup;
    store = join(tmp.dir, 'store');
    src = join(tmp.dir, 'src');
    await mkdir(join(src, 'conf.d'), { recursive: true });
    await writeFile(join(src, 'conf.d', 'app.conf'), 'port = 8080\n');
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await cleanup?.();
  });

  it('prints its usage and refuses an unknown command with the usage exit code', async () => {
    const help = await configsync(store, '--help');
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/Usage: configsync/);
    const bad = await configsync(store, 'frobnicate');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/Unknown command "frobnicate"/);
  });

  it('adds a server, plans and syncs a folder to a real sshd, then finds it in sync', async () => {
    const dest = join(server.dataRoot, 'bundled');
    const ok = async (...args: string[]) => {
      const r = await configsync(store, ...args);
      expect(r.code, `${args.join(' ')}: ${r.err}`).toBe(0);
      return r;
    };
    await ok('servers', 'edit', 'local', '--role', 'primary', '--var', `ROOT=${src}`);
    await ok(
      'servers',
      'add',
      '--name',
      'dest',
      '--host',
      server.host,
      '--port',
      String(server.port),
      '--user',
      server.user,
      '--role',
      'secondary',
      '--key-file',
      server.clientKey.privateKeyPath,
      '--fingerprint',
      server.hostKeyFingerprint,
      '--var',
      `ROOT=${dest}`,
    );
    await ok('sets', 'add', '--name', 'app', '--path', '${ROOT}');
    const plan = await configsync(store, 'plan', '--set', 'app');
    expect(plan.code, plan.err).toBe(10);
    expect(plan.out).toMatch(/dest\s+\$\{ROOT\}\s+2\s+0\s+0/);
    const sync = await ok('sync', '--set', 'app', '--yes');
    expect(sync.out).toMatch(/dest\s+completed\s+1\s+0/);
    expect(await readFile(join(dest, 'conf.d', 'app.conf'), 'utf8')).toBe('port = 8080\n');
    expect((await configsync(store, 'plan', '--set', 'app')).code).toBe(0);
  }, 60_000);
});
