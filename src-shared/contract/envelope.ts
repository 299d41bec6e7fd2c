import { z } from 'zod';
import { errorCodeList } from '../errors.js';

/** Any code of the error table (src-shared/errors.ts); nothing else is sent as an error code. */
export const errorCode = z.enum(errorCodeList);

/** A request as it travels over IPC or WebSocket. `params` is parsed later, against the method's schema. */
export const requestEnvelope = z.object({
  id: z.union([z.number().int(), z.string().max(64)]),
  method: z.string().min(1).max(100),
  params: z.unknown(),
});
export type RequestEnvelope = z.infer<typeof requestEnvelope>;

export const rpcError = z.object({
  code: errorCode,
  message: z.string(),
  /** Field-level problems for BAD_PARAMS: `path` is dotted, `message` is readable. */
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
export type RpcError = z.infer<typeof rpcError>;

export type ResponseEnvelope =
  | { readonly id: number | string | null; readonly ok: true; readonly result: unknown }
  | { readonly id: number | string | null; readonly ok: false; readonly error: RpcError };

/** An event pushed from main to every connected renderer. */
export type EventEnvelope = { readonly event: string; readonly payload: unknown };
