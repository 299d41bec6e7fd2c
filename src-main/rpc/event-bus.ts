import { events, type EventName, type EventPayload } from '../../src-shared/contract/events.js';
import type { EventEnvelope } from '../../src-shared/contract/envelope.js';

type Listener = (envelope: EventEnvelope) => void;

/** Fan-out of typed events to every connected transport; payloads are checked against their schema. */
export class EventBus {
  private readonly listeners = new Set<Listener>();

  /** Registers a transport; returns the function that unregisters it. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    const checked = events[event].parse(payload);
    const envelope: EventEnvelope = { event, payload: checked };
    for (const listener of this.listeners) listener(envelope);
  }
}
