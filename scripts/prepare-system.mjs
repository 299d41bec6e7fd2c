// The front door of `npm test` on a fresh machine: the npm dependencies and the system packages the
// tests use (scripts/ci-deps.sh says which: sshd, Chromium, rsync, …). What is missing is installed when
// this can be done without asking (root with apt, or sudo without a password); otherwise it stops at once
// and names the one command to run. Run alone: `node scripts/prepare-system.mjs` (exit 0 ready, 1 not).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const depsScript = 'scripts/ci-deps.sh';
export const installCommand = `sudo bash ${depsScript}`;

function missingSystemPackages() {
  const r = spawnSync('/bin/bash', [depsScript, '--check'], { cwd: root, encoding: 'utf8' });
  if (r.status === 0) return [];
  const named = (r.stdout ?? '')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return named.length
    ? named
    : [`(${depsScript} --check failed: ${(r.stderr ?? r.error?.message ?? '').trim()})`];
}

/** Root, or sudo that does not ask for a password: then the packages can be installed here and now. */
function canInstall() {
  if (process.getuid?.() === 0) return true;
  const r = spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' });
  return r.status === 0;
}

/**
 * Gets the machine ready for the tests, or says why it cannot: `{ ok: true }`, or `{ ok: false, message }`
 * naming what is missing and the command that installs it.
 */
export function prepareSystem(log = (s) => console.log(s)) {
  if (!existsSync(`${root}node_modules/.package-lock.json`)) {
    log('▶ npm dependencies are not installed: npm ci');
    const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) return { ok: false, message: 'npm ci failed; run it and read its error: npm ci' };
  }
  let missing = missingSystemPackages();
  if (missing.length === 0) return { ok: true };
  if (!canInstall())
    return {
      ok: false,
      message: `The tests need system packages that are not installed: ${missing.join(', ')}.\nRun once: ${installCommand}`,
    };
  log(`▶ installing what the tests need: ${missing.join(', ')} (bash ${depsScript})`);
  spawnSync('/bin/bash', [depsScript], { cwd: root, stdio: 'inherit' });
  missing = missingSystemPackages();
  if (missing.length === 0) return { ok: true };
  return {
    ok: false,
    message: `Still missing after installing: ${missing.join(', ')}.\nRun and read its errors: ${installCommand}`,
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const r = prepareSystem();
  if (!r.ok) console.error(r.message);
  process.exit(r.ok ? 0 : 1);
}
