// What the Differences page benchmark runs inside the page: waits stamped by the page's own clock (a
// DOM mutation, then the animation frame that paints it) and a requestAnimationFrame scroll.
// Times are epoch milliseconds (performance.timeOrigin + performance.now()), comparable with the same
// sum taken in Node on this machine.
import type { Page } from '@playwright/test';

/**
 * tsx compiles with esbuild's keepNames, which wraps named inner functions in `__name(…)`; Playwright
 * sends a function's source to the page, where that helper does not exist. This identity stands in.
 */
export const KEEP_NAMES_SHIM = 'globalThis.__name ??= (f) => f;';

export type RowsCondition = {
  /** The destination whose panel is watched (`target-panel-<name>`). */
  readonly panel: string;
  /** `rows-shown` starts with this text. */
  readonly shownStartsWith?: string;
  /** A row showing its cells (not a placeholder) is in the DOM with a size. */
  readonly filledRow?: boolean;
  /** Only a state reached after an input (pointer, key, text) counts; that input's time is returned. */
  readonly afterInput?: boolean;
};

export type RowsReached = {
  /** When the DOM first matched. */
  readonly domAt: number;
  /** The start of the animation frame that paints it. */
  readonly frameAt: number;
  /** The input event's own timestamp, with `afterInput`. */
  readonly inputAt: number | null;
};

/**
 * Resolves when the panel matches `cond`, watched by a MutationObserver (no polling delay). Start it
 * before the action whose effect it waits for; it runs in the page until then.
 */
export function whenRows(page: Page, cond: RowsCondition): Promise<RowsReached> {
  return page.evaluate(
    (c) =>
      new Promise<RowsReached>((resolve) => {
        const now = () => performance.timeOrigin + performance.now();
        let inputAt: number | null = null;
        let done = false;
        const onInput = (e: Event) => {
          inputAt ??= performance.timeOrigin + e.timeStamp;
          check();
        };
        const kinds = ['pointerdown', 'keydown', 'input'] as const;
        if (c.afterInput) for (const k of kinds) document.addEventListener(k, onInput, true);
        const matches = (): boolean => {
          if (c.afterInput && inputAt === null) return false;
          const panel = document.querySelector(`[data-testid="target-panel-${c.panel}"]`);
          if (!panel) return false;
          const shown = panel.querySelector('[data-testid="rows-shown"]')?.textContent ?? '';
          if (c.shownStartsWith !== undefined && !shown.startsWith(c.shownStartsWith)) return false;
          if (c.filledRow) {
            const rows = Array.from(panel.querySelectorAll<HTMLElement>('[data-testid="entry-row"]'));
            if (!rows.some((r) => r.offsetHeight > 0 && r.querySelector('[role="cell"]') !== null))
              return false;
          }
          return true;
        };
        const observer = new MutationObserver(() => check());
        function check(): void {
          if (done || !matches()) return;
          done = true;
          const domAt = now();
          observer.disconnect();
          for (const k of kinds) document.removeEventListener(k, onInput, true);
          requestAnimationFrame(() => resolve({ domAt, frameAt: now(), inputAt }));
        }
        observer.observe(document.body, {
          subtree: true,
          childList: true,
          characterData: true,
          attributes: true,
        });
        check();
      }),
    cond,
  );
}

export type ScrollPlan = {
  readonly panel: string;
  /** Frames of the fast scroll from the top, and the pixels added each frame. */
  readonly frames: number;
  readonly step: number;
  /** Frames of a slow scroll (2 rows a frame) after the jump to the middle. */
  readonly middleFrames: number;
  /** The row count: the row with this aria-rowindex must end up filled. */
  readonly total: number;
};

export type ScrollPhase = 'fast' | 'slow' | 'end';

