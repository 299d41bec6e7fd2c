import { describe, expect, it } from 'vitest';
import { backupsCheck, errorsCheck, overallState } from '../../../src-main/services/status/health-check.js';
import { promoteOffer, promotionConsequence } from '../../../src-main/services/status/switch-over.js';
import { statusExitCode } from '../../../src-main/cli/commands-status.js';
import type { RunRecord } from '../../../src-shared/model/history.js';
import type { Server } from '../../../src-shared/model/server.js';
import type { StatusOverview } from '../../../src-shared/contract/methods/status.js';

const counts = (n: number) => ({ created: n, updated: 0, deleted: 0, unchanged: 1 });
function run(id: string, at: number, status: 'ok' | 'failed', changed = 1): RunRecord {
  return {
    id,
    setId: 's',
    trigger: 'schedule',
    startedAt: at,
    finishedAt: at + 1000,
    destinations: [
      { serverId: 'b', status, counts: counts(changed), bytes: 0, durationMs: 1, message: '', logPath: null },
    ],
  };
}
function server(id: string, role: Server['role'], ok: boolean | null): Server {
  return {
    kind: 'ssh',
    id,
    name: id,
    host: 'h',
    port: 22,
    user: 'u',
    role,
    contactTimeoutSec: 5,
    vars: {},
    auth: { kind: 'app-key' },
    pinnedHostKey: null,
    lastContact:
      ok === null ? null : { at: '2026-01-01T00:00:00Z', ok, message: ok ? 'Connected.' : 'refused' },
  };
}

describe('health checklist pieces', () => {
  it('errors in the last runs: ok, warning for an older failure, failed when the latest failed', () => {
    expect(errorsCheck('b', []).state).toBe('ok');
    expect(errorsCheck('b', [run('1', 1, 'ok'), run('2', 2, 'ok')])).toMatchObject({
      state: 'ok',
      message: 'No errors in the last 2 run(s).',
    });
    expect(errorsCheck('b', [run('1', 1, 'failed'), run('2', 2, 'ok')]).state).toBe('warning');
    expect(errorsCheck('b', [run('1', 1, 'ok'), run('2', 2, 'failed')]).state).toBe('failed');
    // Only the last five count.
    const old = [run('0', 0, 'failed'), ...['1', '2', '3', '4', '5'].map((id, i) => run(id, i + 1, 'ok'))];
    expect(errorsCheck('b', old).state).toBe('ok');
  });

  it('backups ran: the last run that changed files left a backup', () => {
    const b = server('b', 'secondary', true);
    expect(backupsCheck(b, [run('1', 10_000, 'ok', 0)], null).state).toBe('ok');
    expect(backupsCheck(b, [run('1', 10_000, 'ok')], null).state).toBe('warning');
    expect(backupsCheck(b, [run('1', 10_000, 'ok')], 10_500).state).toBe('ok');
    expect(backupsCheck(server('p', 'primary', true), [], null).state).toBe('ok');
  });

  it('the overall state is the worst check', () => {
    expect(overallState([])).toBe('unknown');
    expect(overallState([{ state: 'ok' }, { state: 'unknown' }])).toBe('unknown');
    expect(overallState([{ state: 'warning' }, { state: 'failed' }, { state: 'ok' }])).toBe('failed');
  });
});

describe('switch-over offer', () => {
  it('is offered only when the primary failed its last contact, with the secondaries as candidates', () => {
    expect(promoteOffer([server('p', 'primary', true), server('b', 'secondary', true)]).offered).toBe(false);
    expect(promoteOffer([server('p', 'primary', null), server('b', 'secondary', true)]).offered).toBe(false);
    const offer = promoteOffer([
      server('p', 'primary', false),
      server('b', 'secondary', true),
      server('n', 'not-selected', true),
    ]);
    expect(offer).toMatchObject({ offered: true, primaryId: 'p', candidates: ['b'] });
    expect(offer.reason).toMatch(/The primary "p" did not answer .*refused/);
    expect(promoteOffer([server('p', 'primary', false)]).offered).toBe(false);
  });

  it('says what happens to both servers', () => {
    expect(promotionConsequence('b', 'p')).toBe(
      '"b" becomes the primary, the source of every synchronization. "p" becomes a secondary: the next synchronization overwrites its files with those of "b".',
    );
  });
});

describe('configsync status exit code', () => {
  const row = (role: Server['role'], ok: boolean | null, drift: 'in-sync' | 'differs' | 'unknown') =>
    ({ role, contact: { ok }, drift: { state: drift } }) as unknown as StatusOverview['servers'][number];
  const of = (...servers: StatusOverview['servers']) => statusExitCode({ servers } as StatusOverview);
  it('5 unreachable before 10 drift before 0; Not Selected servers do not count', () => {
    expect(of(row('primary', true, 'in-sync'), row('secondary', true, 'in-sync'))).toBe(0);
    expect(of(row('primary', true, 'in-sync'), row('secondary', true, 'unknown'))).toBe(0);
    expect(of(row('primary', true, 'in-sync'), row('secondary', true, 'differs'))).toBe(10);
    expect(of(row('primary', false, 'in-sync'), row('secondary', true, 'differs'))).toBe(5);
    expect(of(row('primary', true, 'in-sync'), row('not-selected', false, 'differs'))).toBe(0);
  });
});
