// `npm run bench [-- --quick] [-- --only NAME]`: ConfigSync (through its CLI, as a user runs it) against
// `rsync -a --delete` over the same loopback sshd, alternating A B A B, printing medians and ratios.
import { mkdir, writeFile, appendFile, utimes, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { startSshd, type SshdServer } from '../tests/support/sshd.js';
import { generateBigFile, generateTree, seededBytes } from './trees.js';
import { median, timed, type Sample } from './measure.js';
import { addServer, assertSameTree, cli, cliEntry, sshCommand, useLocalAsPrimary, wipe } from './setup.js';

const { values: opts } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, only: { type: 'string' }, runs: { type: 'string' } },
  strict: true,
});
const quick = opts.quick;
const runs = Number(opts.runs ?? (quick ? 2 : 3));
const size = quick
  ? { small: 300, big: 2000, bigFile: 8 << 20, fanOut: 3, manyChanged: [400] }
  : { small: 10_000, big: 100_000, bigFile: 512 << 20, fanOut: 10, manyChanged: [10_000, 50_000] };

type Row = {
  scenario: string;
  configsync: number;
  rsync: number;
  ratio: number;
  target: string;
  met: boolean;
  configsyncRssMb: number | null;
  note?: string;
};
const rows: Row[] = [];
const servers: SshdServer[] = [];
const work = await mkdtemp(join(tmpdir(), 'configsync-bench-'));

/** A, B, A, B…: each side's samples, so background noise hits both alike. */
async function alternate(
  a: () => Promise<Sample>,
  b: () => Promise<Sample>,
  before?: () => Promise<void>,
  /** After A's last run, before anything else (the oracle where `before` wipes A's copy). */
  afterA?: () => Promise<void>,
): Promise<[Sample[], Sample[]]> {
  const as: Sample[] = [];
  const bs: Sample[] = [];
  // Each run starts with the disk flushed: the previous run's (or wipe's) writeback is not billed to it.
  const settle = async () => {
    await before?.();
    execFileSync('sync');
  };
  for (let i = 0; i < runs; i++) {
    await settle();
    as.push(await a());
    if (i === runs - 1) await afterA?.();
    await settle();
    bs.push(await b());
  }
  return [as, bs];
}

function record(scenario: string, as: Sample[], bs: Sample[], targetRatio: number, note?: string): void {
  const c = median(as.map((s) => s.seconds));
  const r = median(bs.map((s) => s.seconds));
  const rss = as.map((s) => s.peakRssMb ?? 0);
  const row: Row = {
    scenario,
    configsync: c,
    rsync: r,
    ratio: c / r,
    target: `≤ ${targetRatio.toFixed(1)}×`,
    met: c / r <= targetRatio,
    configsyncRssMb: rss.length ? Math.max(...rss) : null,
    ...(note ? { note } : {}),
  };
  rows.push(row);
  console.log(
    `${scenario.padEnd(34)} configsync ${c.toFixed(2)} s  rsync ${r.toFixed(2)} s  ratio ${row.ratio.toFixed(2)} (${row.target}${row.met ? ', met' : ', MISSED'})  peak RSS ${row.configsyncRssMb?.toFixed(0)} MB`,
  );
}

const want = (name: string) => !opts.only || name.includes(opts.only);
const rsync = (src: string, s: SshdServer, dest: string, extra: string[] = []) => () =>
  timed('rsync', ['-a', '--delete', ...extra, '-e', sshCommand(s), `${src}/`, `${s.user}@${s.host}:${dest}/`]);
// The cold rows run the CLI alone even if some scheduler of that store answers (CONFIGSYNC_HANDOVER=0).
const configsync = (store: string, ...args: string[]) => () =>
  timed(process.execPath, [cliEntry, '--store', store, ...args], { CONFIGSYNC_HANDOVER: '0' });
/** The same CLI command, handed to the store's running scheduler when one answers (as from a terminal). */
const configsyncWarm = (store: string, ...args: string[]) => () => timed(process.execPath, [cliEntry, '--store', store, ...args]);

/**
 * `configsync scheduler` started once for a store, as a user leaves it running (or the service runs it):
 * resolves once it serves the store's CLI on `<store>/cli.sock`; stop() ends it with SIGTERM.
 */
