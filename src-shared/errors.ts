/**
 * Every error code ConfigSync reports, decided once: the words a person reads for it and the exit code
 * the CLI ends with. The router, the CLI (exit codes and `--help`), the renderer's switches and the
 * services all read this table; a code that is not in it does not type-check.
 */

/** What `configsync` exits with, so scripts and cron can tell outcomes apart. */
export const exitCodes = {
  ok: 0,
  error: 1,
  usage: 2,
  partial: 3,
  refused: 4,
  unreachable: 5,
  hostKey: 6,
  interrupted: 7,
  locked: 8,
  badEntry: 9,
  drift: 10,
} as const;

export type ExitName = keyof typeof exitCodes;
export type ExitCode = (typeof exitCodes)[ExitName];

/** What each exit code means, in the words `configsync --help` prints. */
export const exitWords: { readonly [E in ExitName]: string } = {
  ok: 'ok, or in sync',
  error: 'error',
  usage: 'usage (bad command line or parameters; sync/restore without --yes and no terminal)',
  partial: 'partial (some destinations or files failed)',
  refused: 'refused by a guard (mass deletion, empty source) or not confirmed',
  unreachable: 'unreachable, or the login was refused (AUTH_FAILED)',
  hostKey: 'host key unknown or changed',
  interrupted: 'a destination holds an interrupted run (INTERRUPTED_RUN)',
  locked: 'a destination is locked by another run (DESTINATION_LOCKED)',
  badEntry: 'a run completed but left entries on a destination it cannot carry, each listed (BAD_ENTRY)',
  drift: 'differences found (plan, status --check)',
};

type ErrorInfo = { readonly exit: ExitName; readonly words: string };

