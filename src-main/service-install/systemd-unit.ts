import type { ServiceSpec } from './service-spec.js';

/**
 * One word of an ExecStart= line as systemd reads it: in double quotes, with `\` and `"` escaped, and
 * `$` and `%` doubled (systemd expands `$VAR` in command lines and `%x` specifiers in every value).
 */
export function systemdWord(word: string): string {
  if (/[\n\r\0]/.test(word))
    throw new Error(`A service command word cannot hold a line break: ${JSON.stringify(word)}`);
  const escaped = word.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\$/g, '$$$$').replace(/%/g, '%%');
  return `"${escaped}"`;
}

/** A value of a setting that is not a command line: only `%` specifiers are expanded there. */
function systemdValue(value: string): string {
  if (/[\n\r\0]/.test(value))
    throw new Error(`A unit value cannot hold a line break: ${JSON.stringify(value)}`);
  return value.replace(/%/g, '%%');
}

/** One `"NAME=value"` of Environment=: quoted, `%` doubled; `$` is not expanded there. */
function environmentWord(name: string, value: string): string {
  return `"${systemdValue(`${name}=${value}`).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** The unit's file name, `<name>.service`. */
export function systemdUnitName(spec: ServiceSpec): string {
  return `${spec.name}.service`;
}

/**
 * The systemd unit of a store's scheduler service. A system unit (installed by root into
 * /etc/systemd/system) starts at boot and runs as the store's owner (User=); a user unit
 * (~/.config/systemd/user) runs in the user's own manager, which runs without a login only with
 * `loginctl enable-linger USER`. It restarts after a failure (not after a clean stop), gives runs under
 * way five minutes to finish on stop, and writes its own log to the app's log (`<store>/logs/app.log`);
 * its stdout and stderr go to the journal.
 */
export function systemdUnit(spec: ServiceSpec): string {
  const lines = [
    '# Written by "configsync service install"; remove it with "configsync service uninstall".',
    '[Unit]',
    `Description=${systemdValue(spec.description)}`,
    'Wants=network-online.target',
    'After=network-online.target',
    // Restarted after each failure: never give up for good (StartLimitBurst would stop it).
    'StartLimitIntervalSec=0',
    '',
    '[Service]',
    'Type=simple',
    `ExecStart=${spec.command.map(systemdWord).join(' ')}`,
    `WorkingDirectory=${systemdValue(spec.storeDir)}`,
    ...Object.entries(spec.env).map(([k, v]) => `Environment=${environmentWord(k, v)}`),
    ...(spec.scope === 'system' ? [`User=${systemdValue(spec.user)}`] : []),
    'Restart=on-failure',
    'RestartSec=10',
    'KillSignal=SIGTERM',
    'TimeoutStopSec=300',
    'UMask=0077',
    'NoNewPrivileges=yes',
    '',
    '[Install]',
    `WantedBy=${spec.scope === 'system' ? 'multi-user.target' : 'default.target'}`,
    '',
  ];
  return lines.join('\n');
}

/** Reads an ExecStart= line back into argv (the inverse of systemdWord, for the words it writes). */
export function parseExecStart(line: string): string[] {
  const words: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line)) !== null)
    words.push((m[1] ?? '').replace(/\\(.)/g, '$1').replace(/\$\$/g, '$').replace(/%%/g, '%'));
  return words;
}
