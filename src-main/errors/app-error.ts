import type { ErrorCode } from '../../src-shared/errors.js';

/**
 * An error a service raises on purpose: its `code` (one of the table in src-shared/errors) and its
 * `message` reach the caller unchanged. Anything else thrown by a handler is reported as INTERNAL with a
 * generic message and logged.
 */
export class AppError extends Error {
  override readonly name = 'AppError';
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}
