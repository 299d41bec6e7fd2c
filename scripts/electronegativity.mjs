// Electronegativity (Doyensec's static scanner for Electron misconfigurations) over the built Electron
// shell: `npm run build:main` first. Fails on any HIGH finding that scripts/electronegativity-allow.json
// does not explain, and on any file the scanner could not parse (unscanned code is not clean code).
// Usage: node scripts/electronegativity.mjs [--input DIR]
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import scan from '@doyensec/electronegativity';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({ options: { input: { type: 'string' } } });
const input = values.input ?? join(root, 'build/main/src-main/electron');
const allowPath = join(root, 'scripts/electronegativity-allow.json');
const reportPath = join(root, 'test-results/electronegativity.json');

// AvailableSecurityFixesGlobalCheck downloads Electron's release list (no network in CI; Electron's
// version is pinned in package.json and moves with dependency updates instead).
const excluded = ['AvailableSecurityFixesGlobalCheck'];

if (!existsSync(input)) {
  console.error(`electronegativity: ${input} is missing; run "npm run build:main" first.`);
  process.exit(1);
}
const electronVersion = JSON.parse(
  readFileSync(join(root, 'node_modules/electron/package.json'), 'utf8'),
).version;

/** @type {Array<{check: string, file: string, code: string, reason: string}>} */
const allow = JSON.parse(readFileSync(allowPath, 'utf8'));
for (const entry of allow)
  if (!entry.check || !entry.file || !entry.code || !entry.reason?.trim())
    throw new Error(
      `${allowPath}: every entry needs check, file, code and a reason (${JSON.stringify(entry)})`,
    );

// The scanner prints a line when its translation download fails (it falls back to English): muted.
const log = console.log;
console.log = (...args) => {
  if (!String(args[0]).startsWith('Could not retrieve updated translations')) log(...args);
};
let result;
try {
  result = await scan({
    input,
    customScan: [],
    excludeFromScan: excluded,
    electronVersionOverride: electronVersion,
    isRelative: false,
  });
} finally {
  console.log = log;
}

/** The built source line a finding points at, to match the allow-list's `code`. */
function sourceLine(file, line) {
  try {
    return readFileSync(file, 'utf8').split('\n')[line - 1] ?? '';
  } catch {
    return '';
  }
}

const used = new Set();
const findings = result.issues.map((issue) => {
  const file = existsSync(issue.file) ? relative(input, issue.file) : issue.file;
  const line = issue.location?.line ?? 0;
  const code = existsSync(issue.file) ? sourceLine(issue.file, line) : '';
  const index = allow.findIndex((a) => a.check === issue.id && a.file === file && code.includes(a.code));
  if (index >= 0) used.add(index);
  return {
    check: issue.id,
    severity: issue.severity.name,
    confidence: issue.confidence.name,
    file,
    line,
    manualReview: Boolean(issue.manualReview),
    allowedBecause: index >= 0 ? allow[index].reason : null,
    description: issue.description,
  };
});
const unparsed = result.errors.filter((e) => !e.tolerable);
const blocking = findings.filter((f) => f.severity === 'HIGH' && !f.allowedBecause);

mkdirSync(join(root, 'test-results'), { recursive: true });
writeFileSync(
  reportPath,
  JSON.stringify({ input, electronVersion, excluded, findings, errors: result.errors }, null, 2),
);

console.log(
  `Electronegativity: ${result.atomicChecks} atomic and ${result.globalChecks} global checks on ${relative(root, input)} (Electron ${electronVersion})`,
);
for (const f of findings) {
  const mark = f.severity === 'HIGH' ? (f.allowedBecause ? 'allowed' : 'BLOCKING') : 'note';
  console.log(`  ${mark.padEnd(8)} ${f.severity.padEnd(13)} ${f.check} ${f.file}:${f.line}`);
  if (f.allowedBecause) console.log(`           ${f.allowedBecause}`);
  else if (mark === 'BLOCKING') console.log(`           ${f.description}`);
}
for (const e of unparsed) console.log(`  BLOCKING could not parse ${e.file}: ${e.message}`);
allow.forEach((a, i) => {
  if (!used.has(i))
    console.log(`  stale allow-list entry (nothing matches it any more): ${a.check} ${a.file}`);
});
console.log(`Report: ${relative(root, reportPath)}`);
if (blocking.length > 0 || unparsed.length > 0) {
  console.error(
    `electronegativity: ${blocking.length} HIGH finding(s) not in the allow-list, ${unparsed.length} file(s) not parsed.`,
  );
  process.exit(1);
}
console.log('electronegativity: no unexplained HIGH finding.');
