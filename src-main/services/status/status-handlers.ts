import type { StatusOverview } from '../../../src-shared/contract/methods/status.js';
import type { Handlers } from '../../rpc/router.js';
import type { ServerService } from '../servers/server-service.js';
import type { StatusService } from './status-service.js';
import { promote } from './switch-over.js';

export type StatusHandlerDeps = {
  readonly status: StatusService;
  readonly servers: ServerService;
  /** After a switch-over: watchers follow the new primary. */
  readonly rolesChanged: () => Promise<void>;
  /** What the background side (schedules, triggers) is doing, for the overview. */
  readonly background: () => StatusOverview['background'];
};

/** `status.overview`, `status.checkNow` and the switch-over `servers.promote`. */
export function statusHandlers(
  deps: StatusHandlerDeps,
): Pick<Handlers, 'status.overview' | 'status.checkNow' | 'servers.promote'> {
  return {
    'status.overview': async () => ({ ...(await deps.status.overview()), background: deps.background() }),
    'status.checkNow': async () => ({ ...(await deps.status.checkNow()), background: deps.background() }),
    'servers.promote': async ({ id }) => {
      const result = promote(deps.servers, id);
      await deps.rolesChanged();
      deps.status.changed('promoted');
      return result;
    },
  };
}
