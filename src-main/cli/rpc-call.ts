import type { Input, Method, Output } from '../../src-shared/contract/api.js';
import type { ErrorCode } from '../../src-shared/errors.js';
import type { ComposedApp } from '../compose.js';
import { trace } from '../trace.js';

/** A failed call as the CLI reports it: the contract's error code and message. */
export class CliCallError extends Error {
  override readonly name = 'CliCallError';
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Calls a contract method through the same router the shells use, so the CLI cannot drift from them. */
export async function callMethod<M extends Method>(
  app: ComposedApp,
  method: M,
  params: Input<M>,
): Promise<Output<M>> {
  trace(`call ${method}`);
  const res = await app.router.handle({ id: 1, method, params }, { transport: 'cli' });
  trace(`answered ${method}`);
  if (!res.ok) throw new CliCallError(res.error.code, res.error.message);
  return res.result as Output<M>;
}
