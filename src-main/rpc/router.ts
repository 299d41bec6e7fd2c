import { type z } from 'zod';
import { api, isMethod, type Method, type Output, type ParsedInput } from '../../src-shared/contract/api.js';
import { requestEnvelope, type ResponseEnvelope } from '../../src-shared/contract/envelope.js';
import { AppError } from '../errors/app-error.js';
import type { ErrorCode } from '../../src-shared/errors.js';

/** Who is calling: handlers may use it for logging; trust decisions are made by the transport. */
export type CallContext = { readonly transport: 'electron' | 'browser' | 'cli' | 'test' };

export type Handlers = {
  readonly [M in Method]: (input: ParsedInput<M>, ctx: CallContext) => Promise<Output<M>> | Output<M>;
};

export type Router = { handle(raw: unknown, ctx: CallContext): Promise<ResponseEnvelope> };

/** Turns zod issues into `{path, message}` pairs a person can read beside a field. */
export function describeIssues(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
}

/**
 * Builds the single entry point every transport calls. It never throws: a malformed envelope,
 * an unknown method, params that fail their schema and a failing handler each come back as
 * `{ok:false, error:{code, message}}`.
 */
export function createRouter(handlers: Handlers, log: (msg: string, err?: unknown) => void): Router {
  return {
    async handle(raw, ctx) {
      const envelope = requestEnvelope.safeParse(raw);
      if (!envelope.success) {
        const id = pickId(raw);
        return fail(id, 'BAD_REQUEST', 'Malformed request: expected {id, method, params}.');
      }
      const { id, method, params } = envelope.data;
      if (!isMethod(method)) return fail(id, 'UNKNOWN_METHOD', `Unknown method "${method}".`);
      const parsed = api[method].input.safeParse(params ?? {});
      if (!parsed.success) {
        const issues = describeIssues(parsed.error);
        const first = issues[0];
        const where =
          first && first.path ? ` (${first.path}: ${first.message})` : first ? ` (${first.message})` : '';
        return {
          id,
          ok: false,
          error: { code: 'BAD_PARAMS', message: `Invalid parameters for ${method}${where}.`, issues },
        };
      }
      try {
        const handler = handlers[method] as (input: unknown, ctx: CallContext) => Promise<unknown> | unknown;
        const result = await handler(parsed.data, ctx);
        return { id, ok: true, result };
      } catch (err) {
        if (err instanceof AppError) return fail(id, err.code, err.message);
        log(`handler ${method} failed`, err);
        return fail(id, 'INTERNAL', `${method} failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    },
  };
}

function fail(id: number | string | null, code: ErrorCode, message: string): ResponseEnvelope {
  return { id, ok: false, error: { code, message } };
}

function pickId(raw: unknown): number | string | null {
  if (raw && typeof raw === 'object' && 'id' in raw) {
    const id = (raw as { id: unknown }).id;
    if (typeof id === 'number' || (typeof id === 'string' && id.length <= 64)) return id;
  }
  return null;
}
