/** For exhaustive switches: a value left over after every case is a type error at the call. */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`Unexpected ${what}: ${JSON.stringify(value)}`);
}
