import { z } from 'zod';
import { menuCommand } from '../menu.js';
import { syncFinishedEvent, syncProgressEvent } from './schemas/sync.js';

/** Every event main pushes to the renderer, with its payload schema. */
export const events = {
  /** A native (Electron) menu item was chosen; the renderer opens the matching view. */
  'menu.command': z.object({ command: menuCommand }),
  /** Something the user should hear about, shown as a notification. */
  'app.notice': z.object({ level: z.enum(['info', 'warning', 'error']), message: z.string() }),
  /** A throttled progress sample of one destination of a running sync (≤ 10 a second). */
  'sync.progress': syncProgressEvent,
  /** A sync run ended (every destination has its report). */
  'sync.finished': syncFinishedEvent,
  /** Something the Synchronization status tab shows changed (a run, a check, a role); it reloads status.overview. */
  'status.changed': z.object({ reason: z.string() }),
} as const satisfies Record<string, z.ZodType>;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]>;
