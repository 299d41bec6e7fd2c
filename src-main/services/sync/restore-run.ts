import type { z } from 'zod';
import type { syncRestoreInput } from '../../../src-shared/contract/schemas/sync.js';
import { backupDirOf, restoreBackup, type RestoreResult } from '../../engine/backup.js';
import { resolveStateDir } from '../../engine/state-dir.js';
import type { Endpoint } from '../../transport/endpoint.js';
import { AppError } from '../../errors/app-error.js';

export type RestoreDeps = {
  readonly connect: (serverId: string) => Promise<Endpoint>;
  readonly stateDir?: (serverId: string) => string | undefined;
};

/** Puts a destination back as it was before a run, from that run's backup there. */
export async function restoreRun(
  deps: RestoreDeps,
  input: z.output<typeof syncRestoreInput>,
): Promise<RestoreResult> {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(input.runId))
    throw new AppError('BAD_RUN_ID', `"${input.runId}" is not a run id.`);
  const endpoint = await deps.connect(input.serverId);
  try {
    const stateDir = await resolveStateDir(endpoint, deps.stateDir?.(input.serverId));
    return await restoreBackup(endpoint, backupDirOf(stateDir, input.setName, input.runId));
  } finally {
    endpoint.close();
  }
}
