// `npx tsx bench/differences-page.ts [--entries N] [--quick]`: the Synchronize Configurations wizard's
// Differences page with an N-file plan (default 100,000; --quick 2,000 to check that it runs), in
// headless Chromium against the built browser shell, two real sshd behind it. Prints and returns:
// plan time, first rows, interactive, scroll smoothness, and the shell (main) process's peak RSS.
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium, type Browser } from '@playwright/test';
import { SyncWizardPage } from '../tests/e2e/support/sync-wizard-page.js';
import {
  SECONDARY,
  startDifferencesFixture,
  statusMb,
  type DifferencesFixture,
} from './differences-fixture.js';
import { watchFrames } from './differences-frames.js';
import { KEEP_NAMES_SHIM, scrollThrough, whenRows } from './differences-in-page.js';
import { median } from './measure.js';
import { differencesPageTable } from './differences-report.js';

export type FrameStats = {
  readonly frames: number;
  readonly medianMs: number;
  readonly p95Ms: number;
  readonly maxMs: number;
  readonly over50Ms: number;
};

export type DifferencesPageResult = {
  /** Files on the primary, and the rows of the plan (files and their folders). */
  readonly entries: number;
  readonly planRows: number;
  /**
   * Pressing Next on the source page (this process's clock just before Playwright's click, so its
   * actionability checks are in) → the `sync.plan` answer arriving in the page (Chromium's frame time).
   */
  readonly planMs: number;
  /** Plan answer → the first filled rows painted (target < 1 s), and its parts (first page asked, answered). */
  readonly firstRowsMs: number;
  readonly firstPageAskedMs: number | null;
  readonly firstPageAnsweredMs: number | null;
  /**
   * Plan answer → a click on the Create filter, made as soon as this process saw the rows, painted as
   * the filtered rows. An upper bound: it includes the round trip to here and Playwright's checks
   * before it clicks (a few frames).
   */
  readonly interactiveMs: number;
  /**
   * The input event's own time → the frame painting rows that reflect it: filter on, filter off, a
   * path search (typed at once; the page's 250 ms debounce is in it).
   */
  readonly filterOnMs: number;
  readonly filterOffMs: number;
  readonly searchMs: number;
  /** Every frame of the scroll walk, and the fast walk and the slow scroll on their own. */
  readonly scroll: FrameStats & {
    readonly fast: FrameStats;
    readonly slow: FrameStats;
    readonly placeholderFrames: number;
    /** The page's main thread per frame of the walk (DevTools Performance metrics): all its tasks, and script, style and layout in them. */
    readonly perFrame: {
      readonly taskMs: number;
      readonly scriptMs: number;
      readonly styleMs: number;
      readonly layoutMs: number;
    };
    readonly endFilledMs: number | null;
    /** The last row on screen is the plan's last entry (as `sync.entries` gives it) and in view. */
    readonly lastRowOk: boolean;
    readonly lastRowPath: string;
    readonly expectedLastPath: string;
  };
  /** The browser shell process: VmHWM after the page was loaded and scrolled (target < 400 MB), and VmRSS then. */
  readonly mainPeakRssMb: number;
  readonly mainRssMb: number;
  readonly targets: { readonly firstRowsMs: number; readonly mainPeakRssMb: number };
  readonly met: { readonly firstRows: boolean; readonly mainPeakRss: boolean; readonly lastRow: boolean };
};

const TARGET_FIRST_ROWS_MS = 1000;
const TARGET_MAIN_PEAK_RSS_MB = 400;
const now = () => performance.timeOrigin + performance.now();
const percentile = (xs: ReadonlyArray<number>, p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? 0;
};
const round = (n: number) => Math.round(n * 10) / 10;
const frameStats = (xs: ReadonlyArray<number>): FrameStats => ({
  frames: xs.length,
  medianMs: round(median(xs)),
  p95Ms: round(percentile(xs, 95)),
  maxMs: round(Math.max(...xs)),
  over50Ms: xs.filter((t) => t > 50).length,
});

/**
 * Measures the Differences page with a plan of `entries` new files, all of it real (sshd, the built shell
 * process, Chromium). Needs `npm run build` first. Stops everything it started, also on failure.
 */
