import { z } from 'zod';

/**
 * Every RPC method, declared once: its input and output schemas.
 * The router parses `input` before a handler runs; types for both sides come from `z.infer`.
 */
export const api = {
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
} as const satisfies Record<string, { input: z.ZodType; output: z.ZodType }>;

export type Api = typeof api;
export type Method = keyof Api;
export type Input<M extends Method> = z.input<Api[M]['input']>;
export type ParsedInput<M extends Method> = z.output<Api[M]['input']>;
export type Output<M extends Method> = z.output<Api[M]['output']>;

/** True when `name` is a declared method (narrowing an untrusted string). */
export function isMethod(name: string): name is Method {
  return Object.prototype.hasOwnProperty.call(api, name);
}
