import type { EventBus } from '../../rpc/event-bus.js';
import { runResultOf, type RunRecord } from '../../../src-shared/model/history.js';
import { formatRunSummary, type NameLookup } from './notify-summary.js';
import type { MailContent } from './notify-email.js';
import { assertNever } from '../../../src-shared/assert-never.js';

export type NoticeLevel = 'info' | 'warning' | 'error';

/**
 * Desktop notifications. The Electron shell implements it with Electron's Notification; the browser
 * shell and the CLI use eventBusNotifier, so the renderer shows them as in-app notices.
 */
export type Notifier = { notify(title: string, body: string, level: NoticeLevel): void };

/** Forwards notices to every connected renderer as 'app.notice' events. */
export function eventBusNotifier(bus: EventBus): Notifier {
  return {
    notify: (title, body, level) =>
      bus.emit('app.notice', { level, message: body ? `${title}: ${body}` : title }),
  };
}

/** Which runs are told about: none, failures only (partial included), or all. */
export type NotifyWhen = 'off' | 'failures' | 'all';

export type RunNotificationDeps = {
  readonly notifier: Notifier;
  readonly desktop: NotifyWhen;
  readonly email: NotifyWhen;
  /** Sends a mail with the configured SMTP settings and password (sendEmail bound to them); absent when mail is not set up. */
  readonly sendMail?: (content: MailContent) => Promise<unknown>;
  readonly names?: NameLookup;
};

function wanted(when: NotifyWhen, ok: boolean): boolean {
  switch (when) {
    case 'off':
      return false;
    case 'failures':
      return !ok;
    case 'all':
      return true;
    default:
      return assertNever(when);
  }
}

/**
 * Tells the user about a finished run, by desktop notice and/or summary mail, as configured. A mail
 * that cannot be sent is itself reported as a warning notice, never thrown: a run's outcome does not
 * depend on the mail server.
 */
export async function notifyRunFinished(record: RunRecord, deps: RunNotificationDeps): Promise<void> {
  const result = runResultOf(record);
  const ok = result === 'ok';
  const summary = formatRunSummary(record, deps.names ?? {});
  if (wanted(deps.desktop, ok)) {
    const title = summary.subject.replace(/^\[ConfigSync\] /, '');
    const failed = record.destinations
      .filter((d) => d.status !== 'ok')
      .map((d) => deps.names?.serverName?.(d.serverId) ?? d.serverId);
    const body =
      record.error ??
      (failed.length > 0 ? `Not synchronized: ${failed.join(', ')}` : 'All destinations in sync.');
    deps.notifier.notify(title, body, result === 'ok' ? 'info' : result === 'partial' ? 'warning' : 'error');
  }
  if (deps.sendMail && wanted(deps.email, ok)) {
    try {
      await deps.sendMail(summary);
    } catch (err) {
      deps.notifier.notify(
        'Summary e-mail not sent',
        err instanceof Error ? err.message : String(err),
        'warning',
      );
    }
  }
}
