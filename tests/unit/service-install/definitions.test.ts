import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, type PlistValue } from 'plist';
import { launchdLabel, launchdPlist } from '../../../src-main/service-install/launchd-plist.js';
import {
  schedulerCommand,
  serviceNameFor,
  type ServiceSpec,
} from '../../../src-main/service-install/service-spec.js';
import {
  parseExecStart,
  systemdUnit,
  systemdUnitName,
} from '../../../src-main/service-install/systemd-unit.js';
import {
  windowsArg,
  windowsTaskFile,
  windowsTaskName,
} from '../../../src-main/service-install/windows-task.js';
import { makeTempDir } from '../../support/temp.js';

const store = '/srv/config sync/store';
const spec = (over: Partial<ServiceSpec> = {}): ServiceSpec => ({
  platform: 'linux',
  name: serviceNameFor(store),
  description: 'ConfigSync schedules of the store /srv/config sync/store',
  storeDir: store,
  command: schedulerCommand([process.execPath, '/opt/ConfigSync app/configsync.mjs'], store),
  user: 'cfgadmin',
  scope: 'system',
  outputLog: `${store}/logs/service.out.log`,
  env: { TZ: 'Europe/Paris' },
  ...over,
});

/** `[Section]` → key → values (a key may repeat), as systemd reads a unit. */
function unitFields(text: string): Map<string, Map<string, string[]>> {
  const out = new Map<string, Map<string, string[]>>();
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const head = /^\[(.+)\]$/.exec(line);
    if (head?.[1]) {
      section = head[1];
      out.set(section, new Map());
      continue;
    }
    const eq = line.indexOf('=');
    const fields = out.get(section) as Map<string, string[]>;
    const key = line.slice(0, eq);
    fields.set(key, [...(fields.get(key) ?? []), line.slice(eq + 1)]);
  }
  return out;
}

describe('service names', () => {
  it('one per store, stable, never shared by two stores', () => {
    expect(serviceNameFor(store)).toMatch(/^configsync-scheduler-[0-9a-f]{8}$/);
    expect(serviceNameFor(store)).toBe(serviceNameFor(store));
    expect(serviceNameFor(store)).not.toBe(serviceNameFor(`${store}2`));
  });
});

describe('systemd unit', () => {
  it('system unit, field by field: the scheduler of the store, as its owner, restarted on failure, at boot', () => {
    const u = unitFields(systemdUnit(spec()));
    expect([...u.keys()]).toEqual(['Unit', 'Service', 'Install']);
    expect(Object.fromEntries(u.get('Unit') ?? [])).toEqual({
      Description: ['ConfigSync schedules of the store /srv/config sync/store'],
      Wants: ['network-online.target'],
      After: ['network-online.target'],
      StartLimitIntervalSec: ['0'],
    });
    const svc = u.get('Service') as Map<string, string[]>;
    expect(parseExecStart(svc.get('ExecStart')?.[0] ?? '')).toEqual([
      process.execPath,
      '/opt/ConfigSync app/configsync.mjs',
      '--store',
      store,
      'scheduler',
      '--service',
    ]);
    expect(Object.fromEntries([...svc].filter(([k]) => k !== 'ExecStart'))).toEqual({
      Type: ['simple'],
      WorkingDirectory: [store],
      Environment: ['"TZ=Europe/Paris"'],
      User: ['cfgadmin'],
      Restart: ['on-failure'],
      RestartSec: ['10'],
      KillSignal: ['SIGTERM'],
      TimeoutStopSec: ['300'],
      UMask: ['0077'],
      NoNewPrivileges: ['yes'],
    });
    expect(Object.fromEntries(u.get('Install') ?? [])).toEqual({ WantedBy: ['multi-user.target'] });
  });

  it('user unit: no User=, wanted by default.target', () => {
    const u = unitFields(systemdUnit(spec({ scope: 'user' })));
    expect(u.get('Service')?.has('User')).toBe(false);
    expect(u.get('Install')?.get('WantedBy')).toEqual(['default.target']);
  });

  it('command words with spaces, quotes, $, % and backslashes come back as they were', () => {
    const words = ['/usr/bin/node', 'a b', 'say "hi"', '$HOME', '100%', 'C:\\dir\\', "it's"];
    const line =
      unitFields(systemdUnit(spec({ command: words })))
        .get('Service')
        ?.get('ExecStart')?.[0] ?? '';
    expect(parseExecStart(line)).toEqual(words);
    expect(line).toContain('$$HOME');
    expect(line).toContain('100%%');
    expect(() => systemdUnit(spec({ command: ['/bin/x', 'a\nb'] }))).toThrow(/line break/);
  });

  it('systemd-analyze verify accepts the system and the user unit without a warning, and rejects a broken one', async () => {
    const { dir, cleanup } = await makeTempDir();
    try {
      const self = [process.execPath, join(dir, 'configsync.mjs')];
      await writeFile(self[1] as string, '');
      for (const scope of ['system', 'user'] as const) {
        const s = spec({ scope, user: 'root', storeDir: dir, command: schedulerCommand(self, dir) });
        const path = join(dir, systemdUnitName(s));
        await writeFile(path, systemdUnit(s));
        const r = spawnSync('systemd-analyze', ['verify', '--man=no', path], { encoding: 'utf8' });
        expect({ status: r.status, stderr: r.stderr.trim() }).toEqual({ status: 0, stderr: '' });
      }
      // The same tool on a unit whose program does not exist: it does check.
      const bad = join(dir, 'configsync-broken.service');
      await writeFile(
        bad,
        systemdUnit(spec({ user: 'root', storeDir: dir, command: ['/nonexistent/configsync'] })),
      );
      const r = spawnSync('systemd-analyze', ['verify', '--man=no', bad], { encoding: 'utf8' });
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(/nonexistent/);
    } finally {
      await cleanup();
    }
  });
});

