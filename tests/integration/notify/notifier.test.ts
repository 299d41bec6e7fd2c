import { describe, expect, it } from 'vitest';
import { EventBus } from '../../../src-main/rpc/event-bus.js';
import { eventBusNotifier, notifyRunFinished } from '../../../src-main/services/notify/notify-notifier.js';
import type { EventEnvelope } from '../../../src-shared/contract/envelope.js';
import type { RunRecord } from '../../../src-shared/model/history.js';

const ok: RunRecord = {
  id: 'r1',
  setId: 'web',
  trigger: 'watch',
  startedAt: 0,
  finishedAt: 1000,
  destinations: [
    {
      serverId: 'b',
      status: 'ok',
      counts: { created: 1, updated: 0, deleted: 0, unchanged: 0 },
      bytes: 1,
      durationMs: 1,
      message: '',
      logPath: null,
    },
  ],
};

describe('notices through the event bus (browser shell, CLI)', () => {
  it("emits 'app.notice' with level and text; success only when asked", async () => {
    const bus = new EventBus();
    const seen: EventEnvelope[] = [];
    bus.subscribe((e) => seen.push(e));
    const notifier = eventBusNotifier(bus);
    await notifyRunFinished(ok, { notifier, desktop: 'failures', email: 'off' });
    expect(seen).toEqual([]);
    await notifyRunFinished(ok, { notifier, desktop: 'all', email: 'off' });
    await notifyRunFinished(
      { ...ok, error: 'source unreachable', destinations: [] },
      { notifier, desktop: 'failures', email: 'off' },
    );
    expect(seen).toEqual([
      {
        event: 'app.notice',
        payload: { level: 'info', message: 'web: ok (1 ok, 0 failed): All destinations in sync.' },
      },
      {
        event: 'app.notice',
        payload: { level: 'error', message: 'web: failed (0 ok, 0 failed): source unreachable' },
      },
    ]);
  });
});
