import type { ResponseEnvelope } from '../../src-shared/contract/envelope.js';
import { isAppIndex } from './navigation.js';

/** Where an IPC message came from, as the transport sees it. */
export type SenderFrame = {
  /** The sending frame is its page's main frame (not an iframe). */
  readonly isMainFrame: boolean;
  /** The sending web contents is the app's own window. */
  readonly isOwnWindow: boolean;
};

/**
 * Whether an IPC call may reach the router: it must come from the main frame of the app's own
 * window, currently showing the app's own index. A subframe, another window, or a page that was
 * somehow navigated elsewhere is refused (the transport answers FORBIDDEN).
 */
export function isTrustedSender(
  frameUrl: string | null | undefined,
  appUrl: string,
  frame: SenderFrame,
): boolean {
  return frame.isMainFrame && frame.isOwnWindow && isAppIndex(frameUrl, appUrl);
}

/**
 * The answer to a refused IPC call: the caller's id when it sent a usable one, code FORBIDDEN.
 * The router never sees the request.
 */
export function forbiddenResponse(raw: unknown): ResponseEnvelope {
  return {
    id: requestId(raw),
    ok: false,
    error: { code: 'FORBIDDEN', message: 'Refused: this call did not come from the ConfigSync window.' },
  };
}

function requestId(raw: unknown): number | string | null {
  if (raw === null || typeof raw !== 'object' || !('id' in raw)) return null;
  const id: unknown = raw.id;
  if (typeof id === 'number' && Number.isInteger(id)) return id;
  if (typeof id === 'string' && id.length <= 64) return id;
  return null;
}
