import type { NotificationConstructorOptions } from 'electron';
import type { NoticeLevel } from '../services/notify/notify-notifier.js';

/**
 * A desktop notice as Electron Notification options: errors are critical (they stay on screen on
 * Linux until dismissed), information is silent. Pure, so a plain-Node test checks it.
 */
export function noticeOptions(
  title: string,
  body: string,
  level: NoticeLevel,
  iconPath?: string,
): NotificationConstructorOptions {
  return {
    title,
    body,
    silent: level === 'info',
    urgency: level === 'error' ? 'critical' : 'normal',
    timeoutType: level === 'error' ? 'never' : 'default',
    ...(iconPath ? { icon: iconPath } : {}),
  };
}