export async function measureDifferencesPage(options: { entries: number }): Promise<DifferencesPageResult> {
  const fixture: DifferencesFixture = await startDifferencesFixture(options.entries);
  let browser: Browser | null = null;
  try {
    browser = await chromium.launch({
      executablePath: process.env.CONFIGSYNC_CHROMIUM ?? '/usr/bin/chromium',
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.addInitScript({ content: KEEP_NAMES_SHIM });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const frames = await watchFrames(page);
    frames.plan.catch(() => undefined); // awaited after Next; a failure before that is reported there

    await page.goto(fixture.shell.url);
    const w = new SyncWizardPage(page);
    await w.open();
    await w.dialog.getByRole('checkbox', { name: `Synchronize to ${SECONDARY}` }).check();
    const next = w.button('Next');
    await next.waitFor({ state: 'visible' });
    const firstRows = whenRows(page, { panel: SECONDARY, filledRow: true });
    const pressedAt = now();
    await next.click();
    const plan = await Promise.race([
      frames.plan,
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error('no plan after 10 minutes')), 600_000).unref(),
      ),
    ]);
    const target = plan.result.targets[0];
    if (!target?.ok || !target.summary)
      throw new Error(`${SECONDARY} was not planned: ${target?.message ?? 'no target'}`);
    const planRows = Object.values(target.summary.counts).reduce((a, b) => a + b, 0);
    const rows = await firstRows;

    // Interactive: a filter click as soon as the rows show, reflected when the rows are the filtered ones.
    const panel = w.panel(SECONDARY);
    const create = panel.getByTestId('action-filters').getByText(/^Create /);
    const all = `${planRows.toLocaleString('en-US')} entries`;
    const filtered = whenRows(page, {
      panel: SECONDARY,
      shownStartsWith: `${planRows.toLocaleString('en-US')} matching entries`,
      filledRow: true,
      afterInput: true,
    });
    await create.click();
    const on = await filtered;
    const unfiltered = whenRows(page, {
      panel: SECONDARY,
      shownStartsWith: all,
      filledRow: true,
      afterInput: true,
    });
    await create.click();
    const off = await unfiltered;
    const {
      entries: [lastEntry],
    } = await fixture.rpc.call('sync.entries', {
      planId: plan.result.planId,
      targetId: target.targetId,
      offset: planRows - 1,
      limit: 1,
    });
    const expectedLastPath = lastEntry?.path ?? '?';
    const searchBox = panel.getByRole('textbox', { name: 'Search paths' });
    const searched = whenRows(page, {
      panel: SECONDARY,
      shownStartsWith: '1 matching entries',
      filledRow: true,
      afterInput: true,
    });
    await searchBox.fill(expectedLastPath);
    const search = await searched;
    const cleared = whenRows(page, {
      panel: SECONDARY,
      shownStartsWith: all,
      filledRow: true,
      afterInput: true,
    });
    await searchBox.fill('');
    await cleared;

    const perf = await context.newCDPSession(page);
    await perf.send('Performance.enable');
    const metrics = async () =>
      new Map((await perf.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
    const before = await metrics();
    const trace = await scrollThrough(page, {
      panel: SECONDARY,
      frames: 300,
      step: 4000,
      middleFrames: 60,
      total: planRows,
    });
    const after = await metrics();
    // The page's main thread over the walk, per frame: seconds of cumulative time → ms a frame.
    const perFrame = (name: string) =>
      round((((after.get(name) ?? 0) - (before.get(name) ?? 0)) * 1000) / trace.frameMs.length);
    const mainPeakRssMb = await statusMb(fixture.shellPid, 'VmHWM');
    const mainRssMb = await statusMb(fixture.shellPid, 'VmRSS');
    if (errors.length) throw new Error(`the page threw: ${errors.join('; ')}`);

    const firstRowsMs = rows.frameAt - plan.at;
    const lastRowOk =
      trace.lastRowOnScreen && trace.lastRowIndex === planRows && trace.lastRowPath === expectedLastPath;
    const inputMs = (r: { frameAt: number; inputAt: number | null }) =>
      round(r.frameAt - (r.inputAt ?? r.frameAt));
    return {
      entries: options.entries,
      planRows,
      planMs: round(plan.at - pressedAt),
      firstRowsMs: round(firstRowsMs),
      firstPageAskedMs: frames.entriesSentAt === null ? null : round(frames.entriesSentAt - plan.at),
      firstPageAnsweredMs: frames.entriesAt === null ? null : round(frames.entriesAt - plan.at),
      interactiveMs: round(on.frameAt - plan.at),
      filterOnMs: inputMs(on),
      filterOffMs: inputMs(off),
      searchMs: inputMs(search),
      scroll: {
        ...frameStats(trace.frameMs),
        fast: frameStats(trace.frameMs.filter((_, i) => trace.phase[i] === 'fast')),
        slow: frameStats(trace.frameMs.filter((_, i) => trace.phase[i] === 'slow')),
        placeholderFrames: trace.placeholderFrames,
        perFrame: {
          taskMs: perFrame('TaskDuration'),
          scriptMs: perFrame('ScriptDuration'),
          styleMs: perFrame('RecalcStyleDuration'),
          layoutMs: perFrame('LayoutDuration'),
        },
        endFilledMs: trace.endFilledMs === null ? null : round(trace.endFilledMs),
        lastRowOk,
        lastRowPath: trace.lastRowPath,
        expectedLastPath,
      },
      mainPeakRssMb: round(mainPeakRssMb),
      mainRssMb: round(mainRssMb),
      targets: { firstRowsMs: TARGET_FIRST_ROWS_MS, mainPeakRssMb: TARGET_MAIN_PEAK_RSS_MB },
      met: {
        firstRows: firstRowsMs < TARGET_FIRST_ROWS_MS,
        mainPeakRss: mainPeakRssMb < TARGET_MAIN_PEAK_RSS_MB,
        lastRow: lastRowOk,
      },
    };
  } finally {
    await browser?.close().catch(() => undefined);
    await fixture.stop();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { entries: { type: 'string' }, quick: { type: 'boolean', default: false } },
    strict: true,
  });
  const entries = values.quick ? 2000 : Number(values.entries ?? 100_000);
  if (!Number.isInteger(entries) || entries < 1)
    throw new Error(`--entries must be a positive whole number, got ${values.entries}`);
  console.log(
    `Differences page: ${entries.toLocaleString('en-US')} files on the primary${values.quick ? ' (--quick: checks that it runs)' : ''}`,
  );
  const result = await measureDifferencesPage({ entries });
  console.log(differencesPageTable(result));
  const dir = fileURLToPath(new URL('./results/', import.meta.url));
  await mkdir(dir, { recursive: true });
  const file = join(dir, values.quick ? 'differences-page-quick.json' : 'differences-page.json');
  const stamp = {
    date: new Date().toISOString(),
    cpus: cpus().length,
    cpu: cpus()[0]?.model,
    memGiB: Math.round(totalmem() / 2 ** 30),
  };
  await writeFile(file, `${JSON.stringify({ ...stamp, ...result }, null, 2)}\n`);
  console.log(`written: ${file}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
      process.exit(1);
    },
  );
}
