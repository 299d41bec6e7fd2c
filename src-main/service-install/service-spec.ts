import { createHash } from 'node:crypto';

/** The three OS service managers a scheduler service is set up with. */
export type ServicePlatform = 'linux' | 'darwin' | 'win32';

/**
 * What a scheduler service is, whatever the OS: the command it runs (`configsync --store DIR scheduler
 * --service`, by the installed app or the npm CLI), for which store, as which user, and where it is
 * defined. Built once; each OS's generator turns it into its own file.
 */
export type ServiceSpec = {
  readonly platform: ServicePlatform;
  /** Unique per store: `configsync-scheduler-<8 hex of the store path>`. */
  readonly name: string;
  readonly description: string;
  readonly storeDir: string;
  /** argv of the scheduler: executable first. */
  readonly command: ReadonlyArray<string>;
  /** The account it runs as: the owner of the store. */
  readonly user: string;
  /** 'system': started at boot by the system manager (root installs it); 'user': the user's own manager. */
  readonly scope: 'system' | 'user';
  /** Where the process's own stdout/stderr go where the OS does not keep them (launchd). */
  readonly outputLog: string;
  /** Environment the scheduler gets (TZ where one was asked, the store). */
  readonly env: Readonly<Record<string, string>>;
};

/** A store's service name: the same store always gets the same name, two stores never share one. */
export function serviceNameFor(storeDir: string): string {
  return `configsync-scheduler-${createHash('sha256').update(storeDir).digest('hex').slice(0, 8)}`;
}

/** The scheduler's argv for a store, after the program that runs the CLI (`self`). */
export function schedulerCommand(self: ReadonlyArray<string>, storeDir: string): string[] {
  return [...self, '--store', storeDir, 'scheduler', '--service'];
}
