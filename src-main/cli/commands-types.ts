import type { Input, Method, Output } from '../../src-shared/contract/api.js';

export type CliIo = {
  out(text: string): void;
  err(text: string): void;
  /** Asks a yes/no question on a terminal; absent when stdin is not a terminal. */
  confirm?(question: string): Promise<boolean>;
};
export type CliContext = {
  readonly io: CliIo;
  call<M extends Method>(method: M, params: Input<M>): Promise<Output<M>>;
};
export type CliCommand = {
  readonly name: string;
  readonly summary: string;
  readonly help: string;
  run(args: string[], ctx: CliContext): Promise<number>;
};
