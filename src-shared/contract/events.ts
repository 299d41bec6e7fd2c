import { z } from 'zod';
import { menuCommand } from '../menu.js';

/** Every event main pushes to the renderer, with its payload schema. */
export const events = {
  /** A native (Electron) menu item was chosen; the renderer opens the matching view. */
  'menu.command': z.object({ command: menuCommand }),
  /** Something the user should hear about, shown as a notification. */
  'app.notice': z.object({ level: z.enum(['info', 'warning', 'error']), message: z.string() }),
} as const satisfies Record<string, z.ZodType>;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]>;
