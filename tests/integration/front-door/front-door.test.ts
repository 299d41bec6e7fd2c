import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const asRoot = process.getuid?.() === 0;

/** Runs a node script of the repository as `nobody` (not root, no sudo) with a PATH that finds none of the tools. */
function asNobodyWithoutTools(script: string) {
  return spawnSync('runuser', ['-u', 'nobody', '--', 'env', 'PATH=/nonexistent', process.execPath, script], {
    cwd: '/tmp',
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('npm test on a machine that is not ready', () => {
  it.runIf(asRoot)('finds everything ready here (root, packages of scripts/ci-deps.sh installed)', () => {
    const r = spawnSync(process.execPath, ['scripts/prepare-system.mjs'], { cwd: root, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(spawnSync('/bin/bash', ['scripts/ci-deps.sh', '--check'], { cwd: root }).status).toBe(0);
  });

  it.runIf(asRoot)('stops before any test, naming what is missing and the one command to run', () => {
    const prepare = asNobodyWithoutTools(`${root}scripts/prepare-system.mjs`);
    expect(prepare.status).toBe(1);
    expect(prepare.stderr).toMatch(/not installed: .*openssh-client.*rsync/);
    expect(prepare.stderr).toContain('Run once: sudo bash scripts/ci-deps.sh');

    const all = asNobodyWithoutTools(`${root}scripts/test-all.mjs`);
    expect(all.status).toBe(1);
    expect(all.stderr).toContain('Run once: sudo bash scripts/ci-deps.sh');
    expect(all.stdout.trim().split('\n').at(-1)).toBe('0 passed, 1 failed');
    expect(all.stdout).not.toContain('typecheck');
  });
});
