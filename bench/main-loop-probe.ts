// Run by bench/run.ts in a process of its own: the app's composition root as the Electron main process
// builds it (the tsc build the shell loads), one sync set planned through the router as an IPC call
// is, while a 1 ms timer measures the longest stretch the event loop was held. Prints one JSON line.
//   node --import tsx bench/main-loop-probe.ts STORE SOURCE_FILE_TO_CHANGE
import { writeFile } from 'node:fs/promises';
import type { compose as Compose } from '../src-main/compose.js';
import { longestBlock } from '../tests/support/event-loop.js';

const [store, changed] = process.argv.slice(2);
// MAIN_LOOP_BLOCKS=MS: each longer stretch on stderr (with CONFIGSYNC_TRACE=1, what ran around it).
const report = Number(process.env.MAIN_LOOP_BLOCKS ?? 0);
if (!store || !changed) throw new Error('usage: main-loop-probe.ts STORE FILE');
const composeJs = new URL('../build/main/src-main/compose.js', import.meta.url).href;
const { compose } = (await import(composeJs)) as { compose: typeof Compose };
const app = compose({ dataDir: store, shell: 'electron', log: () => undefined });

async function call(method: string, params: unknown): Promise<Record<string, unknown>> {
  const res = await app.router.handle({ id: 1, method, params }, { transport: 'electron' });
  if (!res.ok) throw new Error(`${method}: ${JSON.stringify(res.error)}`);
  return res.result as Record<string, unknown>;
}

const { sets } = (await call('sets.list', {})) as { sets: Array<{ id: string; name: string }> };
const set = sets.find((s) => s.name === 'bench');
if (!set) throw new Error('no set "bench" in the store');
const plan = () => call('sync.plan', { setId: set.id });
const rounds: Record<string, { ms: number; blockMs: number }> = {};
// The app's first plan: connections opened, both trees listed in full.
rounds.first = await longestBlock(plan, report);
// Again on the kept connection: listed incrementally, nothing changed.
rounds.again = await longestBlock(plan, report);
// One source file changed: the kept listings patched, the trees compared again.
await writeFile(changed, `changed by the bench at ${Date.now()}\n`);
rounds.oneChanged = await longestBlock(plan, report);
await app.dispose();
console.log(JSON.stringify(rounds));
process.exit(0);
