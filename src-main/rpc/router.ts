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
        const checked = checkResult(method, result);
        if (!checked.ok) {
          log(`handler ${method} answered outside its contract: ${checked.problem}`);
          return fail(id, 'BAD_RESULT', `${method} answered outside its contract; the answer was withheld.`);
        }
        return { id, ok: true, result: checked.value };
      } catch (err) {
        if (err instanceof AppError) return fail(id, err.code, err.message);
        log(`handler ${method} failed`, err);
        return fail(id, 'INTERNAL', `${method} failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    },
  };
}

/**
 * Checks a handler's answer against the method's output schema before it crosses to a shell: it must
 * parse, and hold no field the schema does not name (zod would strip such a field silently, so a
 * handler spreading an object with a key or a password in it is caught here, not trimmed and forgotten).
 * What crosses is the parsed value.
 */
export function checkResult(
  method: Method,
  result: unknown,
): { ok: true; value: unknown } | { ok: false; problem: string } {
  const parsed = api[method].output.safeParse(result);
  if (!parsed.success) {
    const first = describeIssues(parsed.error)[0];
    return { ok: false, problem: first ? `${first.path || '(root)'}: ${first.message}` : 'does not parse' };
  }
  const extra = firstExtraField(result, parsed.data, '');
  if (extra !== null) return { ok: false, problem: `field "${extra}" is not in the output schema` };
  return { ok: true, value: parsed.data };
}

/** The dotted path of the first field `raw` holds that `parsed` (the schema's view of it) dropped. */
function firstExtraField(raw: unknown, parsed: unknown, at: string): string | null {
  if (Array.isArray(raw)) {
    if (!Array.isArray(parsed)) return null;
    for (let i = 0; i < raw.length; i++) {
      const found = firstExtraField(raw[i], parsed[i], `${at}${at ? '.' : ''}${i}`);
      if (found !== null) return found;
    }
    return null;
  }
  if (!isPlainObject(raw) || !isPlainObject(parsed)) return null;
  for (const [key, value] of Object.entries(raw)) {
    const path = `${at}${at ? '.' : ''}${key}`;
    if (!Object.prototype.hasOwnProperty.call(parsed, key)) {
      if (value !== undefined) return path;
      continue;
    }
    const found = firstExtraField(value, parsed[key], path);
    if (found !== null) return found;
  }
  return null;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object') return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
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
