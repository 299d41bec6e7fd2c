import { performance } from 'node:perf_hooks';

/**
 * The longest gap between ticks of a 1 ms timer while `work` runs (and one tick after it, which sees
 * the stretch that ends with the work), and how long the work took. `report`: each gap longer than
 * that many ms is written to stderr with its times (bench/main-loop-probe.ts's MAIN_LOOP_BLOCKS).
 */
export async function longestBlock(
  work: () => Promise<unknown>,
  report = 0,
): Promise<{ ms: number; blockMs: number }> {
  let last = performance.now();
  let worst = 0;
  let on = true;
  const tick = () => {
    const now = performance.now();
    worst = Math.max(worst, now - last);
    if (report > 0 && now - last > report)
      process.stderr.write(
        `[block ${(now - last).toFixed(0)} ms, ${last.toFixed(0)} → ${now.toFixed(0)} ms]\n`,
      );
    last = now;
    if (on) setTimeout(tick, 1);
  };
  setTimeout(tick, 1);
  const t0 = performance.now();
  await work();
  const ms = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 5));
  on = false;
  return { ms, blockMs: worst };
}