describe('launchd plist', () => {
  it('field by field, read back by the plist parser: a daemon as the owner, kept alive after a failure', () => {
    const job = parse(launchdPlist(spec({ platform: 'darwin' }))) as Record<string, PlistValue>;
    expect(job).toEqual({
      Label: `dev.configsync.${serviceNameFor(store)}`,
      ProgramArguments: spec().command,
      WorkingDirectory: store,
      EnvironmentVariables: { TZ: 'Europe/Paris' },
      RunAtLoad: true,
      KeepAlive: { SuccessfulExit: false },
      ThrottleInterval: 10,
      ExitTimeOut: 300,
      ProcessType: 'Background',
      StandardOutPath: `${store}/logs/service.out.log`,
      StandardErrorPath: `${store}/logs/service.out.log`,
      Umask: 63,
      UserName: 'cfgadmin',
    });
    expect(launchdLabel(spec())).toMatch(/^dev\.configsync\.configsync-scheduler-[0-9a-f]{8}$/);
  });

  it('an agent has no UserName; the file is well-formed XML with Apple’s plist doctype (xmllint; plutil -lint where present)', async () => {
    const text = launchdPlist(spec({ platform: 'darwin', scope: 'user', command: ['/bin/x', 'a <&> "b"'] }));
    const job = parse(text) as Record<string, PlistValue>;
    expect(job.UserName).toBeUndefined();
    expect(job.ProgramArguments).toEqual(['/bin/x', 'a <&> "b"']);
    const { dir, cleanup } = await makeTempDir();
    try {
      const path = join(dir, 'job.plist');
      await writeFile(path, text);
      expect(execFileSync('xmllint', ['--noout', '--nonet', path], { encoding: 'utf8' })).toBe('');
      const doctype = execFileSync('xmllint', ['--nonet', '--xpath', 'name(/*)', path], { encoding: 'utf8' });
      expect(doctype.trim()).toBe('plist');
      expect(text).toContain('<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN"');
      if (existsSync('/usr/bin/plutil')) execFileSync('/usr/bin/plutil', ['-lint', path]);
      await writeFile(path, text.replace('</dict>', ''));
      expect(spawnSync('xmllint', ['--noout', '--nonet', path]).status).not.toBe(0);
    } finally {
      await cleanup();
    }
  });
});