async function startScheduler(store: string): Promise<{ stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [cliEntry, '--store', store, 'scheduler'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const end = Date.now() + 30_000;
  while (!(/Stop with Ctrl\+C/.test(out) && existsSync(join(store, 'cli.sock')))) {
    if (child.exitCode !== null || Date.now() > end) throw new Error(`configsync scheduler did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

async function localToOne(label: string, files: number, meanSize: number): Promise<void> {
  if (!['initial', 'nochange', 'onechanged', 'warm-nochange', 'warm-onechanged', 'checksum', 'mainloop'].some((s) => want(`${label}-${s}`) && (s !== 'mainloop' || files === size.big))) return;
  const src = join(work, `${label}-src`);
  const stats = await generateTree(src, { files, meanSize, perDir: 100, seed: files });
  console.log(`\n# ${label}: ${stats.files} files, ${(stats.bytes / 1e6).toFixed(0)} MB, local → one sshd`);
  const s = await startSshd();
  servers.push(s);
  const store = join(work, `${label}-store`);
  const destA = join(s.dataRoot, 'configsync');
  const destB = join(s.dataRoot, 'rsync');
  await useLocalAsPrimary(store, src);
  await addServer(store, 'dest', s, 'secondary', destA);
  await cli(store, 'sets', 'add', '--name', 'bench', '--path', '${ROOT}');
  const syncA = configsync(store, 'sync', '--set', 'bench', '--yes', '--confirm-guards');
  const syncB = rsync(src, s, destB);
  if (want(`${label}-initial`)) {
    const [a, b] = await alternate(syncA, syncB, async () => {
      await wipe(destA);
      await wipe(destB);
      await cli(store, 'servers', 'list'); // keeps both sides' caches equally cold: nothing to warm
    });
    record(`${label} initial`, a, b, 0.8);
  }
  await syncA();
  await syncB();
  await assertSameTree(`${label}, after the first copy`, src, s, destA);
  if (want(`${label}-nochange`)) {
    const [a, b] = await alternate(syncA, syncB);
    record(`${label} no change`, a, b, 1.0);
    const [pa, pb] = await alternate(configsync(store, 'plan', '--set', 'bench'), rsync(src, s, destB, ['-n']));
    record(`${label} plan only (rsync -n)`, pa, pb, 1.0);
  }
  if (want(`${label}-onechanged`) && files <= 20_000) {
    let n = 0;
    const touchOne = async () => {
      const f = join(src, 'group-0', 'conf-0', 'item-0.conf');
      await writeFile(f, seededBytes(`change-${n++}`, 4096));
      const t = new Date(Date.now() - 1000 * (100 - n));
      await utimes(f, t, t);
    };
    const a: Sample[] = [];
    const b: Sample[] = [];
    for (let i = 0; i < runs; i++) {
      await touchOne();
      a.push(await syncA());
      b.push(await syncB());
    }
    record(`${label} one file changed`, a, b, 1.0);
    await assertSameTree(`${label}, one file changed`, src, s, destA);
  }
  if (['nochange', 'onechanged'].some((x) => want(`${label}-warm-${x}`))) await warmRows(label, store, src, s, destB, files);
  if (want(`${label}-mainloop`) && files === size.big) await mainLoop(label, store, src);
  if (want(`${label}-checksum`) && files <= 20_000) {
    await cli(store, 'sets', 'add', '--name', 'bench', '--path', '${ROOT}', '--compare', 'checksum');
    await syncA();
    await syncB();
    const [a, b] = await alternate(configsync(store, 'sync', '--set', 'bench', '--yes'), rsync(src, s, destB, ['--checksum']));
    record(`${label} checksum, no change`, a, b, 1.0);
    await assertSameTree(`${label}, checksum`, src, s, destA);
  }
}

/**
 * The same CLI commands from a terminal while `configsync scheduler` runs on the store: the CLI hands
 * them to it over the store's socket and the scheduler's kept SSH connection serves them (no loading of
 * the app's modules in the CLI, no handshake, login or probe). One run first opens that connection, as
 * the scheduler's first run of the day would; rsync starts cold each time, as it always does.
 */
async function warmRows(label: string, store: string, src: string, s: SshdServer, destB: string, files: number): Promise<void> {
  const scheduler = await startScheduler(store);
  try {
    const syncW = configsyncWarm(store, 'sync', '--set', 'bench', '--yes', '--confirm-guards');
    const syncB = rsync(src, s, destB);
    await syncW();
    if (want(`${label}-warm-nochange`)) {
      const [a, b] = await alternate(syncW, syncB);
      record(`${label} no change, warm (scheduler)`, a, b, 0.5);
      const [pa, pb] = await alternate(configsyncWarm(store, 'plan', '--set', 'bench'), rsync(src, s, destB, ['-n']));
      record(`${label} plan only, warm (scheduler)`, pa, pb, 0.5);
    }
    if (want(`${label}-warm-onechanged`) && files <= 20_000) {
      const a: Sample[] = [];
      const b: Sample[] = [];
      for (let i = 0; i < runs; i++) {
        const f = join(src, 'group-0', 'conf-0', 'item-0.conf');
        await writeFile(f, seededBytes(`warm-change-${i}`, 4096));
        const t = new Date(Date.now() - 1000 * (200 - i));
        await utimes(f, t, t);
        a.push(await syncW());
        b.push(await syncB());
      }
      record(`${label} one file changed, warm (scheduler)`, a, b, 0.5);
    }
  } finally {
    await scheduler.stop();
  }
}

/**
 * The Electron main process's event loop during a plan of the big tree: the app's composition root as
 * the shell builds it, in a process of its own (bench/main-loop-probe.ts), planning the set through the
 * router as an IPC call does; the longest stretch a 1 ms timer waited, for the app's first plan, the
 * next one on its kept connection, and one after a source file changed. No rsync side: the target is
 * an absolute one (≤ 50 ms).
 */
async function mainLoop(label: string, store: string, src: string): Promise<void> {
  const probe = new URL('./main-loop-probe.ts', import.meta.url).pathname;
  const changed = join(src, 'group-0', 'conf-1', 'item-100.conf');
  const blocks: Record<string, { ms: number; blockMs: number }>[] = [];
  for (let i = 0; i < runs; i++) {
    execFileSync('sync');
    const out = execFileSync(process.execPath, ['--import', 'tsx', probe, store, changed], { encoding: 'utf8' });
    blocks.push(JSON.parse(out.trim().split('\n').pop() ?? '{}'));
  }
  for (const [round, title] of [
    ['first', "the app's first plan"],
    ['again', 'the next plan, nothing changed'],
    ['oneChanged', 'a plan after one file changed'],
  ] as const) {
    const block = Math.max(...blocks.map((b) => b[round]?.blockMs ?? Infinity));
    const plan = median(blocks.map((b) => (b[round]?.ms ?? 0) / 1000));
    rows.push({
      scenario: `${label}: main process's longest event-loop block, ${title}`,
      configsync: block / 1000,
      rsync: Number.NaN,
      ratio: Number.NaN,
      target: '≤ 50 ms block',
      met: block <= 50,
      configsyncRssMb: null,
      note: `the plan took ${plan.toFixed(2)} s; the worst of ${runs} runs, in ms: ${block.toFixed(0)}`,
    });
    console.log(`${label} main loop, ${title}: longest block ${block.toFixed(0)} ms (≤ 50 ms${block <= 50 ? ', met' : ', MISSED'}), plan ${plan.toFixed(2)} s`);
  }
}

async function bigFile(): Promise<void> {
  if (!want('bigfile')) return;
  const src = join(work, 'big-src');
  await mkdir(src, { recursive: true });
  await generateBigFile(join(src, 'image.bin'), size.bigFile, 'big');
  console.log(`\n# one ${(size.bigFile / 2 ** 20).toFixed(0)} MiB file, local → one sshd`);
  const s = await startSshd();
  servers.push(s);
  const store = join(work, 'big-store');
  const destA = join(s.dataRoot, 'configsync');
  const destB = join(s.dataRoot, 'rsync');
  await useLocalAsPrimary(store, src);
  await addServer(store, 'dest', s, 'secondary', destA);
  await cli(store, 'sets', 'add', '--name', 'bench', '--path', '${ROOT}');
  const [a, b] = await alternate(
    configsync(store, 'sync', '--set', 'bench', '--yes'),
    rsync(src, s, destB),
    async () => {
      await wipe(destA);
      await wipe(destB);
    },
    () => assertSameTree('one big file', src, s, destA),
  );
  record('one big file initial', a, b, 0.8);
  const pipe = () =>
    timed('sh', ['-c', `cat '${join(src, 'image.bin')}' | ${sshCommand(s)} ${s.user}@${s.host} 'cat > /dev/null'`]);
  const [a2, p] = await alternate(configsync(store, 'sync', '--set', 'bench', '--yes'), pipe, async () => {
    await wipe(destA);
  });
  const c = median(a2.map((x) => x.seconds));
  const raw = median(p.map((x) => x.seconds));
  rows.push({ scenario: 'one big file vs raw ssh pipe', configsync: c, rsync: raw, ratio: c / raw, target: 'throughput ≥ 0.9× pipe (ratio ≤ 1.11)', met: c / raw <= 1 / 0.9, configsyncRssMb: Math.max(...a2.map((x) => x.peakRssMb ?? 0)), note: 'second column is `cat | ssh cat >/dev/null`, not rsync' });
  console.log(`one big file vs raw pipe: configsync ${c.toFixed(2)} s, pipe ${raw.toFixed(2)} s, throughput ${(raw / c).toFixed(2)}× the pipe`);
}

async function remoteToRemote(): Promise<void> {
  if (!want('remote')) return;
  const [a, b] = await Promise.all([startSshd(), startSshd()]);
  servers.push(a, b);
  const src = join(a.dataRoot, 'src');
  await generateTree(src, { files: size.small, meanSize: 5900, perDir: 100, seed: 7 });
  console.log(`\n# remote → remote: ${size.small} files, sshd → sshd`);
  const store = join(work, 'r2r-store');
  await addServer(store, 'prim', a, 'primary', src);
  const destA = join(b.dataRoot, 'configsync');
  const destB = join(b.dataRoot, 'rsync');
  await addServer(store, 'sec', b, 'secondary', destA);
  await cli(store, 'sets', 'add', '--name', 'bench', '--path', '${ROOT}');
  // rsync cannot copy between two remotes itself: the usual way is to run it on the source host.
  const viaSource = () =>
    timed('sh', ['-c', `${sshCommand(a)} ${a.user}@${a.host} "rsync -a --delete -e '${sshCommand(b)}' '${src}/' '${b.user}@${b.host}:${destB}/'"`]);
  const [x, y] = await alternate(
    configsync(store, 'sync', '--set', 'bench', '--yes'),
    viaSource,
    async () => {
      await wipe(destA);
      await wipe(destB);
    },
    () => assertSameTree('remote → remote', src, b, destA, a),
  );
  record('remote → remote initial', x, y, 0.8, 'rsync runs on the source host (ssh source rsync … dest)');
}

async function fanOut(): Promise<void> {
  if (!want('fanout')) return;
  const src = join(work, 'fan-src');
  await generateTree(src, { files: size.small, meanSize: 5900, perDir: 100, seed: 11 });
  const dests = await Promise.all(Array.from({ length: size.fanOut }, () => startSshd()));
  servers.push(...dests);
  console.log(`\n# fan-out: ${size.small} files to ${size.fanOut} secondaries vs ${size.fanOut} sequential rsyncs`);
  const store = join(work, 'fan-store');
  await useLocalAsPrimary(store, src);
  for (const [i, d] of dests.entries()) await addServer(store, `sec-${i}`, d, 'secondary', join(d.dataRoot, 'configsync'));
  await cli(store, 'sets', 'add', '--name', 'bench', '--path', '${ROOT}');
  const sequential = async (): Promise<Sample> => {
    const t0 = process.hrtime.bigint();
    for (const d of dests) await rsync(src, d, join(d.dataRoot, 'rsync'))();
    return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, peakRssMb: null };
  };
  const [x, y] = await alternate(
    configsync(store, 'sync', '--set', 'bench', '--yes'),
    sequential,
    async () => {
      for (const d of dests) {
        await wipe(join(d.dataRoot, 'configsync'));
        await wipe(join(d.dataRoot, 'rsync'));
      }
    },
    async () => {
      for (const [i, d] of dests.entries()) await assertSameTree(`fan-out, secondary ${i}`, src, d, join(d.dataRoot, 'configsync'));
    },
  );
  record(`fan-out to ${size.fanOut} initial`, x, y, 0.5);
}

/** Every file of the tree (as generateTree lays it out). */
function treeFiles(root: string, files: number, perDir = 100): string[] {
  return Array.from({ length: files }, (_, i) =>
    join(root, `group-${Math.floor(i / (perDir * perDir))}`, `conf-${Math.floor(i / perDir) % perDir}`, `item-${i}.conf`),
  );
}

/**
 * Many files changed at once, in mirror mode with backups: ConfigSync backs up every file it overwrites,
 * so the fair yardstick is `rsync -a --delete --backup --backup-dir` (a fresh backup folder per run);
 * plain `rsync -a --delete` is a row of its own. Two kinds of change: every mtime touched (content the
 * same), and a fifth of the files edited.
 */
async function manyChanged(files: number): Promise<void> {
  const label = quick ? `${files} files` : `${files / 1000}k files`;
  if (!['touched', 'edited'].some((k) => want(`${label}-${k}`) || want(`many-${k}`))) return;
  const src = join(work, `many-${files}-src`);
  const stats = await generateTree(src, { files, meanSize: 5900, perDir: 100, seed: files + 3 });
  console.log(`\n# many changed: ${stats.files} files, ${(stats.bytes / 1e6).toFixed(0)} MB, local → one sshd, with backups`);
  const s = await startSshd();
  servers.push(s);
  const store = join(work, `many-${files}-store`);
  const destA = join(s.dataRoot, 'configsync');
  const destB = join(s.dataRoot, 'rsync');
  const destC = join(s.dataRoot, 'rsync-plain');
  await useLocalAsPrimary(store, src);
  await addServer(store, 'dest', s, 'secondary', destA);
  await cli(store, 'sets', 'add', '--name', 'bench', '--path', '${ROOT}');
  const syncA = configsync(store, 'sync', '--set', 'bench', '--yes', '--confirm-guards');
  let backupRun = 0;
  const syncB = () => rsync(src, s, destB, ['--backup', `--backup-dir=${join(s.dataRoot, 'rsync-backups', String(backupRun++))}`])();
  const syncC = rsync(src, s, destC);
  await syncA();
  await syncB();
  await syncC();
  const all = treeFiles(src, files);
  let generation = 0;
  const touchAll = async () => {
    const t = new Date(Date.UTC(2026, 1, 1) + 1000 * ++generation);
    for (const f of all) await utimes(f, t, t);
  };
  const editFifth = async () => {
    generation++;
    const t = new Date(Date.UTC(2026, 2, 1) + 1000 * generation);
    for (let i = generation % 5; i < all.length; i += 5) {
      const f = all[i] as string;
      await appendFile(f, `# edit ${generation}\n`);
      await utimes(f, t, t);
    }
  };
  for (const [kind, change, title] of [
    ['touched', touchAll, 'every mtime touched'],
    ['edited', editFifth, '20 % edited'],
  ] as const) {
    if (!want(`${label}-${kind}`) && !want(`many-${kind}`)) continue;
    const a: Sample[] = [];
    const b: Sample[] = [];
    const c: Sample[] = [];
    // Each side needs the change in front of it: change, then A, B and C each sync it (disk flushed before each).
    for (let i = 0; i < runs; i++) {
      await change();
      for (const [side, into] of [
        [syncA, a],
        [syncB, b],
        [syncC, c],
      ] as const) {
        execFileSync('sync');
        into.push(await side());
      }
    }
    record(`${label} ${title} (vs rsync --backup-dir)`, a, b, 1.0, 'mirror with backups on both sides');
    record(`${label} ${title} (vs plain rsync)`, a, c, 1.0, 'rsync without backups');
    await assertSameTree(`${label} ${title}`, src, s, destA);
  }
}

try {
  const rsyncVersion = execFileSync('rsync', ['--version']).toString().split('\n')[0];
  console.log(`ConfigSync benchmark${quick ? ' (--quick: tiny trees, checks the suite runs; timings mean little)' : ''}`);
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; ${rsyncVersion}; node ${process.versions.node}; ${runs} runs each, medians`);
  await localToOne(quick ? 'small tree' : '10k files', size.small, 5900);
  await localToOne(quick ? 'bigger tree' : '100k files', size.big, 3950);
  await bigFile();
  await remoteToRemote();
  await fanOut();
  for (const n of size.manyChanged) await manyChanged(n);
} finally {
  await Promise.all(servers.map((s) => s.stop()));
  await rm(work, { recursive: true, force: true });
}

const resultsDir = new URL('./results/', import.meta.url).pathname;
await mkdir(resultsDir, { recursive: true });
const stamp = { date: new Date().toISOString(), quick, runs, cpus: cpus().length, cpu: cpus()[0]?.model };
await writeFile(join(resultsDir, quick ? 'quick.json' : 'results.json'), JSON.stringify({ ...stamp, rows }, null, 2));
const md = [
  `| scenario | ConfigSync (s) | rsync (s) | ratio | target | met | ConfigSync peak RSS (MB) |`,
  `|---|---:|---:|---:|---|---|---:|`,
  // A row without an rsync side (the main loop's longest block) shows its figure in seconds to the ms.
  ...rows.map((r) => {
    const alone = Number.isNaN(r.rsync);
    return `| ${r.scenario} | ${r.configsync.toFixed(alone ? 3 : 2)} | ${alone ? '-' : r.rsync.toFixed(2)} | ${alone ? '-' : r.ratio.toFixed(2)} | ${r.target} | ${r.met ? 'yes' : '**no**'} | ${r.configsyncRssMb?.toFixed(0) ?? '-'} |`;
  }),
].join('\n');
await writeFile(join(resultsDir, quick ? 'quick.md' : 'results.md'), `${md}\n`);
await appendFile(join(resultsDir, 'history.jsonl'), `${JSON.stringify({ ...stamp, rows })}\n`);
console.log(`\n${md}`);
process.exit(0);