export type ScrollTrace = {
  /** Time between consecutive animation frames, every frame of the walk, and the phase of each. */
  readonly frameMs: ReadonlyArray<number>;
  readonly phase: ReadonlyArray<ScrollPhase>;
  /** Frames that started with at least one placeholder row (its page not arrived yet) in view. */
  readonly placeholderFrames: number;
  /** From the jump to the end until the last row showed its cells; null if it never did (5 s). */
  readonly endFilledMs: number | null;
  /** The last row in view at the end: its index (1-based) and its path cell. */
  readonly lastRowIndex: number;
  readonly lastRowPath: string;
  /** That row lies inside the scroller's box and the window (really on screen, not only in the DOM). */
  readonly lastRowOnScreen: boolean;
  /** Every path in view at the end. */
  readonly pathsInView: ReadonlyArray<string>;
};

/**
 * Scrolls `entries-scroller` from requestAnimationFrame: a fast walk down, a jump to the middle and a
 * slow scroll there (2 rows a frame), a jump to the end; records each frame's duration and whether rows
 * in view were still blank. The rows in view are found from scrollTop and the row height (no layout
 * queries of the rows), so the probe itself adds next to nothing to a frame.
 */
export function scrollThrough(page: Page, plan: ScrollPlan): Promise<ScrollTrace> {
  return page.evaluate(async (p) => {
    const panel = document.querySelector(`[data-testid="target-panel-${p.panel}"]`);
    const el = panel?.querySelector<HTMLElement>('[data-testid="entries-scroller"]');
    const rowHeight = el?.querySelector<HTMLElement>('[data-testid="entry-row"]')?.offsetHeight ?? 0;
    if (!panel || !el || rowHeight === 0) throw new Error(`no rows in target-panel-${p.panel}`);
    const viewHeight = el.clientHeight;
    const frameMs: number[] = [];
    const phase: ScrollPhase[] = [];
    let placeholderFrames = 0;
    const inView = () => {
      const first = Math.floor(el.scrollTop / rowHeight) + 1;
      const lastIndex = Math.ceil((el.scrollTop + viewHeight) / rowHeight);
      return Array.from(el.querySelectorAll<HTMLElement>('[data-testid="entry-row"]')).filter((r) => {
        const i = Number(r.ariaRowIndex);
        return i >= first && i <= lastIndex;
      });
    };
    const nextFrame = () => new Promise<number>((r) => requestAnimationFrame(r));
    let last = await nextFrame();
    const tick = async (now: ScrollPhase) => {
      const t = await nextFrame();
      frameMs.push(t - last);
      phase.push(now);
      last = t;
      if (inView().some((r) => r.querySelector('[role="cell"]') === null)) placeholderFrames++;
    };
    for (let i = 0; i < p.frames; i++) {
      el.scrollTop += p.step;
      await tick('fast');
    }
    el.scrollTop = (el.scrollHeight - viewHeight) / 2;
    await tick('slow');
    for (let i = 0; i < p.middleFrames; i++) {
      el.scrollTop += 2 * rowHeight;
      await tick('slow');
    }
    el.scrollTop = el.scrollHeight;
    const jumpedAt = performance.now();
    let endFilledMs: number | null = null;
    const lastRowFilled = () =>
      el.querySelector(`[data-testid="entry-row"][aria-rowindex="${p.total}"] [role="cell"]`) !== null;
    while (endFilledMs === null && performance.now() - jumpedAt < 5000) {
      await tick('end');
      if (lastRowFilled()) endFilledMs = performance.now() - jumpedAt;
    }
    for (let i = 0; i < 10; i++) await tick('end');
    const rows = inView().sort((a, b) => Number(a.ariaRowIndex) - Number(b.ariaRowIndex));
    const pathOf = (r: HTMLElement) => r.querySelectorAll('[role="cell"]')[1]?.textContent ?? '';
    const end = rows[rows.length - 1];
    const box = el.getBoundingClientRect();
    const endBox = end?.getBoundingClientRect();
    const lastRowOnScreen =
      endBox !== undefined &&
      endBox.height > 0 &&
      endBox.top >= box.top - 1 &&
      endBox.bottom <= box.bottom + 1 &&
      endBox.bottom <= window.innerHeight;
    return {
      frameMs,
      phase,
      placeholderFrames,
      endFilledMs,
      lastRowIndex: Number(end?.ariaRowIndex ?? 0),
      lastRowPath: end ? pathOf(end) : '',
      lastRowOnScreen,
      pathsInView: rows.map(pathOf),
    };
  }, plan);
}