/** CommandLineToArgvW's rules, as Microsoft documents them (to read back what windowsArg wrote). */
function windowsArgv(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (line[i] === ' ' || line[i] === '\t') i++;
    if (i >= line.length) break;
    let arg = '';
    let quoted = false;
    for (; i < line.length; i++) {
      const ch = line[i];
      if (!quoted && (ch === ' ' || ch === '\t')) break;
      if (ch === '\\') {
        let n = 0;
        while (line[i] === '\\') {
          n++;
          i++;
        }
        if (line[i] === '"') {
          arg += '\\'.repeat(Math.floor(n / 2));
          if (n % 2 === 1) arg += '"';
          else quoted = !quoted;
        } else {
          arg += '\\'.repeat(n);
          i--;
        }
        continue;
      }
      if (ch === '"') quoted = !quoted;
      else arg += ch;
    }
    out.push(arg);
  }
  return out;
}

describe('Windows Task Scheduler task', () => {
  it('field by field (xmllint reads the UTF-16 file): at boot, as the user, S4U, restarted on failure, no time limit', async () => {
    const s = spec({
      platform: 'win32',
      user: 'PLANT\\cfgadmin',
      storeDir: 'C:\\Users\\cfgadmin\\AppData\\Roaming\\ConfigSync',
      command: [
        'C:\\Program Files\\ConfigSync\\ConfigSync.exe',
        '--store',
        'C:\\Users\\cfg admin\\Store\\',
        'scheduler',
        '--service',
      ],
    });
    const { dir, cleanup } = await makeTempDir();
    try {
      const path = join(dir, 'task.xml');
      const file = windowsTaskFile(s);
      expect([...file.subarray(0, 2)]).toEqual([0xff, 0xfe]);
      await writeFile(path, file);
      expect(execFileSync('xmllint', ['--noout', '--nonet', path], { encoding: 'utf8' })).toBe('');
      const field = (p: string) =>
        execFileSync(
          'xmllint',
          [
            '--nonet',
            '--xpath',
            `string(${p
              .split('/')
              .map((n) => (n ? `*[local-name()="${n}"]` : ''))
              .join('/')})`,
            path,
          ],
          {
            encoding: 'utf8',
          },
        ).replace(/\n$/, '');
      expect(
        execFileSync('xmllint', ['--nonet', '--xpath', 'namespace-uri(/*)', path], {
          encoding: 'utf8',
        }).trim(),
      ).toBe('http://schemas.microsoft.com/windows/2004/02/mit/task');
      expect({
        uri: field('/Task/RegistrationInfo/URI'),
        boot: field('/Task/Triggers/BootTrigger/Enabled'),
        user: field('/Task/Principals/Principal/UserId'),
        logon: field('/Task/Principals/Principal/LogonType'),
        level: field('/Task/Principals/Principal/RunLevel'),
        instances: field('/Task/Settings/MultipleInstancesPolicy'),
        limit: field('/Task/Settings/ExecutionTimeLimit'),
        restartEvery: field('/Task/Settings/RestartOnFailure/Interval'),
        restartCount: field('/Task/Settings/RestartOnFailure/Count'),
        batteries: field('/Task/Settings/DisallowStartIfOnBatteries'),
        command: field('/Task/Actions/Exec/Command'),
        cwd: field('/Task/Actions/Exec/WorkingDirectory'),
      }).toEqual({
        uri: windowsTaskName(s),
        boot: 'true',
        user: 'PLANT\\cfgadmin',
        logon: 'S4U',
        level: 'LeastPrivilege',
        instances: 'IgnoreNew',
        limit: 'PT0S',
        restartEvery: 'PT1M',
        restartCount: '999',
        batteries: 'false',
        command: 'C:\\Program Files\\ConfigSync\\ConfigSync.exe',
        cwd: 'C:\\Users\\cfgadmin\\AppData\\Roaming\\ConfigSync',
      });
      expect(windowsArgv(field('/Task/Actions/Exec/Arguments'))).toEqual(s.command.slice(1));
    } finally {
      await cleanup();
    }
  });

  it('arguments with spaces, quotes and trailing backslashes survive CommandLineToArgvW', () => {
    const args = ['plain', 'two words', 'say "hi"', 'C:\\dir with space\\', 'back\\\\slash', '', 'a\\"b'];
    expect(windowsArgv(args.map(windowsArg).join(' '))).toEqual(args);
  });
});
