// The page's RPC socket as the Differences page benchmark watches it: when `sync.plan` is answered, and
// when the first page of entries is asked and answered after it, as epoch milliseconds
// taken from Chromium's own frame times.
import type { Page } from '@playwright/test';
import type { Output } from '../src-shared/contract/api.js';

export type PlanResult = Output<'sync.plan'>;

export type Frames = {
  /** The `sync.plan` answer: when it arrived, and what it says. */
  readonly plan: Promise<{ at: number; result: PlanResult }>;
  /** The first `sync.entries` after the plan: when asked and answered. */
  entriesSentAt: number | null;
  entriesAt: number | null;
};

/**
 * Watches the page's RPC socket (frames are `{id, method, params}` out, `{id, ok, result}` in) through
 * the DevTools protocol, for the times Chromium itself gives each frame: Playwright's own
 * `websocket` frame events reach this process in batches (the plan's answer and the first page's
 * answer came 0.3 ms apart), so a time taken on their arrival here is late by a variable amount.
 */
export async function watchFrames(page: Page): Promise<Frames> {
  const cdp = await page.context().newCDPSession(page);
  let answered: (v: { at: number; result: PlanResult }) => void = () => undefined;
  let failed: (e: Error) => void = () => undefined;
  const frames: Frames = {
    plan: new Promise((resolve, reject) => ((answered = resolve), (failed = reject))),
    entriesSentAt: null,
    entriesAt: null,
  };
  // CDP frame times are monotonic seconds; the handshake also carries the wall clock, which maps them.
  let epochOffsetMs: number | null = null;
  const epoch = (timestamp: number) => timestamp * 1000 + (epochOffsetMs ?? Number.NaN);
  const asked = new Map<string, string>();
  let planAnswered = false;
  cdp.on(
    'Network.webSocketWillSendHandshakeRequest',
    (e) => (epochOffsetMs ??= (e.wallTime - e.timestamp) * 1000),
  );
  cdp.on('Network.webSocketFrameSent', (e) => {
    const msg = JSON.parse(e.response.payloadData) as { id: number | string; method: string };
    asked.set(`${e.requestId}:${msg.id}`, msg.method);
    if (msg.method === 'sync.entries' && planAnswered) frames.entriesSentAt ??= epoch(e.timestamp);
  });
  cdp.on('Network.webSocketFrameReceived', (e) => {
    const msg = JSON.parse(e.response.payloadData) as {
      id?: number | string | null;
      ok?: boolean;
      result?: unknown;
      error?: { message: string };
    };
    const method =
      msg.id === undefined || msg.id === null ? undefined : asked.get(`${e.requestId}:${msg.id}`);
    if (method === 'sync.plan' && !planAnswered) {
      planAnswered = true;
      if (msg.ok) answered({ at: epoch(e.timestamp), result: msg.result as PlanResult });
      else failed(new Error(`sync.plan failed: ${msg.error?.message}`));
    } else if (method === 'sync.entries' && frames.entriesSentAt !== null)
      frames.entriesAt ??= epoch(e.timestamp);
  });
  await cdp.send('Network.enable');
  return frames;
}
