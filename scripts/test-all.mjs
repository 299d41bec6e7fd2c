// The README's test command (`npm test`): on a fresh machine it first installs what the tests need
// (scripts/prepare-system.mjs), then type-check, lint, build, the Electronegativity scan of the
// Electron shell, unit + integration tests (real sshd),
// the faults suite (real tmpfs, bind mounts, network namespaces), end-to-end tests (browser shell in
// Debian's Chromium) and the benchmark suite's quick mode.
// Ends with one line `N passed, N failed` counting every test and check.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { prepareSystem } from './prepare-system.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const results = `${root}test-results`;
let passed = 0;
let failed = 0;
const lines = [];

function run(label, cmd, args) {
  console.log(`\n▶ ${label}: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: process.env });
  return r.status === 0;
}

function check(label, cmd, args) {
  const ok = run(label, cmd, args);
  if (ok) passed++;
  else failed++;
  lines.push(`${ok ? 'ok  ' : 'FAIL'} ${label}`);
  return ok;
}

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}

// First seconds: the npm dependencies and the system packages (installed here when that needs no
// password), or a stop naming the one command to run.
const ready = prepareSystem();
if (!ready.ok) {
  console.error(`\n${ready.message}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}
mkdirSync(results, { recursive: true });

check('typecheck', 'npm', ['run', '--silent', 'typecheck']);
check('lint', 'npm', ['run', '--silent', 'lint']);
const built = check('build', 'npm', ['run', '--silent', 'build']);
// Static scan of the built Electron shell (Electronegativity): HIGH findings fail unless explained in
// scripts/electronegativity-allow.json.
if (built) check('electronegativity', 'node', ['scripts/electronegativity.mjs']);
else {
  failed++;
  lines.push('FAIL electronegativity skipped: the build failed');
}

/** The failed tests of a vitest JSON report: file (relative), full name, first line of the error. */
function failuresOf(report) {
  const out = [];
  for (const f of report.testResults ?? [])
    for (const a of f.assertionResults ?? [])
      if (a.status === 'failed')
        out.push({
          file: f.name.startsWith(root) ? f.name.slice(root.length) : f.name,
          name: a.fullName,
          why: String(a.failureMessages?.[0] ?? '').split('\n')[0].slice(0, 200),
        });
  return out;
}

/**
 * Runs one vitest suite with a JSON report and counts its tests. A test that failed is run once more
 * with its file alone: if it passes then, it is listed as flaky (with the error it first gave) and not
 * counted as failed; if it fails again, it counts as failed. Both kinds are named in the summary.
 */
function vitestSuite(label, config, reportName) {
  const json = `${results}/${reportName}`;
  rmSync(json, { force: true });
  const ok = run(label, 'npx', [
    'vitest', 'run', '--config', config,
    '--reporter=default', '--reporter=json', `--outputFile.json=${json}`,
  ]);
  const v = readJson(json);
  if (!v) {
    failed++;
    lines.push(`FAIL ${label}: no report`);
    return;
  }
  let failures = failuresOf(v);
  const flaky = [];
  if (failures.length) {
    const files = [...new Set(failures.map((f) => f.file))];
    const again = `${results}/again-${reportName}`;
    rmSync(again, { force: true });
    run(`${label}, the failed files once more`, 'npx', [
      'vitest', 'run', '--config', config,
      '--reporter=default', '--reporter=json', `--outputFile.json=${again}`, ...files,
    ]);
    const r = readJson(again);
    const stillFailing = new Set(r ? failuresOf(r).map((f) => `${f.file}\0${f.name}`) : []);
    const passedAgain = new Set();
    for (const f of r?.testResults ?? [])
      for (const a of f.assertionResults ?? [])
        if (a.status === 'passed') passedAgain.add(`${f.name.startsWith(root) ? f.name.slice(root.length) : f.name}\0${a.fullName}`);
    for (const f of failures) {
      const key = `${f.file}\0${f.name}`;
      if (passedAgain.has(key) && !stillFailing.has(key)) flaky.push(f);
    }
    failures = failures.filter((f) => !flaky.includes(f));
  }
  const nFailed = failures.length;
  passed += v.numPassedTests + flaky.length;
  failed += nFailed;
  lines.push(`${nFailed ? 'FAIL' : 'ok  '} ${label}: ${v.numPassedTests + flaky.length} passed, ${nFailed} failed, ${v.numPendingTests} skipped${flaky.length ? ` (${flaky.length} flaky: failed, then passed alone)` : ''}`);
  for (const f of failures) lines.push(`       failed: ${f.file} › ${f.name}: ${f.why}`);
  for (const f of flaky) lines.push(`       flaky:  ${f.file} › ${f.name}: ${f.why}`);
  if (!ok && v.numFailedTests === 0) {
    failed++;
    lines.push(`FAIL ${label} exited non-zero (a suite failed to load?)`);
  }
}

vitestSuite('unit + integration tests', 'tests/vitest.config.ts', 'vitest-report.json');
// Faults need root (tmpfs and bind mounts, network namespaces), as CI and this machine have.
vitestSuite('faults suite', 'tests/faults/vitest.config.ts', 'faults-report.json');

/** Every test of a Playwright JSON report: its file and title, its outcome, the first line of its first error. */
function e2eTests(report) {
  const out = [];
  const walk = (suite, path) => {
    for (const spec of suite.specs ?? [])
      for (const t of spec.tests ?? []) {
        const err = (t.results ?? []).map((r) => r.error?.message).find(Boolean) ?? '';
        out.push({
          title: `${spec.file ?? path} › ${spec.title}`,
          status: t.status,
          why: String(err).split('\n')[0].slice(0, 200),
        });
      }
    for (const s of suite.suites ?? []) walk(s, suite.file ?? path);
  };
  for (const s of report.suites ?? []) walk(s, s.file ?? '');
  return out;
}

const e2eJson = `${results}/e2e-report.json`;
rmSync(e2eJson, { force: true });
if (built) {
  const e2eOk = run('end-to-end tests', 'npx', ['playwright', 'test', '--config', 'tests/e2e/playwright.config.ts']);
  const p = readJson(e2eJson);
  if (p?.stats) {
    const bad = p.stats.unexpected;
    const flaky = p.stats.flaky ?? 0;
    passed += p.stats.expected + flaky;
    failed += bad;
    lines.push(`${bad ? 'FAIL' : 'ok  '} playwright: ${p.stats.expected + flaky} passed, ${bad} failed, ${p.stats.skipped} skipped${flaky ? ` (${flaky} flaky: failed, then passed on its retry)` : ''}`);
    for (const t of e2eTests(p)) if (t.status !== 'expected' && t.status !== 'skipped') lines.push(`       ${t.status === 'flaky' ? 'flaky: ' : 'failed:'} ${t.title}: ${t.why}`);
    if (!e2eOk && bad === 0) {
      failed++;
      lines.push('FAIL playwright exited non-zero');
    }
  } else {
    failed++;
    lines.push('FAIL playwright produced no report');
  }
} else {
  lines.push('FAIL e2e skipped: the build failed');
  failed++;
}

if (existsSync(`${root}bench/run.mjs`) || existsSync(`${root}bench/run.ts`)) {
  check('benchmark suite (--quick, checks it runs, not its timings)', 'npm', ['run', '--silent', 'bench', '--', '--quick']);
  if (built)
    check('Differences page benchmark (--quick, checks it runs)', 'npx', ['tsx', 'bench/differences-page.ts', '--quick']);
  check('ssh2 pipe benchmark (--quick, checks it runs)', 'npx', ['tsx', 'bench/ssh2-pipe.ts', '--quick']);
}

console.log('\nSummary:');
for (const l of lines) console.log(`  ${l}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
