// The Differences page benchmark's figures as a table: the rows, and the printed table.
import type { DifferencesPageResult } from './differences-page.js';

const fmt = (n: number | null) => (n === null ? '-' : n.toLocaleString('en-US'));

/** The figures as table rows: figure, value, target ('' when none), met ('' when no target). */
export function differencesPageRows(r: DifferencesPageResult): Array<[string, string, string, string]> {
  const met = (ok: boolean) => (ok ? 'met' : 'MISSED');
  const s = r.scroll;
  return [
    ['plan time (Next → plan in the page)', `${fmt(r.planMs)} ms`, '', ''],
    [
      'first rows (plan → rows painted)',
      `${fmt(r.firstRowsMs)} ms`,
      `< ${fmt(r.targets.firstRowsMs)} ms`,
      met(r.met.firstRows),
    ],
    [
      '  first page asked / answered',
      `${fmt(r.firstPageAskedMs)} / ${fmt(r.firstPageAnsweredMs)} ms`,
      '',
      '',
    ],
    ['interactive (plan → filter click shown)', `${fmt(r.interactiveMs)} ms`, '', ''],
    ['  filter on / off (input → rows)', `${fmt(r.filterOnMs)} / ${fmt(r.filterOffMs)} ms`, '', ''],
    ['  path search (input → rows, 250 ms debounce)', `${fmt(r.searchMs)} ms`, '', ''],
    [
      'scroll frame time median / p95 / max',
      `${fmt(s.medianMs)} / ${fmt(s.p95Ms)} / ${fmt(s.maxMs)} ms`,
      '',
      '',
    ],
    ['scroll frames > 50 ms', `${s.over50Ms} of ${s.frames}`, '', ''],
    [
      '  fast walk: median / p95, > 50 ms',
      `${fmt(s.fast.medianMs)} / ${fmt(s.fast.p95Ms)} ms, ${s.fast.over50Ms} of ${s.fast.frames}`,
      '',
      '',
    ],
    [
      '  slow scroll: median / p95, > 50 ms',
      `${fmt(s.slow.medianMs)} / ${fmt(s.slow.p95Ms)} ms, ${s.slow.over50Ms} of ${s.slow.frames}`,
      '',
      '',
    ],
    [
      '  main thread a frame: tasks (script / style / layout)',
      `${fmt(s.perFrame.taskMs)} ms (${fmt(s.perFrame.scriptMs)} / ${fmt(s.perFrame.styleMs)} / ${fmt(s.perFrame.layoutMs)})`,
      '',
      '',
    ],
    ['scroll frames with placeholder rows', `${s.placeholderFrames} of ${s.frames}`, '', ''],
    ['jump to end → last row filled', `${fmt(s.endFilledMs)} ms`, '', ''],
    [
      "last row is the plan's last entry",
      s.lastRowOk ? s.lastRowPath : `${s.lastRowPath} ≠ ${s.expectedLastPath}`,
      'yes',
      met(r.met.lastRow),
    ],
    [
      'main process peak RSS (VmHWM)',
      `${fmt(r.mainPeakRssMb)} MB (now ${fmt(r.mainRssMb)} MB)`,
      `< ${r.targets.mainPeakRssMb} MB`,
      met(r.met.mainPeakRss),
    ],
  ];
}

/** The table as text, columns padded: figure, value, target, met. */
export function differencesPageTable(r: DifferencesPageResult): string {
  const rows = [['figure', 'value', 'target', ''] as const, ...differencesPageRows(r)];
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((row) => row[i]?.length ?? 0)));
  return rows
    .map((row) =>
      row
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
