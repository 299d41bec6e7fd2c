import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ScheduleOperation } from '../../src-shared/model/schedule.js';
import { assertNever } from '../../src-shared/assert-never.js';
import { exportConfig } from '../services/servers/server-backup.js';
import type { ServerService } from '../services/servers/server-service.js';
import type { StatusService } from '../services/status/status-service.js';
import type { Clock } from './clock.js';
import type { RunOutcome } from './run-outcome.js';
import type { SetRunner } from './set-runner.js';

/** How many configuration backups the scheduled 'backup-config' operation keeps. */
const KEEP_CONFIG_BACKUPS = 30;

export type ScheduledOperationDeps = {
  readonly dataDir: string;
  readonly clock: Clock;
  readonly runner: Pick<SetRunner, 'runSet'>;
  readonly servers: ServerService;
  readonly status: Pick<StatusService, 'checkHealth' | 'checkDrift'>;
};

/** Runs one operation a schedule entry names. */
export function scheduledOperations(
  deps: ScheduledOperationDeps,
): (op: ScheduleOperation) => Promise<RunOutcome> {
  return async (op) => {
    switch (op.kind) {
      case 'sync-set':
        return deps.runner.runSet(op.setId, 'schedule');
      case 'backup-config':
        return backupConfig(deps);
      case 'health-check':
        await deps.status.checkHealth();
        return { result: 'ok', message: 'Health checks done.' };
      case 'drift-check':
        await deps.status.checkDrift();
        return { result: 'ok', message: 'Drift check done.' };
      default:
        return assertNever(op);
    }
  };
}

/** The scheduled "back up the app configuration": config.export into the data dir, the newest few kept. */
async function backupConfig(deps: ScheduledOperationDeps): Promise<RunOutcome> {
  const dir = join(deps.dataDir, 'config-backups');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const now = new Date(deps.clock.now());
  const out = await exportConfig(
    deps.servers,
    join(dir, `configsync-${now.toISOString().replace(/[:.]/g, '-')}.json`),
    now,
  );
  const old = (await readdir(dir)).filter((n) => /^configsync-.*\.json$/.test(n)).sort();
  for (const name of old.slice(0, Math.max(0, old.length - KEEP_CONFIG_BACKUPS)))
    await rm(join(dir, name), { force: true });
  return { result: 'ok', message: `Configuration saved to ${out.path ?? dir}.` };
}
