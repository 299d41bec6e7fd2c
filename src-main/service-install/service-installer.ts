import { existsSync, readFileSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { homedir, tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { AppError } from '../errors/app-error.js';
import { linesFromEnd } from '../log/read-backwards.js';
import { APP_LOG_FILE } from '../log/app-log.js';
import { runHostCommand, type RunCommand } from './host-commands.js';
import { launchdLabel, launchdPlist } from './launchd-plist.js';
import { schedulerCommand, serviceNameFor, type ServicePlatform, type ServiceSpec } from './service-spec.js';
import { systemdUnit, systemdUnitName } from './systemd-unit.js';
import { windowsTaskFile, windowsTaskName, windowsTaskXml } from './windows-task.js';

export type ServiceManager = 'systemd' | 'launchd' | 'task-scheduler';

/** Everything `configsync service status` and the Schedules dialog show about a store's service. */
export type ServiceView = {
  readonly platform: ServicePlatform;
  readonly manager: ServiceManager;
  readonly name: string;
  readonly scope: 'system' | 'user';
  readonly user: string;
  /** Where its definition is (or would be) installed. */
  readonly definitionPath: string;
  /** The generated unit, plist or task XML. */
  readonly definition: string;
  readonly command: ReadonlyArray<string>;
  /** Whether this host's service manager can be used now, and why not. */
  readonly available: boolean;
  readonly unavailableReason: string | null;
  readonly installed: boolean;
  /** What the manager says of it: active, inactive, failed… ('unknown' when it cannot be asked). */
  readonly state: string;
  /** What the user must know or do (linger, log-in-only agents, elevated prompt). */
  readonly notes: ReadonlyArray<string>;
};

export type ServiceInstallerDeps = {
  readonly storeDir: string;
  /** How to run this program's CLI: the installed app's binary, or node and the bundled CLI. */
  readonly self: ReadonlyArray<string>;
  readonly platform?: NodeJS.Platform;
  readonly run?: RunCommand;
  /** Where definitions go (tests, or a root other than /): defaults are the OS's own folders. */
  readonly dirs?: Partial<Record<'systemdSystem' | 'systemdUser' | 'launchDaemons' | 'launchAgents', string>>;
  /** Whether systemd runs this host (default: /run/systemd/system exists, as sd_booted checks). */
  readonly systemdRunning?: () => boolean;
  readonly uid?: number;
};

export type InstallOptions = {
  /** Let the service run as root when the store belongs to root. */
  readonly allowRoot?: boolean;
  /** Generate for another OS (shown, never installed). */
  readonly platform?: ServicePlatform;
  /** Time zone the schedules are read in (TZ of the service); default the host's. */
  readonly timeZone?: string;
};

function platformOf(p: NodeJS.Platform): ServicePlatform {
  if (p === 'darwin' || p === 'win32') return p;
  return 'linux';
}

/**
 * Sets up `configsync scheduler` for one store as a service of this host's own manager: systemd on
 * Linux, launchd on macOS, Task Scheduler on Windows (each OS's tool, no service host of our own).
 * It runs as the user that owns the store, never as root unless asked. Nothing is written or started
 * when the manager cannot be used here, and a failed step undoes the ones before it.
 */
export class ServiceInstaller {
  private readonly run: RunCommand;
  private readonly platform: ServicePlatform;

  constructor(private readonly deps: ServiceInstallerDeps) {
    this.run = deps.run ?? runHostCommand;
    this.platform = platformOf(deps.platform ?? process.platform);
  }

  private get uid(): number {
    return this.deps.uid ?? (typeof process.getuid === 'function' ? process.getuid() : -1);
  }

  /** The service as it would be installed (and whether it is), without changing anything. */
  async describe(options: InstallOptions = {}): Promise<ServiceView> {
    let spec: ServiceSpec;
    const extra: string[] = [];
    try {
      spec = await this.spec(options);
    } catch (err) {
      // Shown all the same: what it would be, and what install needs.
      if (!(err instanceof AppError) || err.code !== 'SERVICE_AS_ROOT') throw err;
      spec = await this.spec({ ...options, allowRoot: true });
      extra.push(err.message);
    }
    const platform = spec.platform;
    const manager: ServiceManager =
      platform === 'linux' ? 'systemd' : platform === 'darwin' ? 'launchd' : 'task-scheduler';
    const definitionPath = this.definitionPath(spec);
    const definition = this.definitionText(spec);
    const here = platform === this.platform;
    const unavailableReason = here
      ? this.unavailable()
      : `This host is not ${platform}: shown, not installed.`;
    const installed = here && existsSync(definitionPath);
    return {
      platform,
      manager,
      name: spec.name,
      scope: spec.scope,
      user: spec.user,
      definitionPath,
      definition,
      command: spec.command,
      available: unavailableReason === null,
      unavailableReason,
      installed,
      state: here && unavailableReason === null && installed ? await this.state(spec) : 'unknown',
      notes: [...extra, ...(await this.notes(spec))],
    };
  }

  /** Writes the definition and has the manager start it now and at every boot (or login). */
  async install(options: InstallOptions = {}): Promise<ServiceView> {
    const spec = await this.spec(options);
    if (spec.platform !== this.platform)
      throw new AppError('BAD_PARAMS', `A ${spec.platform} service cannot be installed on ${this.platform}.`);
    const reason = this.unavailable();
    if (reason) throw new AppError('SERVICE_MANAGER_UNAVAILABLE', reason);
    const path = this.definitionPath(spec);
    const existed = existsSync(path);
    const previous = existed ? await readFile(path) : null;
    try {
      switch (spec.platform) {
        case 'linux': {
          await writeAtomic(path, systemdUnit(spec), 0o644);
          const user = spec.scope === 'user' ? ['--user'] : [];
          await this.must('systemctl', [...user, 'daemon-reload']);
          await this.must('systemctl', [...user, 'enable', '--now', systemdUnitName(spec)]);
          break;
        }
        case 'darwin': {
          await writeAtomic(path, launchdPlist(spec), 0o644);
          const domain = spec.scope === 'system' ? 'system' : `gui/${this.uid}`;
          if (existed) await this.run('launchctl', ['bootout', `${domain}/${launchdLabel(spec)}`]);
          await this.must('launchctl', ['bootstrap', domain, path]);
          break;
        }
        case 'win32': {
          const file = join(tmpdir(), `${spec.name}.xml`);
          await writeAtomic(file, windowsTaskFile(spec), 0o600);
          try {
            await this.must('schtasks', ['/Create', '/TN', windowsTaskName(spec), '/XML', file, '/F']);
          } finally {
            await rm(file, { force: true });
          }
          await this.must('schtasks', ['/Run', '/TN', windowsTaskName(spec)]);
          break;
        }
      }
    } catch (err) {
      // Undo: the old definition back, or none.
      if (spec.platform !== 'win32') {
        if (previous) await writeAtomic(path, previous, 0o644).catch(() => undefined);
        else await rm(path, { force: true });
        if (spec.platform === 'linux')
          await this.run('systemctl', [...(spec.scope === 'user' ? ['--user'] : []), 'daemon-reload']);
      }
      throw err;
    }
    return this.describe(options);
  }

  /** Stops the service and removes its definition; nothing to do is not an error. */
  async uninstall(
    options: InstallOptions = {},
  ): Promise<{ readonly removed: boolean; readonly view: ServiceView }> {
    const spec = await this.spec(options);
    const reason = this.unavailable();
    if (reason) throw new AppError('SERVICE_MANAGER_UNAVAILABLE', reason);
    const path = this.definitionPath(spec);
    let removed = false;
    switch (spec.platform) {
      case 'linux': {
        const user = spec.scope === 'user' ? ['--user'] : [];
        if (existsSync(path)) {
          await this.run('systemctl', [...user, 'disable', '--now', systemdUnitName(spec)]);
          await rm(path, { force: true });
          await this.must('systemctl', [...user, 'daemon-reload']);
          removed = true;
        }
        break;
      }
      case 'darwin': {
        if (existsSync(path)) {
          const domain = spec.scope === 'system' ? 'system' : `gui/${this.uid}`;
          await this.run('launchctl', ['bootout', `${domain}/${launchdLabel(spec)}`]);
          await rm(path, { force: true });
          removed = true;
        }
        break;
      }
      case 'win32': {
        const r = await this.run('schtasks', ['/Delete', '/TN', windowsTaskName(spec), '/F']);
        removed = r.code === 0;
        break;
      }
    }
    return { removed, view: await this.describe(options) };
  }

  /** The newest `lines` lines of the app log (the service writes there), newest last. */
  async logs(lines: number): Promise<{ readonly path: string; readonly lines: ReadonlyArray<string> }> {
    const path = join(this.deps.storeDir, 'logs', APP_LOG_FILE);
    const out: string[] = [];
    for await (const line of linesFromEnd(path)) {
      out.push(line);
      if (out.length >= lines) break;
    }
    return { path, lines: out.reverse() };
  }

  /** Why this host's manager cannot be used now; null when it can. */
  private unavailable(): string | null {
    switch (this.platform) {
      case 'linux': {
        const running = this.deps.systemdRunning ?? (() => existsSync('/run/systemd/system'));
        if (running()) return null;
        let init = 'unknown';
        try {
          init = readFileSync('/proc/1/comm', 'utf8').trim();
        } catch {
          // not Linux's /proc: say unknown
        }
        return (
          `systemd is not running on this host (there is no /run/systemd/system; process 1 is "${init}", ` +
          'as in a container): nothing was installed. "configsync service install --print" prints the unit ' +
          'to install by hand where systemd runs, or run "configsync scheduler" under this host\'s own supervisor.'
        );
      }
      case 'darwin':
      case 'win32':
        return null;
    }
  }

  private async spec(options: InstallOptions): Promise<ServiceSpec> {
    const storeDir = this.deps.storeDir;
    const platform = options.platform ?? this.platform;
    let info;
    try {
      info = await stat(storeDir);
    } catch {
      throw new AppError('STORE_MISSING', `There is no store at ${storeDir}: nothing was installed.`);
    }
    if (!info.isDirectory()) throw new AppError('STORE_MISSING', `${storeDir} is not a store folder.`);
    const me = userInfo();
    let user = me.username;
    let scope: 'system' | 'user' = 'user';
    if (platform === 'win32') {
      const domain = process.env.USERDOMAIN;
      user = domain ? `${domain}\\${me.username}` : me.username;
      scope = 'system';
    } else {
      const owner = info.uid;
      const root = this.uid === 0;
      if (owner === 0 && !options.allowRoot)
        throw new AppError(
          'SERVICE_AS_ROOT',
          `The store ${storeDir} belongs to root, so its service would run as root. Give the store to the user ` +
            'who should run the schedules (chown -R USER), or pass --allow-root to run them as root.',
        );
      if (!root && owner !== this.uid)
        throw new AppError(
          'SERVICE_OWNER',
          `The store ${storeDir} belongs to another user (uid ${owner}): install its service as that user, or as root.`,
        );
      user = owner === me.uid ? me.username : await this.userName(owner);
      scope = root ? 'system' : 'user';
    }
    const env: Record<string, string> = {};
    if (options.timeZone) env.TZ = options.timeZone;
    return {
      platform,
      name: serviceNameFor(storeDir),
      description: `ConfigSync schedules and automatic synchronization of the store ${storeDir}`,
      storeDir,
      command: schedulerCommand(this.deps.self, storeDir),
      user,
      scope,
      outputLog: join(storeDir, 'logs', 'service.out.log'),
      env,
    };
  }

  private async userName(uid: number): Promise<string> {
    const r = await this.run('id', ['-nu', String(uid)]);
    const name = r.stdout.trim();
    if (r.code !== 0 || !name)
      throw new AppError('SERVICE_OWNER', `No user has uid ${uid} (the store's owner).`);
    return name;
  }

  private definitionPath(spec: ServiceSpec): string {
    const d = this.deps.dirs ?? {};
    switch (spec.platform) {
      case 'linux':
        return join(
          spec.scope === 'system'
            ? (d.systemdSystem ?? '/etc/systemd/system')
            : (d.systemdUser ??
                join(process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'systemd', 'user')),
          systemdUnitName(spec),
        );
      case 'darwin':
        return join(
          spec.scope === 'system'
            ? (d.launchDaemons ?? '/Library/LaunchDaemons')
            : (d.launchAgents ?? join(homedir(), 'Library', 'LaunchAgents')),
          `${launchdLabel(spec)}.plist`,
        );
      case 'win32':
        return `Task Scheduler ${windowsTaskName(spec)}`;
    }
  }

  private definitionText(spec: ServiceSpec): string {
    switch (spec.platform) {
      case 'linux':
        return systemdUnit(spec);
      case 'darwin':
        return launchdPlist(spec);
      case 'win32':
        return windowsTaskXml(spec);
    }
  }

  private async state(spec: ServiceSpec): Promise<string> {
    switch (spec.platform) {
      case 'linux': {
        const r = await this.run('systemctl', [
          ...(spec.scope === 'user' ? ['--user'] : []),
          'is-active',
          systemdUnitName(spec),
        ]);
        return r.stdout.trim() || 'unknown';
      }
      case 'darwin': {
        const domain = spec.scope === 'system' ? 'system' : `gui/${this.uid}`;
        const r = await this.run('launchctl', ['print', `${domain}/${launchdLabel(spec)}`]);
        return r.code !== 0 ? 'inactive' : (/state = (\w+)/.exec(r.stdout)?.[1] ?? 'unknown');
      }
      case 'win32': {
        const r = await this.run('schtasks', ['/Query', '/TN', windowsTaskName(spec), '/FO', 'CSV', '/NH']);
        return r.code !== 0 ? 'inactive' : (r.stdout.split(',')[2]?.replace(/"/g, '').trim() ?? 'unknown');
      }
    }
  }

  private async notes(spec: ServiceSpec): Promise<string[]> {
    const notes: string[] = [];
    if (spec.platform === 'linux' && spec.scope === 'user') {
      let linger = false;
      if (this.platform === 'linux' && !this.unavailable()) {
        const r = await this.run('loginctl', ['show-user', spec.user, '--property=Linger', '--value']);
        linger = r.stdout.trim() === 'yes';
      }
      if (!linger)
        notes.push(
          `A user unit runs only while ${spec.user} is logged in, unless lingering is on: run "loginctl enable-linger ${spec.user}" ` +
            '(or install as root for a system unit that runs as this user).',
        );
    }
    if (spec.platform === 'darwin' && spec.scope === 'user')
      notes.push(
        'A launch agent runs while this user is logged in; for a host where no one logs in, install with sudo (a launch daemon that runs as this user).',
      );
    if (spec.platform === 'win32')
      notes.push(
        'The task starts at boot as this user without storing a password (S4U); registering it needs an elevated (administrator) prompt.',
      );
    if (this.deps.self.some((w) => w.includes('/.mount_') || w.startsWith(tmpdir())))
      notes.push(
        'The command points into a temporary folder: install from the installed app or a fixed path so it still exists at boot.',
      );
    return notes;
  }

  private async must(command: string, args: ReadonlyArray<string>): Promise<void> {
    const r = await this.run(command, args);
    if (r.code !== 0)
      throw new AppError(
        'SERVICE_COMMAND_FAILED',
        `${command} ${args.join(' ')} failed (exit ${r.code}): ${(r.stderr || r.stdout).trim().split('\n').slice(0, 3).join(' ')}`,
      );
  }
}

/** Temp file beside the target, fsync, rename, fsync of the folder. */
async function writeAtomic(path: string, data: string | Buffer, mode: number): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.tmp-${process.pid}`;
  const file = await open(temp, 'w', mode);
  try {
    await file.writeFile(data);
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temp, path);
  const dir = await open(dirname(path), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}
