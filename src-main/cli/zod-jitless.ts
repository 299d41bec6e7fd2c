// Imported first by the CLI's entry (bin.ts), before any schema is made: zod builds each object
// schema's parser with `new Function` on its first use, which pays back over many parses (the app,
// `configsync scheduler` serving runs for hours) but costs a short CLI run more than the few parses
// it makes (a warm `sync` handed to a scheduler: 154 -> 145 ms here, medians of 10).
import { config } from 'zod';

if (!process.argv.slice(2).includes('scheduler')) config({ jitless: true });
