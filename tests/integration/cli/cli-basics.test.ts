import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { runCli } from '../../../src-main/cli/main.js';
import { makeTempDir } from '../../support/temp.js';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (s: string) => out.push(s), err: (s: string) => err.push(s) } };
}

describe('configsync CLI basics', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    await Promise.all(cleanups.splice(0).map((c) => c()));
  });

  it('info --json reports the store it was pointed at with --store', async () => {
    const tmp = await makeTempDir();
    cleanups.push(tmp.cleanup);
    const t = io();
    expect(await runCli(['--store', join(tmp.dir, 's'), 'info', '--json'], t.io)).toBe(0);
    const info = JSON.parse(t.out.join('\n')) as { storePath: string; shell: string };
    expect(info.storePath).toBe(join(tmp.dir, 's', 'config.json'));
    expect(info.shell).toBe('cli');
  });

  it('says what is wrong with exit code 2 for an unknown command or option', async () => {
    const tmp = await makeTempDir();
    cleanups.push(tmp.cleanup);
    const a = io();
    expect(await runCli(['--store', tmp.dir, 'frobnicate'], a.io)).toBe(2);
    expect(a.err.join('\n')).toMatch(/Unknown command "frobnicate"/);
    const b = io();
    expect(await runCli(['--store', tmp.dir, 'info', '--bogus'], b.io)).toBe(2);
    expect(b.err.join('\n')).toMatch(/bogus/);
  });

  it('prints help for the tool and for each command', async () => {
    const a = io();
    expect(await runCli(['--help'], a.io)).toBe(0);
    expect(a.out.join('\n')).toMatch(/Usage: configsync/);
    const b = io();
    expect(await runCli(['info', '--help'], b.io)).toBe(0);
    expect(b.out.join('\n')).toMatch(/--json/);
  });
});
