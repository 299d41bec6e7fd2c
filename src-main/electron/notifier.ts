import { Notification } from 'electron';
import type { Notifier } from '../services/notify/notify-notifier.js';
import { noticeOptions } from './notice-options.js';

export type ElectronNotifierOptions = {
  readonly iconPath?: string;
  /** Clicking a notice (brings the window to the front). */
  readonly onClick?: () => void;
  /** Where notices go when the desktop has no notification service (in-app notices). */
  readonly fallback?: Notifier;
};

/**
 * Desktop notices through Electron's Notification. Each shown notice is held until it is closed or
 * clicked: one that is garbage collected while on screen loses its click handler.
 */
export function electronNotifier(options: ElectronNotifierOptions = {}): Notifier {
  const shown = new Set<Notification>();
  return {
    notify(title, body, level) {
      if (!Notification.isSupported()) {
        options.fallback?.notify(title, body, level);
        return;
      }
      const notice = new Notification(noticeOptions(title, body, level, options.iconPath));
      shown.add(notice);
      const release = () => shown.delete(notice);
      notice.on('click', () => {
        release();
        options.onClick?.();
      });
      notice.on('close', release);
      notice.on('failed', (_event, error) => {
        release();
        options.fallback?.notify(title, `${body} (desktop notice failed: ${error})`, level);
      });
      notice.show();
    },
  };
}
