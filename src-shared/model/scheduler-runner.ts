import type { SchedulerRunnerView } from '../contract/methods/status.js';

const kindWords = {
  app: 'the ConfigSync app',
  browser: 'the ConfigSync browser shell',
  scheduler: '"configsync scheduler"',
  service: 'the ConfigSync system service',
} as const;

function at(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}

/**
 * Where a store's schedules run, in words for the status tab and `configsync status`: this process,
 * another one (which, on which host, since when), or nowhere (with what to do about it).
 * `thisHost` (the CLI knows it) turns the holder's host name into "on this host"; `viewer` names who
 * is told (the window, or the command).
 */
export function describeRunner(
  runner: SchedulerRunnerView | undefined,
  options: { readonly thisHost?: string; readonly viewer?: string } = {},
): string {
  const { thisHost, viewer = 'this window' } = options;
  if (!runner || runner.where === 'nowhere')
    return 'Schedules are not running: no app, service or "configsync scheduler" runs this store\'s schedules (install the service under Schedules, or run "configsync service install").';
  const who = runner.kind ? kindWords[runner.kind] : 'another process';
  const where = runner.host ? (runner.host === thisHost ? 'on this host' : `on ${runner.host}`) : '';
  const detail = [runner.pid ? `pid ${runner.pid}` : '', runner.since ? `since ${at(runner.since)} UTC` : '']
    .filter(Boolean)
    .join(', ');
  const tail = `${where ? ` ${where}` : ''}${detail ? ` (${detail})` : ''}`;
  if (runner.where === 'this-process') return `Schedules run here, in ${who}${tail}.`;
  return `Schedules run in ${who}${tail}; ${viewer} shows them and does not fire them itself.`;
}
