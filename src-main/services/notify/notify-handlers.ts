import type { Handlers } from '../../rpc/router.js';
import { AppError } from '../../errors/app-error.js';
import type { NotifyConfig } from './notify-config.js';
import { sendTestEmail } from './notify-email.js';

/** Handlers for the `notify.*` methods: the notification settings and a test e-mail. */
export function notifyHandlers(
  config: NotifyConfig,
): Pick<Handlers, 'notify.getSettings' | 'notify.saveSettings' | 'notify.sendTest'> {
  const view = () => ({ ...config.settings(), hasPassword: config.hasPassword() });
  return {
    'notify.getSettings': async () => view(),
    'notify.saveSettings': async ({ password, ...settings }) => {
      config.save(settings, password);
      return view();
    },
    'notify.sendTest': async () => {
      const { smtp } = config.settings();
      if (!smtp) throw new AppError('SMTP_NOT_SET', 'Set the SMTP server first, then send a test e-mail.');
      const sent = await sendTestEmail(smtp, config.password());
      return { accepted: [...sent.accepted], rejected: [...sent.rejected] };
    },
  };
}
