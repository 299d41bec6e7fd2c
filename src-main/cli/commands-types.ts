import type { Input, Method, Output } from '../../src-shared/contract/api.js';

export type CliIo = {
  out(text: string): void;
  err(text: string): void;
  /** Asks a yes/no question on a terminal; absent when stdin is not a terminal. */
  confirm?(question: string): Promise<boolean>;
  /** Asks for a secret on a terminal without echoing it; absent when stdin is not a terminal. */
  secret?(prompt: string): Promise<string>;
  /** The first line of stdin (for --sudo-password-stdin); the line is never echoed or logged. */
  stdinLine?(): Promise<string>;
};
export type CliContext = {
  readonly io: CliIo;
  call<M extends Method>(method: M, params: Input<M>): Promise<Output<M>>;
};
export type CliCommand = {
  readonly name: string;
  readonly summary: string;
  readonly help: string;
  /**
   * Handed to the store's running app or scheduler when one answers on its local socket (its kept
   * connections serve the command); the same calls, output and exit codes as when run here.
   */
  readonly handOver?: boolean;
  run(args: string[], ctx: CliContext): Promise<number>;
};
