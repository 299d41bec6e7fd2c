/**
 * An error a service raises on purpose: its `code` and `message` reach the caller unchanged.
 * Anything else thrown by a handler is reported as INTERNAL with a generic message and logged.
 */
export class AppError extends Error {
  override readonly name = 'AppError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
