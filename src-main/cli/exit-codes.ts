/** What `configsync` exits with, so scripts and cron can tell outcomes apart. */
export const exitCodes = {
  ok: 0,
  /** A command failed for a reason not listed below. */
  error: 1,
  /** Bad command line or parameters. */
  usage: 2,
  /** Some destinations failed or some files could not be applied. */
  partial: 3,
  /** A guard refused the plan (mass deletion, empty source) and --yes/--confirm was not given. */
  refused: 4,
  /** A host did not answer or could not be reached. */
  unreachable: 5,
  /** A host key is unknown or changed. */
  hostKey: 6,
  /** `plan`/`status`: destinations differ from the source. */
  drift: 10,
} as const;

/** Maps a contract error code to an exit code. */
export function exitCodeFor(code: string): number {
  if (code === 'BAD_PARAMS' || code === 'UNKNOWN_METHOD' || code === 'BAD_REQUEST') return exitCodes.usage;
  if (code.startsWith('GUARD')) return exitCodes.refused;
  if (
    code === 'TIMEOUT' ||
    code === 'REFUSED' ||
    code === 'DNS' ||
    code === 'NETWORK' ||
    code === 'UNREACHABLE'
  )
    return exitCodes.unreachable;
  if (code.startsWith('HOST_KEY')) return exitCodes.hostKey;
  return exitCodes.error;
}
