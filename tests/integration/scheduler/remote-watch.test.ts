import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmod, mkdir, rename, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { openSsh, type SshConnection } from '../../../src-main/transport/ssh-connection.js';
import { hasInotifywait, watchRemoteWithInotify } from '../../../src-main/scheduler/remote-inotify.js';
import { remoteListingSignature } from '../../../src-main/scheduler/remote-signature.js';
import { SignaturePoller } from '../../../src-main/scheduler/remote-poller.js';
import { startSshd, type SshdServer } from '../../support/sshd.js';
import { FakeClock } from '../../unit/scheduler/fake-clock.js';

describe('remote source change detection over real sshd', () => {
  let s: SshdServer;
  let conn: SshConnection;
  let root: string;
  beforeAll(async () => {
    s = await startSshd();
    conn = await openSsh({
      host: s.host,
      port: s.port,
      username: s.user,
      auth: { kind: 'key', privateKey: s.clientKey.privateKey },
      pinnedHostKey: { algorithm: s.hostKeyAlgorithm, fingerprint: s.hostKeyFingerprint },
      contactTimeoutMs: 5000,
    });
    root = join(s.dataRoot, "etc app's");
    await mkdir(join(root, 'sub'), { recursive: true });
    await writeFile(join(root, 'a.conf'), 'one\n');
  });
  afterAll(async () => {
    conn?.close();
    await s?.stop();
  });

  it('the listing signature is stable, and changes on an edit, an addition and a chmod', async () => {
    const s1 = await remoteListingSignature(conn, root);
    expect(await remoteListingSignature(conn, root)).toBe(s1);
    await writeFile(join(root, 'a.conf'), 'one!\n');
    const s2 = await remoteListingSignature(conn, root);
    expect(s2).not.toBe(s1);
    await writeFile(join(root, 'sub', 'b.conf'), 'b\n');
    const s3 = await remoteListingSignature(conn, root);
    expect(s3).not.toBe(s2);
    await chmod(join(root, 'sub', 'b.conf'), 0o600);
    expect(await remoteListingSignature(conn, root)).not.toBe(s3);
    await expect(remoteListingSignature(conn, join(root, 'missing'))).rejects.toThrow(
      /Listing .*missing failed/,
    );
  });

  it('a polled remote source is picked up within one period (controlled clock, real listing)', async () => {
    const clock = new FakeClock(0);
    let changed!: () => void;
    const change = new Promise<void>((r) => (changed = r));
    let changes = 0;
    const poller = new SignaturePoller({
      clock,
      intervalMs: 10_000,
      signature: () => remoteListingSignature(conn, root),
      onChange: () => {
        changes++;
        changed();
      },
    });
    await poller.start();
    await writeFile(join(root, 'polled.conf'), 'new\n');
    await clock.advance(10_000);
    await change;
    expect(changes).toBe(1);
    poller.stop();
  });

  it('inotifywait -m -r over an exec channel: a burst is one trigger; close ends the remote process', async () => {
    expect(await hasInotifywait(conn)).toBe(true);
    const triggers: string[][] = [];
    const waiters: Array<() => void> = [];
    const next = () => new Promise<void>((r) => waiters.push(r));
    const watch = await watchRemoteWithInotify(conn, root, {
      debounceMs: 200,
      onChange: (paths) => {
        triggers.push([...paths].sort());
        waiters.shift()?.();
      },
    });
    expect(watch).not.toBeNull();
    const first = next();
    await writeFile(join(root, '.a.conf.tmp'), 'two\n');
    await rename(join(root, '.a.conf.tmp'), join(root, 'a.conf'));
    await mkdir(join(root, 'sub', 'deeper'));
    await writeFile(join(root, 'sub', 'c.conf'), 'c\n');
    await first;
    expect(triggers[0]).toEqual(expect.arrayContaining(['a.conf', 'sub/c.conf', 'sub/deeper']));

    const second = next();
    await writeFile(join(root, 'sub', 'deeper', 'd.conf'), 'd\n'); // a folder created after the start is watched too
    await second;
    expect(triggers[1]).toEqual(['sub/deeper/d.conf']);

    // Only this test's watcher: its command line holds this sshd's own temp folder name.
    // `[i]` keeps the pattern from matching the command line of the shell that runs pgrep.
    const mine = `pgrep -f -- '[i]notifywait -m -r .*${basename(s.baseDir)}'`;
    expect((await conn.exec(mine)).code).toBe(0);
    await watch!.close();
    // close() resolves when the channel closed, i.e. after the remote script reaped inotifywait.
    expect((await conn.exec(mine)).code).toBe(1);
  });

  it('a missing folder is an error, not a silent watch', async () => {
    await expect(
      watchRemoteWithInotify(conn, join(root, 'nope'), { onChange: () => undefined }),
    ).rejects.toThrow(/inotifywait could not watch/);
  });
});
