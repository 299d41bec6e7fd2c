import type { ComposedApp } from '../../../src-main/compose.js';
import type { EventName, EventPayload } from '../../../src-shared/contract/events.js';

/** Resolves with the next event of that name whose payload passes `match` (no polling, no sleeping). */
export function nextEvent<E extends EventName>(
  app: ComposedApp,
  event: E,
  match: (payload: EventPayload<E>) => boolean = () => true,
): Promise<EventPayload<E>> {
  return new Promise((resolve) => {
    const stop = app.events.subscribe((e) => {
      if (e.event !== event || !match(e.payload as EventPayload<E>)) return;
      stop();
      resolve(e.payload as EventPayload<E>);
    });
  });
}

/** The next finished run once its history line is written ('status.changed' with reason 'run'). */
export function nextRecordedRun(app: ComposedApp): Promise<unknown> {
  return nextEvent(app, 'status.changed', (p) => p.reason === 'run');
}
