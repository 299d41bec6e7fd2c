import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { lstat, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exitCodeHelp } from '../../../src-shared/errors.js';
import { startSshd, type SshdServer } from '../../support/sshd.js';
import { makeTempDir } from '../../support/temp.js';
import { runCliIn, type CliRun, serverAddArgs } from '../../support/cli.js';

const run = promisify(execFile);

type Report = {
  status: string;
  code?: string;
  filesWritten: number;
  warnings?: Array<{ path: string; message: string }>;
};

// Exit 9: a run that did everything it could but left entries on a destination it can neither carry
// nor replace (here a FIFO a mirror sync would have to delete): listed, and the rest is applied.
describe('configsync sync exits 9 for a bad entry on a destination', () => {
  let primary: SshdServer;
  let second: SshdServer;
  let store: string;
  let cleanup: () => Promise<void>;
  const root = (s: SshdServer) => join(s.dataRoot, 'etc-app');
  const cli = (...args: string[]): Promise<CliRun> => runCliIn(store, ...args);

  beforeAll(async () => {
    [primary, second] = await Promise.all([startSshd(), startSshd()]);
    const tmp = await makeTempDir();
    cleanup = tmp.cleanup;
    store = join(tmp.dir, 'store');
    await mkdir(root(primary), { recursive: true });
    await writeFile(join(root(primary), 'main.cf'), 'relayhost = mail\n');
    await mkdir(root(second), { recursive: true });
    await writeFile(join(root(second), 'main.cf'), 'relayhost = old\n');
    const add = (s: SshdServer, name: string, role: string) => cli(...serverAddArgs(s, name, role, root(s)));
    expect((await add(primary, 'prim', 'primary')).code).toBe(0);
    expect((await add(second, 'sec', 'secondary')).code).toBe(0);
    expect((await cli('sets', 'add', '--name', 'mail', '--path', '${ROOT}', '--mode', 'mirror')).code).toBe(
      0,
    );
  });
  afterAll(async () => {
    await Promise.all([primary?.stop(), second?.stop()]);
    await cleanup?.();
  });

  it('says what 9 means in --help, from the error table', async () => {
    const help = await cli('sync', '--help');
    expect(help.out).toContain(
      '9 a run completed but left entries on a destination it cannot carry, each listed',
    );
    expect(exitCodeHelp()).toContain(' 9  a run completed but left entries on a destination it cannot carry');
    expect((await cli('--help')).out).toContain(exitCodeHelp());
  });

  it('a FIFO on the destination is left and listed, the rest applied: exit 9, again when nothing else differs', async () => {
    await run('mkfifo', [join(root(second), 'queue.fifo')]);
    const sync = await cli('sync', '--set', 'mail', '--yes', '--json');
    expect(sync.code).toBe(9);
    const record = JSON.parse(sync.out) as { reports: Report[] };
    expect(record.reports).toHaveLength(1);
    const r = record.reports[0] as Report;
    expect(r).toMatchObject({ status: 'completed', code: 'BAD_ENTRY', filesWritten: 1 });
    expect(r.warnings).toEqual([
      { path: 'queue.fifo', message: expect.stringMatching(/^left on the destination: a FIFO/) },
    ]);
    expect(await readFile(join(root(second), 'main.cf'), 'utf8')).toBe('relayhost = mail\n');
    expect((await lstat(join(root(second), 'queue.fifo'))).isFIFO()).toBe(true);

    // Nothing else differs: the run changes nothing and still says the destination is not a copy.
    const again = await cli('sync', '--set', 'mail', '--yes');
    expect(again.code).toBe(9);
    expect(again.err).toMatch(/sec: queue\.fifo: left on the destination: a FIFO/);

    // Once it is gone, the set is an exact copy: 0.
    await rm(join(root(second), 'queue.fifo'));
    expect((await cli('sync', '--set', 'mail', '--yes')).code).toBe(0);
  });

  it('a FIFO on the source is skipped with its reason but is no bad entry on a destination: exit 0', async () => {
    await run('mkfifo', [join(root(primary), 'source.fifo')]);
    await writeFile(join(root(primary), 'main.cf'), 'relayhost = newer\n');
    const sync = await cli('sync', '--set', 'mail', '--yes', '--json');
    expect(sync.code).toBe(0);
    const r = (JSON.parse(sync.out) as { reports: Report[] }).reports[0] as Report;
    expect(r.code).toBeUndefined();
    expect(await readFile(join(root(second), 'main.cf'), 'utf8')).toBe('relayhost = newer\n');
    await rm(join(root(primary), 'source.fifo'));
  });
});
