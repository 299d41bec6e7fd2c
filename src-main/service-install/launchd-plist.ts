import { build, type PlistValue } from 'plist';
import type { ServiceSpec } from './service-spec.js';

/** The job's label, reverse-DNS as launchd wants: `dev.configsync.<name>`. */
export function launchdLabel(spec: ServiceSpec): string {
  return `dev.configsync.${spec.name}`;
}

/**
 * The launchd job of a store's scheduler service, as a property list (built by the plist library).
 * Installed by root, it is a daemon (/Library/LaunchDaemons) that starts at boot and runs as the store's
 * owner (UserName); installed by the user, an agent (~/Library/LaunchAgents) that runs while that
 * user is logged in. RunAtLoad starts it at once; KeepAlive with SuccessfulExit false restarts it after a
 * failure (not after a clean stop), at most every ThrottleInterval seconds. launchd keeps no output of
 * its own, so stdout and stderr go to `<store>/logs/service.out.log`; the scheduler's log is app.log.
 */
export function launchdPlist(spec: ServiceSpec): string {
  const job: Record<string, PlistValue> = {
    Label: launchdLabel(spec),
    ProgramArguments: [...spec.command],
    WorkingDirectory: spec.storeDir,
    RunAtLoad: true,
    KeepAlive: { SuccessfulExit: false },
    ThrottleInterval: 10,
    ExitTimeOut: 300,
    ProcessType: 'Background',
    StandardOutPath: spec.outputLog,
    StandardErrorPath: spec.outputLog,
    Umask: 0o077,
  };
  if (Object.keys(spec.env).length > 0) job.EnvironmentVariables = { ...spec.env };
  if (spec.scope === 'system') job.UserName = spec.user;
  return build(job);
}
