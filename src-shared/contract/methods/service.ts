import { z } from 'zod';
import { schedulerRunner } from './status.js';

const servicePlatform = z.enum(['linux', 'darwin', 'win32']);

/** A store's scheduler service as this host's manager has it (or would have it). */
export const serviceView = z.object({
  platform: servicePlatform,
  manager: z.enum(['systemd', 'launchd', 'task-scheduler']),
  /** Per store: `configsync-scheduler-<8 hex>`. */
  name: z.string(),
  scope: z.enum(['system', 'user']),
  /** The account it runs as (the store's owner). */
  user: z.string(),
  definitionPath: z.string(),
  /** The generated systemd unit, launchd plist or Task Scheduler XML. */
  definition: z.string(),
  command: z.array(z.string()),
  available: z.boolean(),
  unavailableReason: z.string().nullable(),
  installed: z.boolean(),
  state: z.string(),
  notes: z.array(z.string()),
  /** Who runs this store's schedules right now (the service, the app, nobody). */
  runner: schedulerRunner,
});
export type ServiceView = z.infer<typeof serviceView>;

const installOptions = z
  .object({
    /** The store belongs to root and the schedules may run as root. */
    allowRoot: z.boolean().optional(),
    /** Another OS's definition, shown and never installed. */
    platform: servicePlatform.optional(),
    /** IANA zone the service reads schedule entries in (its TZ). */
    timeZone: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[A-Za-z0-9_+\-/]+$/)
      .optional(),
  })
  .strict();

/**
 * `service.*`: the scheduler of this store as a service of the host (systemd, launchd, Task
 * Scheduler), so schedules run when no one is logged in. The CLI's `configsync service` and the
 * Schedules dialog use the same methods.
 */
export const serviceMethods = {
  'service.status': { input: installOptions, output: serviceView },
  'service.install': { input: installOptions, output: serviceView },
  'service.uninstall': {
    input: installOptions,
    output: z.object({ removed: z.boolean(), view: serviceView }),
  },
  /** The newest lines of the app log, which the service writes to. */
  'service.logs': {
    input: z.object({ lines: z.number().int().min(1).max(5000).default(50) }).strict(),
    output: z.object({ path: z.string(), lines: z.array(z.string()) }),
  },
} as const;
