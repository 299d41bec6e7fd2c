import type { z } from 'zod';
import { appMethods } from './methods/app.js';
import { serverMethods } from './methods/servers.js';
import { syncMethods } from './methods/sync.js';
import { scheduleMethods } from './methods/schedules.js';
import { historyMethods } from './methods/history.js';
import { statusMethods } from './methods/status.js';
import { notifyMethods } from './methods/notify.js';
import { serviceMethods } from './methods/service.js';
import { fileMethods } from './methods/files.js';

/**
 * Every RPC method, declared once: its input and output schemas, grouped by service in ./methods/.
 * The router parses `input` before a handler runs; types for both sides come from `z.infer`.
 */
export const api = {
  ...appMethods,
  ...serverMethods,
  ...syncMethods,
  ...scheduleMethods,
  ...historyMethods,
  ...statusMethods,
  ...notifyMethods,
  ...serviceMethods,
  ...fileMethods,
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
