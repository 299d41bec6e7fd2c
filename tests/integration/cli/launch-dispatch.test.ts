import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cliArgsOfLaunch, runLaunchAsCli } from '../../../src-main/cli/launch-dispatch.js';
import { parseExecStart } from '../../../src-main/service-install/systemd-unit.js';
import { startSshd, type SshdServer } from '../../support/sshd.js';
import { makeTempDir } from '../../support/temp.js';
import { runCliIn, type CliRun, serverAddArgs } from '../../support/cli.js';

const app = '/opt/ConfigSync/configsync';

describe('which launches of the installed app are command-line use', () => {
  it('a command, --store or help is CLI use; a bare start, or one with only Chromium/OS switches, is the window', () => {
    const packaged = { packaged: true };
    expect(cliArgsOfLaunch([app, 'sync', '--set', 'app', '--yes'], packaged)).toEqual([
      'sync',
      '--set',
      'app',
      '--yes',
    ]);
    expect(cliArgsOfLaunch([app, '--store', '/s', 'status'], packaged)).toEqual(['--store', '/s', 'status']);
    expect(cliArgsOfLaunch([app, '--no-sandbox', 'service', 'status'], packaged)).toEqual([
      'service',
      'status',
    ]);
    expect(cliArgsOfLaunch([app, '--help'], packaged)).toEqual(['--help']);
    expect(cliArgsOfLaunch([app], packaged)).toBeNull();
    expect(cliArgsOfLaunch([app, '--no-sandbox'], packaged)).toBeNull();
    expect(
      cliArgsOfLaunch(['/Applications/ConfigSync.app/Contents/MacOS/ConfigSync', '-psn_0_12345'], packaged),
    ).toBeNull();
    expect(cliArgsOfLaunch([app, 'https://example.invalid/'], packaged)).toBeNull();
    // Unpackaged (`electron .`): the app folder comes second.
    expect(
      cliArgsOfLaunch(['/x/electron', '/src/configsync', 'status', '--json'], { packaged: false }),
    ).toEqual(['status', '--json']);
    expect(cliArgsOfLaunch(['/x/electron', '/src/configsync'], { packaged: false })).toBeNull();
  });
});

describe('the Electron entry’s CLI dispatch, under Node: same commands, output and exit codes as the npm CLI (real sshd)', () => {
  let primary: SshdServer;
  let second: SshdServer;
  let store: string;
  let cleanup: () => Promise<void>;
  const root = (s: SshdServer) => join(s.dataRoot, 'etc-app');

  /** What the Electron main process does with its argv (the binary first), collected. */
  async function launch(...args: string[]): Promise<CliRun> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runLaunchAsCli([app, '--store', store, ...args], {
      packaged: true,
      io: { out: (s) => out.push(s), err: (s) => err.push(s) },
      selfCommand: [app],
    });
    if (code === null) throw new Error('not dispatched as CLI use');
    return { code, out: out.join('\n'), err: err.join('\n') };
  }

  beforeAll(async () => {
    [primary, second] = await Promise.all([startSshd(), startSshd()]);
    const tmp = await makeTempDir();
    cleanup = tmp.cleanup;
    store = join(tmp.dir, 'store');
    await mkdir(root(primary), { recursive: true });
    await writeFile(join(root(primary), 'app.conf'), 'x=1\n');
    await mkdir(root(second), { recursive: true });
    for (const [s, name, role] of [
      [primary, 'prim', 'primary'],
      [second, 'sec', 'secondary'],
    ] as const) {
      const r = await runCliIn(store, ...serverAddArgs(s, name, role, root(s)));
      expect(r.code, r.err).toBe(0);
    }
  });
  afterAll(async () => {
    await Promise.all([primary?.stop(), second?.stop()]);
    await cleanup?.();
  });

  it('help, usage errors and a listing print the same and exit the same', async () => {
    for (const args of [['--help'], ['sync', '--help'], ['nonsense'], ['servers', 'list'], ['sets', 'list']])
      expect(await launch(...args)).toEqual(await runCliIn(store, ...args));
    const added = await launch('sets', 'add', '--name', 'app', '--path', '${ROOT}');
    expect(added.code, added.err).toBe(0);
    expect((await runCliIn(store, 'sets', 'list')).out).toMatch(/app/);
    expect((await launch('nonsense')).code).toBe(2);
  });

  it('plan exits 10, sync without --yes or a terminal 2 (usage) and changes nothing, sync --set app --yes 0 and applies', async () => {
    const plan = await launch('plan', '--set', 'app');
    expect(plan.code).toBe(10);
    expect(plan).toEqual(await runCliIn(store, 'plan', '--set', 'app'));
    const refused = await launch('sync', '--set', 'app');
    expect(refused.code).toBe(2);
    expect(refused).toEqual(await runCliIn(store, 'sync', '--set', 'app'));
    await expect(readFile(join(root(second), 'app.conf'), 'utf8')).rejects.toThrow();
    const sync = await launch('sync', '--set', 'app', '--yes');
    expect(sync.code, sync.err).toBe(0);
    expect(await readFile(join(root(second), 'app.conf'), 'utf8')).toBe('x=1\n');
    const again = await launch('plan', '--set', 'app');
    expect(again.code).toBe(0);
    expect(again).toEqual(await runCliIn(store, 'plan', '--set', 'app'));
  });

  it('a service installed from the app runs the app itself', async () => {
    const unit = await launch('service', 'install', '--print', '--allow-root');
    expect(unit.code, unit.err).toBe(0);
    const exec = unit.out.split('\n').find((l) => l.startsWith('ExecStart=')) ?? '';
    expect(parseExecStart(exec)).toEqual([app, '--store', store, 'scheduler', '--service']);
  });
});
