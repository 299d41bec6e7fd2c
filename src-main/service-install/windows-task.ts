import type { ServiceSpec } from './service-spec.js';

function xml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/**
 * One argument as Windows programs read their command line (CommandLineToArgvW): quoted when it holds
 * a space, a tab or a quote; backslashes before a quote (or the closing quote) doubled.
 */
export function windowsArg(arg: string): string {
  if (arg !== '' && !/[\s"]/.test(arg)) return arg;
  let out = '"';
  let slashes = 0;
  for (const ch of arg) {
    if (ch === '\\') {
      slashes++;
      continue;
    }
    if (ch === '"') out += '\\'.repeat(slashes * 2 + 1) + '"';
    else out += '\\'.repeat(slashes) + ch;
    slashes = 0;
  }
  return `${out}${'\\'.repeat(slashes * 2)}"`;
}

/** The task's path in Task Scheduler: `\ConfigSync\<name>`. */
export function windowsTaskName(spec: ServiceSpec): string {
  return `\\ConfigSync\\${spec.name}`;
}

/**
 * The Task Scheduler definition (task XML, schema version 1.2) of a store's scheduler: started at
 * boot (BootTrigger) as the store's owner, whether or not anyone is logged on and without storing a
 * password (LogonType S4U), with least privilege; never stopped for running long (ExecutionTimeLimit
 * PT0S); restarted every minute after a failure, 999 times; one instance at a time. `schtasks /Create
 * /XML` registers it (from an elevated prompt, which a boot trigger needs). Windows keeps no output of
 * a task: the scheduler's log is app.log.
 */
export function windowsTaskXml(spec: ServiceSpec): string {
  const [program, ...args] = spec.command;
  if (!program) throw new Error('A service needs a command.');
  return [
    '<?xml version="1.0" encoding="UTF-16"?>',
    '<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">',
    '  <RegistrationInfo>',
    `    <Description>${xml(spec.description)}</Description>`,
    `    <URI>${xml(windowsTaskName(spec))}</URI>`,
    '  </RegistrationInfo>',
    '  <Triggers>',
    '    <BootTrigger>',
    '      <Enabled>true</Enabled>',
    '    </BootTrigger>',
    '  </Triggers>',
    '  <Principals>',
    '    <Principal id="Author">',
    `      <UserId>${xml(spec.user)}</UserId>`,
    '      <LogonType>S4U</LogonType>',
    '      <RunLevel>LeastPrivilege</RunLevel>',
    '    </Principal>',
    '  </Principals>',
    '  <Settings>',
    '    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>',
    '    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>',
    '    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>',
    '    <StartWhenAvailable>true</StartWhenAvailable>',
    '    <RunOnlyIfNetworkAvailable>false</RunOnlyIfNetworkAvailable>',
    '    <IdleSettings>',
    '      <StopOnIdleEnd>false</StopOnIdleEnd>',
    '      <RestartOnIdle>false</RestartOnIdle>',
    '    </IdleSettings>',
    '    <AllowStartOnDemand>true</AllowStartOnDemand>',
    '    <Enabled>true</Enabled>',
    '    <Hidden>false</Hidden>',
    '    <RunOnlyIfIdle>false</RunOnlyIfIdle>',
    '    <ExecutionTimeLimit>PT0S</ExecutionTimeLimit>',
    '    <Priority>7</Priority>',
    '    <RestartOnFailure>',
    '      <Interval>PT1M</Interval>',
    '      <Count>999</Count>',
    '    </RestartOnFailure>',
    '  </Settings>',
    '  <Actions Context="Author">',
    '    <Exec>',
    `      <Command>${xml(program)}</Command>`,
    `      <Arguments>${xml(args.map(windowsArg).join(' '))}</Arguments>`,
    `      <WorkingDirectory>${xml(spec.storeDir)}</WorkingDirectory>`,
    '    </Exec>',
    '  </Actions>',
    '</Task>',
    '',
  ].join('\r\n');
}

/** The file schtasks reads: UTF-16 little-endian with its byte-order mark, as the XML declaration says. */
export function windowsTaskFile(spec: ServiceSpec): Buffer {
  return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(windowsTaskXml(spec), 'utf16le')]);
}
