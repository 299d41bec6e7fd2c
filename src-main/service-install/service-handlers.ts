import type { z } from 'zod';
import type { serviceMethods } from '../../src-shared/contract/methods/service.js';
import type { SchedulerRunner } from '../scheduler/scheduler-presence.js';
import type { ServiceInstaller, ServiceView } from './service-installer.js';

type Methods = typeof serviceMethods;
export type ServiceHandlers = {
  readonly [M in keyof Methods]: (
    input: z.output<Methods[M]['input']>,
  ) => Promise<z.output<Methods[M]['output']>>;
};

/** `service.*` over the installer, each view with who runs the store's schedules now. */
export function serviceHandlers(deps: {
  /** Loaded on first use: the OS generators (and the plist library) stay out of every CLI start. */
  readonly installer: () => Promise<ServiceInstaller>;
  readonly runner: () => Promise<SchedulerRunner>;
}): ServiceHandlers {
  let loaded: Promise<ServiceInstaller> | null = null;
  const installer = () => (loaded ??= deps.installer());
  const clean = <
    T extends {
      allowRoot?: boolean | undefined;
      platform?: 'linux' | 'darwin' | 'win32' | undefined;
      timeZone?: string | undefined;
    },
  >(
    o: T,
  ) => ({
    ...(o.allowRoot !== undefined ? { allowRoot: o.allowRoot } : {}),
    ...(o.platform !== undefined ? { platform: o.platform } : {}),
    ...(o.timeZone !== undefined ? { timeZone: o.timeZone } : {}),
  });
  const view = async (v: ServiceView) => ({
    ...v,
    command: [...v.command],
    notes: [...v.notes],
    runner: await deps.runner(),
  });
  return {
    'service.status': async (o) => view(await (await installer()).describe(clean(o))),
    'service.install': async (o) => view(await (await installer()).install(clean(o))),
    'service.uninstall': async (o) => {
      const r = await (await installer()).uninstall(clean(o));
      return { removed: r.removed, view: await view(r.view) };
    },
    'service.logs': async ({ lines }) => {
      const r = await (await installer()).logs(lines);
      return { path: r.path, lines: [...r.lines] };
    },
  };
}
