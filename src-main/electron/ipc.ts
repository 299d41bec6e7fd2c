import { ipcMain, type BrowserWindow } from 'electron';
import type { ComposedApp } from '../compose.js';
import { EVENT_CHANNEL, RPC_CHANNEL } from './channels.js';
import { forbiddenResponse, isTrustedSender } from './trusted-sender.js';

/**
 * The Electron transport for RPC: each `configsync:rpc` call is checked for its sender (the main
 * frame of our window, showing our index) before the router sees it; anything else gets FORBIDDEN.
 * Returns the function that removes the handler.
 */
export function serveRpc(
  composed: ComposedApp,
  mainWindow: () => BrowserWindow | undefined,
  appUrl: string,
): () => void {
  ipcMain.handle(RPC_CHANNEL, (event, raw: unknown) => {
    const win = mainWindow();
    const frame = event.senderFrame;
    const trusted =
      win !== undefined &&
      !win.isDestroyed() &&
      frame !== null &&
      isTrustedSender(frame.url, appUrl, {
        isMainFrame: frame.parent === null,
        isOwnWindow: event.sender === win.webContents,
      });
    if (!trusted) return forbiddenResponse(raw);
    return composed.router.handle(raw, { transport: 'electron' });
  });
  return () => ipcMain.removeHandler(RPC_CHANNEL);
}

/** Pushes every event of the bus to `win` on `configsync:event` until the window closes. */
export function forwardEvents(composed: ComposedApp, win: BrowserWindow): () => void {
  const unsubscribe = composed.events.subscribe((envelope) => {
    if (!win.isDestroyed()) win.webContents.send(EVENT_CHANNEL, envelope);
  });
  win.once('closed', unsubscribe);
  return unsubscribe;
}
