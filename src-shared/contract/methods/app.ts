import { z } from 'zod';

/** `app.*`: facts about the running instance. */
export const appMethods = {
  'app.info': {
    input: z.object({}).strict(),
    output: z.object({
      name: z.string(),
      version: z.string(),
      shell: z.enum(['electron', 'browser', 'cli']),
      storePath: z.string(),
      dataDir: z.string(),
      platform: z.string(),
      node: z.string(),
    }),
  },
  'app.echo': {
    input: z.object({ text: z.string().max(10_000) }).strict(),
    output: z.object({ text: z.string(), receivedAt: z.string() }),
  },
} as const;