/** One row a code: its exit code's name and a short sentence saying what happened. */
export const errorTable = {
  // Envelope and transport.
  BAD_REQUEST: { exit: 'usage', words: 'The request was malformed.' },
  UNKNOWN_METHOD: { exit: 'usage', words: 'No such method.' },
  BAD_PARAMS: { exit: 'usage', words: 'Invalid parameters.' },
  BAD_RESULT: { exit: 'error', words: 'An answer did not match its contract and was withheld.' },
  INTERNAL: { exit: 'error', words: 'Something failed inside ConfigSync.' },
  FORBIDDEN: { exit: 'error', words: 'The call did not come from the ConfigSync window.' },
  DISCONNECTED: { exit: 'unreachable', words: 'The connection was closed.' },
  HANDOVER_LOST: {
    exit: 'error',
    words: 'The running app or scheduler carrying this command stopped before it answered.',
  },
  // Reaching a host.
  DNS: { exit: 'unreachable', words: 'The host name could not be resolved.' },
  REFUSED: { exit: 'unreachable', words: 'The host refused the connection.' },
  TIMEOUT: { exit: 'unreachable', words: 'The host did not answer in time.' },
  NETWORK: { exit: 'unreachable', words: 'The host could not be reached.' },
  UNREACHABLE: { exit: 'unreachable', words: 'The host could not be reached.' },
  AUTH_FAILED: {
    exit: 'unreachable',
    words: 'The login was refused: the user name, key or password was not accepted.',
  },
  NO_AGENT: { exit: 'error', words: 'No SSH agent is running.' },
  // sudo on a server (checked before anything is read or written).
  SUDO_TTY_REQUIRED: { exit: 'error', words: 'sudo on the server needs a terminal.' },
  SUDO_WRONG_PASSWORD: { exit: 'error', words: 'The sudo password was not accepted.' },
  SUDO_PASSWORD_NEEDED: { exit: 'usage', words: 'sudo on the server asks for a password; none was given.' },
  SUDO_NOT_ALLOWED: { exit: 'error', words: 'The login user may not run commands with sudo.' },
  SUDO_MISSING: { exit: 'error', words: 'sudo is not installed on the server.' },
  SUDO_FAILED: { exit: 'error', words: 'sudo failed on the server.' },
  SUDO_NO_SFTP_SERVER: { exit: 'error', words: 'No sftp-server program was found on the server for sudo.' },
  KEY_FILE: { exit: 'error', words: 'The key file could not be read.' },
  KEY_UNREADABLE: { exit: 'error', words: "The app's key could not be read." },
  KEY_SEALED_ELSEWHERE: {
    exit: 'error',
    words:
      "The app's key was sealed by a keychain this shell cannot open (start the desktop app once to free it).",
  },
  KEY_SETUP_FAILED: { exit: 'error', words: "The app's key could not be installed." },
  KEY_LOGIN_FAILED: { exit: 'error', words: "The app's key was installed but does not log in." },
  SECRET_BOX: { exit: 'error', words: 'A secret could not be sealed or opened.' },
  // Host keys.
  HOST_KEY_UNKNOWN: { exit: 'hostKey', words: "The host's key is not pinned yet." },
  HOST_KEY_CHANGED: { exit: 'hostKey', words: "The host's key changed since it was pinned." },
  HOST_KEY_MISMATCH: { exit: 'hostKey', words: 'The host presented another key than the one given.' },
  HOST_KEY_NOT_PINNED: { exit: 'hostKey', words: 'No host key is pinned for this server.' },
  HOST_KEY_NEW_ALGORITHM: {
    exit: 'hostKey',
    words: 'The host presents a key of a type not pinned yet (not a change of a pinned key): confirm it.',
  },
  EXPORT_UNSUPPORTED: { exit: 'error', words: 'This sync set or server list cannot be exported that way.' },
  JUMP_HOST: {
    exit: 'error',
    words: 'The jump host chain of a server cannot be used (missing entry, loop, or bad ProxyJump).',
  },
  // The store and its documents.
  STORE_CORRUPT: { exit: 'error', words: 'The store file cannot be read.' },
  STORE_TOO_NEW: { exit: 'error', words: 'The store was written by a newer ConfigSync.' },
  STORE_INVALID: { exit: 'error', words: 'The store holds invalid data.' },
  STORE_LOCKED: { exit: 'error', words: 'Another ConfigSync process is writing the store.' },
  NOT_FOUND: { exit: 'error', words: 'Not found.' },
  READ_FAILED: { exit: 'error', words: 'A file could not be read.' },
  // A file the user chose in a save or open dialog.
  FILE_TOO_LARGE: { exit: 'error', words: 'The chosen file is larger than this accepts.' },
  FILE_SAVE_FAILED: { exit: 'error', words: 'The file could not be saved where it was chosen.' },
  INVALID_SERVER_LIST: { exit: 'error', words: 'The server list is invalid.' },
  BAD_BACKUP: { exit: 'error', words: 'The backup file is invalid.' },
  BACKUP_TOO_NEW: { exit: 'error', words: 'The backup file was written by a newer ConfigSync.' },
  UNSAVED_EDITS: { exit: 'error', words: 'There are unsaved edits.' },
  // Servers, sets, roles.
  LOCAL_SERVER: { exit: 'error', words: 'That is not allowed for the local machine.' },
  NO_PRIMARY: { exit: 'error', words: 'No primary server is set.' },
  ALREADY_PRIMARY: { exit: 'error', words: 'That server is already the primary.' },
  NOT_SELECTED: { exit: 'error', words: 'That server is Not Selected and is never touched.' },
  PRIMARY_AS_DESTINATION: { exit: 'error', words: 'The primary is never a destination.' },
  NO_DESTINATIONS: { exit: 'error', words: 'There is no destination to synchronize.' },
  SET_UNKNOWN: { exit: 'error', words: 'No such sync set.' },
  SET_NAME_TAKEN: { exit: 'error', words: 'A sync set of that name exists.' },
  BAD_SET_NAME: { exit: 'error', words: 'That is not a valid sync set name.' },
  PATH_VARIABLE: { exit: 'error', words: 'A path variable is not defined for the server.' },
  PATH_INVALID: { exit: 'error', words: 'The path is not valid.' },
  PATH_ESCAPE: { exit: 'error', words: 'A path leads outside its root.' },
  // Plans and runs.
  PLAN_UNKNOWN: { exit: 'error', words: 'That plan is unknown or has expired.' },
  PLAN_INVALID: { exit: 'error', words: 'The plan is invalid.' },
  PLAN_CANCELLED: { exit: 'error', words: 'Comparing was stopped; nothing was changed.' },
  PLAN_STALE: { exit: 'partial', words: 'The destination changed since the differences were shown.' },
  TARGET_UNKNOWN: { exit: 'error', words: 'No such destination in that plan.' },
  NOT_IN_PLAN: { exit: 'error', words: 'That path is not in the plan.' },
  RUN_UNKNOWN: { exit: 'error', words: 'No such run.' },
  BAD_RUN_ID: { exit: 'usage', words: 'That is not a run id.' },
  RUN_IN_PROGRESS: { exit: 'error', words: 'A run of this set is already in progress.' },
  CANCELLED: { exit: 'partial', words: 'The run was cancelled.' },
  SCAN_FAILED: { exit: 'error', words: 'A tree could not be listed.' },
  SOURCE_CHANGED: { exit: 'partial', words: 'The source changed while it was read.' },
  GUARD_SOURCE_EMPTY: { exit: 'refused', words: 'The source is empty.' },
  GUARD_SOURCE_MISSING: { exit: 'refused', words: 'The source folder is missing.' },
  GUARD_MASS_DELETE: { exit: 'refused', words: 'The plan deletes more than half of the files.' },
  INTERRUPTED_RUN: {
    exit: 'interrupted',
    words: 'The destination holds an interrupted run; recover it first.',
  },
  DESTINATION_LOCKED: { exit: 'locked', words: 'Another run holds the destination.' },
  BAD_ENTRY: {
    exit: 'badEntry',
    words:
      'The destination holds entries the run could not carry or replace (a FIFO, socket or device, a name it cannot hold); they were left as they are.',
  },
  JOURNAL_INVALID: { exit: 'error', words: 'A run journal cannot be read.' },
  JOURNAL_MISSING: { exit: 'error', words: 'The run journal is missing.' },
  BACKUP_MISSING: { exit: 'error', words: "The run's backup is missing." },
  BACKUP_INVALID: { exit: 'error', words: "The run's backup is invalid." },
  BACKUP_FAILED: { exit: 'partial', words: 'Backing up failed; nothing was changed.' },
  VALIDATION_FAILED: { exit: 'partial', words: 'The validate command failed; nothing was changed.' },
  HEALTH_FAILED: {
    exit: 'partial',
    words: 'The health command failed after the files were put in place; that destination was rolled back.',
  },
  READ_ONLY: { exit: 'partial', words: 'The destination filesystem is read-only.' },
  NO_SPACE: { exit: 'partial', words: 'The destination has not enough room.' },
  WRITE_FAILED: { exit: 'partial', words: 'Writing on the destination failed.' },
  // Mail.
  SMTP_NOT_SET: { exit: 'error', words: 'No mail server is set.' },
  SMTP_CONNECT: { exit: 'error', words: 'The mail server could not be reached.' },
  SMTP_TLS: { exit: 'error', words: 'The mail server refused TLS.' },
  SMTP_AUTH: { exit: 'error', words: 'The mail server refused the login.' },
  SMTP_REJECTED: { exit: 'error', words: 'The mail server refused the message.' },
  SMTP_FAILED: { exit: 'error', words: 'Sending the mail failed.' },
  // The scheduler as a service of the host.
  STORE_MISSING: { exit: 'usage', words: 'There is no store at that folder.' },
  SERVICE_MANAGER_UNAVAILABLE: {
    exit: 'error',
    words: "This host's service manager (systemd, launchd, Task Scheduler) cannot be used here.",
  },
  SERVICE_AS_ROOT: { exit: 'refused', words: 'The service would run as root; that needs --allow-root.' },
  SERVICE_OWNER: { exit: 'error', words: 'The store belongs to another user.' },
  SERVICE_COMMAND_FAILED: { exit: 'error', words: "A step of the host's service manager failed." },
} as const satisfies Record<string, ErrorInfo>;

/** Every error code: a plain UPPER_SNAKE string from the table. */
export type ErrorCode = keyof typeof errorTable;

/** Every code, for schemas (`z.enum(errorCodeList)`) and listings. */
export const errorCodeList = Object.keys(errorTable) as [ErrorCode, ...ErrorCode[]];

export function isErrorCode(code: string): code is ErrorCode {
  return Object.prototype.hasOwnProperty.call(errorTable, code);
}

/** The CLI exit code for an error code; an unknown one (an older or newer peer) is a plain error. */
export function exitCodeOf(code: string): ExitCode {
  return isErrorCode(code) ? exitCodes[errorTable[code].exit] : exitCodes.error;
}

/** The words for an error code, for a caller that has no message of its own. */
export function wordsOf(code: string): string {
  return isErrorCode(code) ? errorTable[code].words : 'Something failed.';
}

/** The `Exit codes:` lines of `configsync --help`, from the table above. */
export function exitCodeHelp(): string {
  return (Object.keys(exitCodes) as ExitName[])
    .map((e) => `  ${String(exitCodes[e]).padStart(2)}  ${exitWords[e]}`)
    .join('\n');
}
