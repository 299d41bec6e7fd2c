import type { StatusOverview } from '../../../src-shared/contract/methods/status.js';
import type { Server, ServerListState } from '../../../src-shared/model/server.js';
import { AppError } from '../../errors/app-error.js';
import type { ServerService } from '../servers/server-service.js';

/** What a promotion changes, in the words the confirmation shows. */
export function promotionConsequence(newPrimary: string, oldPrimary: string | null): string {
  return oldPrimary
    ? `"${newPrimary}" becomes the primary, the source of every synchronization. "${oldPrimary}" becomes a secondary: the next synchronization overwrites its files with those of "${newPrimary}".`
    : `"${newPrimary}" becomes the primary, the source of every synchronization.`;
}

/** Switch-over is offered when the primary's last contact failed: any secondary may take its place. */
export function promoteOffer(servers: ReadonlyArray<Server>): StatusOverview['promote'] {
  const primary = servers.find((s) => s.role === 'primary');
  const candidates = servers.filter((s) => s.role === 'secondary').map((s) => s.id);
  if (!primary) return { offered: false, primaryId: null, reason: 'No server is the primary.', candidates };
  const contact = primary.lastContact;
  if (!contact || contact.ok)
    return {
      offered: false,
      primaryId: primary.id,
      reason: `"${primary.name}" answered at its last contact.`,
      candidates,
    };
  return {
    offered: candidates.length > 0,
    primaryId: primary.id,
    reason: `The primary "${primary.name}" did not answer at ${contact.at}: ${contact.message}`,
    candidates,
  };
}

/**
 * `servers.promote`: the secondary becomes the primary and the old primary a secondary, committed at
 * once (through setRole + commit, so the list's own checks apply). Refused while the server list
 * has unsaved edits, which would otherwise be saved along with it.
 */
export function promote(
  service: ServerService,
  id: string,
): { state: ServerListState; previousPrimaryId: string | null; message: string } {
  const before = service.state();
  const server = before.committed.find((s) => s.id === id);
  if (!server) throw new AppError('NOT_FOUND', `There is no server with id "${id}" in the saved list.`);
  if (server.role === 'primary')
    throw new AppError('ALREADY_PRIMARY', `"${server.name}" is already the primary.`);
  if (server.role === 'not-selected')
    throw new AppError(
      'NOT_SELECTED',
      `"${server.name}" is Not Selected: make it a secondary in the server list first.`,
    );
  if (before.dirty)
    throw new AppError(
      'UNSAVED_EDITS',
      'The server list has unsaved edits: save or reset them in the Server List Wizard, then promote.',
    );
  const old = before.committed.find((s) => s.role === 'primary') ?? null;
  service.setRole(id, 'primary');
  const state = service.commit();
  return {
    state,
    previousPrimaryId: old?.id ?? null,
    message: promotionConsequence(server.name, old?.name ?? null),
  };
}
