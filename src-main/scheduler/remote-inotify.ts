import type { ClientChannel } from 'ssh2';
import type { SshConnection } from '../transport/ssh-connection.js';
import { systemClock, type Clock } from './clock.js';
import { Debouncer } from './debouncer.js';
import { shq } from '../transport/shell-quote.js';
import { DEFAULT_DEBOUNCE_MS, type ChangeHandler, type SourceWatch } from './source-watch.js';

export type RemoteWatchOptions = {
  readonly onChange: ChangeHandler;
  /** The watch ended on its own (connection lost, folder removed); the caller falls back to polling. */
  readonly onEnd?: (reason: string) => void;
  readonly debounceMs?: number;
  readonly clock?: Clock;
};

/** True when the host has inotifywait (inotify-tools) on the PATH of a non-interactive login. */
export async function hasInotifywait(conn: SshConnection): Promise<boolean> {
  const r = await conn.exec('command -v inotifywait >/dev/null 2>&1');
  return r.code === 0;
}

/**
 * Watches a remote source with `inotifywait -m -r` over one exec channel, debounced like the local
 * watcher. Returns null when the host has no inotifywait (poll instead). Resolves once inotifywait
 * says its watches are established. Closing the channel's stdin ends the remote process: a wrapper
 * waits on stdin and kills inotifywait at EOF, which also happens when the connection drops.
 * A folder that cannot be watched (missing, no permission) fails with inotifywait's message.
 */
export async function watchRemoteWithInotify(
  conn: SshConnection,
  root: string,
  options: RemoteWatchOptions,
): Promise<SourceWatch | null> {
  if (!(await hasInotifywait(conn))) return null;
  const base = root.endsWith('/') ? root : `${root}/`;
  // The channel's stdin is kept on fd 3 for a background reader (a background job's own stdin is
  // /dev/null); at EOF it kills inotifywait. If inotifywait exits on its own, the script exits too.
  const script =
    `exec 3<&0; inotifywait -m -r -e close_write,create,delete,move,attrib --format '%w%f' -- ${shq(base)} </dev/null & p=$!; ` +
    `( cat <&3 >/dev/null 2>&1; kill $p 2>/dev/null ) & w=$!; exec 3<&-; ` +
    `wait $p; s=$?; kill $w 2>/dev/null; exit $s`;
  const channel = await conn.execChannel(script);
  const debouncer = new Debouncer<string>(
    options.clock ?? systemClock,
    options.debounceMs ?? DEFAULT_DEBOUNCE_MS,
    options.onChange,
  );
  let closing = false;
  const closed = new Promise<void>((resolve) => channel.once('close', () => resolve()));
  let buffer = '';
  channel.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (line) debouncer.poke(line.startsWith(base) ? line.slice(base.length) : line);
    }
  });
  await waitForWatches(channel, root);
  void closed.then(() => {
    debouncer.cancel();
    if (!closing) options.onEnd?.(`The inotifywait watch on ${root} ended.`);
  });
  return {
    async close() {
      closing = true;
      debouncer.cancel();
      channel.end();
      await closed;
    },
  };
}

/** inotifywait prints "Watches established." on stderr when ready, or an error and exits. */
function waitForWatches(channel: ClientChannel, root: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let stderr = '';
    const onData = (d: Buffer) => {
      stderr += d.toString('utf8');
      if (stderr.includes('Watches established')) {
        channel.stderr.off('data', onData);
        channel.stderr.resume();
        resolve();
      }
    };
    channel.stderr.on('data', onData);
    channel.once('close', () =>
      reject(new Error(`inotifywait could not watch ${root}: ${stderr.trim() || 'it exited'}`)),
    );
  });
}
