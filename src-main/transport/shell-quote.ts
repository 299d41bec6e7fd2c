/**
 * Quotes one argument for a POSIX shell: wrapped in single quotes, each `'` written as `'\''`.
 * Every path and pattern that reaches a remote command goes through here, so no name can inject.
 */
export function shq(arg: string): string {
  if (arg.includes('\0')) throw new Error('A shell argument cannot contain NUL.');
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}
