import type { ClientChannel, SFTPWrapper } from 'ssh2';
import { Readable } from 'node:stream';
import type { EntryType, PathError } from '../../src-shared/model/sync.js';
import type {
  CommandResult,
  Endpoint,
  EntryAttrs,
  ExactTime,
  FsInfo,
  ListOptions,
  LocalCopy,
  RawEntry,
  StatResult,
  TarOptions,
} from './endpoint.js';
import {
  chunksOf,
  exactTimesScript,
  parseRenames,
  renameManyScript,
  parseOwners,
  sharedTimesScript,
  type SharedTime,
  resolveOwnersScript,
  sftpCarries,
  tarCreateOptions,
  tarExtractOptions,
} from './attr-script.js';
import type { SshConnection } from './ssh-connection.js';
import type { PooledUse } from './connection-pool.js';
import { briefly, hashCommandFor, hashLines } from './process-util.js';
import { sftpHash } from './sftp-fallback.js';
import { shq } from './shell-quote.js';
import {
  call,
  isNoSuchFile,
  sftpList,
  sftpMkdirp,
  sftpRemoveSmallTree,
  sftpRemoveTree,
  sftpStat,
  sftpWriteStream,
} from './sftp-ops.js';
import { FindOutputParser, findCommand } from './find-listing.js';
import { ListingCache, type FindListing } from './listing-cache.js';
import { sftpLinkCopies } from './sftp-links.js';
import { FSYNC_EACH_UP_TO, sftpFsync, syncfsCommand } from './fsync-ops.js';

/** Trees of up to this many entries are removed over SFTP (no shell session to start). */
const REMOVE_OVER_SFTP_UP_TO = 64;

/** Each connection's listings, for incremental ones (see ListingCache); gone with the connection. */
const listingCaches = new WeakMap<SshConnection, ListingCache>();

/** A connection's listing cache, where one of its endpoints has listed a tree. */
export const listingsOf = (conn: SshConnection): ListingCache | undefined => listingCaches.get(conn);

/** Backups of up to this many entries are hard-linked over SFTP (no shell session to start). */
const LINK_OVER_SFTP_UP_TO = 256;

export type SshEndpointOptions = {
  /** Use exec fast paths (find listing, tar streams, server-side scripts); off = SFTP only. */
  readonly fastPath: boolean;
  /** A SHA-256 tool runs on the server (default: with the fast path); else files are read over SFTP and hashed here. */
  readonly hashOnServer?: boolean;
  readonly label?: string;
  /** The host is Windows (see HostCapabilities.os). */
  readonly windows?: boolean;
  /**
   * The connection is a pool's and this endpoint one use of it: close() releases that use instead of
   * closing the connection (see ConnectionPool).
   */
  readonly pooled?: PooledUse;
};

/** A server over SSH: exec fast paths where the host has a POSIX shell, SFTP for everything else. */
export class SshEndpoint implements Endpoint {
  readonly label: string;
  readonly fastPath: boolean;
  readonly windowsNames: boolean;
  private readonly hashOnServer: boolean;
  private homePath: string | null = null;
  /** No system Python on this side (renameMany said so once): renames go one request each. */
  private noPython = false;
  private readonly pooled: PooledUse | null;

  constructor(
    readonly conn: SshConnection,
    options: SshEndpointOptions,
  ) {
    this.fastPath = options.fastPath;
    if (this.fastPath) conn.allowCommandShell();
    this.windowsNames = options.windows === true;
    this.hashOnServer = options.hashOnServer ?? options.fastPath;
    this.label = options.label ?? 'ssh';
    this.pooled = options.pooled ?? null;
  }

  private sftp(): Promise<SFTPWrapper> {
    return this.conn.sftp();
  }

  async home(): Promise<string> {
    const sftp = await this.sftp();
    this.homePath ??= await call<string>(sftp, (cb) => sftp.realpath('.', cb));
    return this.homePath;
  }

  async list(root: string, options: ListOptions = {}): Promise<RawEntry[] | null> {
    if (this.fastPath) {
      // The connection's cache of listings (kept as long as the connection is, see ListingCache).
      let cache = listingCaches.get(this.conn);
      if (!cache) listingCaches.set(this.conn, (cache = new ListingCache()));
      const listed = await cache.list(root, options.incremental === true, (since) =>
        this.findList(root, since, options.incremental !== true),
      );
      if (listed === 'missing') return null;
      if (listed) return listed;
      // No usable `find -printf` here (BusyBox, Windows): fall through to SFTP.
    }
    return sftpList(await this.sftp(), root);
  }

  /**
   * One find listing of root (FIND_FORMAT; incremental with `since`): null when root is missing, no
   * parser when find could not give a listing.
   */
  private async findList(root: string, since: string | undefined, runCheck: boolean): Promise<FindListing> {
    // A run's checks and verification (`runCheck`: never incremental) on its command session when it
    // is free: a session opened ahead then stays for the run's tar stream, which would otherwise log
    // in again. Else on a session opened ahead for it (a kept connection's next plan); or on the
    // command session when it runs and is free, or is starting (no login on the server, which here
    // costs more than the walk), read whole; otherwise on a session of its own. A session opened
    // ahead or of its own is parsed as it arrives, while the server walks the tree. A run follows
    // (keepListingSession): the listing's session goes on as the command session.
    const parser = new FindOutputParser();
    const streamed =
      !(runCheck && this.conn.commandShellFree()) &&
      (this.conn.sessionAhead || !this.conn.commandShellComing());
    const r = this.conn.listingBecomesCommandShell
      ? await this.conn.execListing(findCommand(root, since), (d) => parser.feed(d))
      : await this.conn.exec(
          findCommand(root, since),
          undefined,
          streamed ? { onStdout: (d) => parser.feed(d) } : {},
        );
    if (!streamed) parser.feed(r.stdout);
    await parser.settled();
    if (r.code === 3) return 'missing';
    if (r.code === 4) throw new Error(`${root} is not a folder.`);
    if (r.code !== 0 || parser.broken) return null;
    try {
      return { entries: parser.end(), parser };
    } catch {
      return null;
    }
  }

  async stat(path: string): Promise<StatResult | null> {
    return sftpStat(await this.sftp(), path);
  }

  async inodes(root: string, paths: ReadonlyArray<string>): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (paths.length === 0 || !this.fastPath) return out;
    // Device and inode as find's %D:%i prints them; a path that is gone is simply not listed.
    const r = await this.conn.exec(
      `cd ${shq(root)} && xargs -0 -r stat --printf '%d:%i %n\\0' -- 2>/dev/null; true`,
      paths.map((p) => `./${p}\0`).join(''),
    );
    for (const rec of r.stdout.toString('utf8').split('\0')) {
      const m = /^(\d+:\d+) \.\/(.*)$/s.exec(rec);
      if (m?.[1] && m[2] !== undefined) out.set(m[2], m[1]);
    }
    return out;
  }

  async hash(root: string, paths: ReadonlyArray<string>): Promise<Map<string, string>> {
    if (paths.length === 0) return new Map();
    if (!this.hashOnServer) return sftpHash(await this.sftp(), root, paths);
    const r = await this.conn.exec(
      `cd ${shq(root)} && { ${hashCommandFor(paths)}; }`,
      paths.map((p) => `./${p}\0`).join(''),
    );
    if (r.code !== 0)
      throw new Error(`Hashing failed on ${this.label} in ${root}: ${briefly(r.stderr) || `exit ${r.code}`}`);
    return hashLines(r.stdout);
  }

  async readStream(path: string): Promise<Readable> {
    const stream = (await this.sftp()).createReadStream(path, { highWaterMark: 64 * 1024 });
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', reject);
    });
    return stream;
  }

  async writeFile(path: string, data: Readable | Buffer, mode: number): Promise<number> {
    const sftp = await this.sftp();
    // A small buffer in one request; a big one (a journal's lists, a manifest) with many writes in flight.
    if (Buffer.isBuffer(data) && data.length > 64 * 1024)
      return sftpWriteStream(sftp, path, Readable.from([data]), mode);
    if (Buffer.isBuffer(data)) {
      await call<void>(sftp, (cb) => sftp.writeFile(path, data, { mode }, cb));
      await call<void>(sftp, (cb) => sftp.chmod(path, mode, cb));
      return data.length;
    }
    return sftpWriteStream(sftp, path, data, mode);
  }

  async readFile(path: string): Promise<Buffer> {
    const sftp = await this.sftp();
    return call<Buffer>(sftp, (cb) => sftp.readFile(path, cb));
  }

  async tarCreate(
    root: string,
    paths: ReadonlyArray<string>,
    options?: TarOptions,
  ): Promise<{ stream: Readable; done: Promise<void> }> {
    // 64 KiB records: fewer, fuller SSH packets (see LocalEndpoint.tarCreate).
    const extra = tarCreateOptions(options).map(shq).join(' ');
    const channel = await this.conn.execChannel(`tar -C ${shq(root)} -b 128 ${extra} -cf - --null -T -`);
    const done = channelDone(channel, `tar (read) on ${this.label}`, this.conn);
    channel.stdin.end(paths.map((p) => `./${p}\0`).join(''));
    return { stream: channel.stdout, done };
  }

  async tarExtract(dir: string, stream: Readable, options?: TarOptions): Promise<void> {
    const extra = tarExtractOptions(options).map(shq).join(' ');
    // Listened to before the channel opens: a stream stopped meanwhile (a cancelled run) is an
    // error of this call, never an unhandled one of the process, and the channel it would feed is closed.
    const state: { failed: Error | null; channel: ClientChannel | null } = { failed: null, channel: null };
    stream.on('error', (err) => {
      state.failed ??= err;
      state.channel?.close();
    });
    const channel = await this.conn.execChannel(`tar -C ${shq(dir)} ${extra} -xpf -`);
    state.channel = channel;
    const done = channelDone(channel, `tar (write) on ${this.label}`, this.conn);
    channel.stdout.resume();
    const stopped = stream.destroyed && !stream.readableEnded;
    if (state.failed || stopped) channel.close();
    else stream.pipe(channel.stdin);
    await done.catch((err: unknown) => {
      throw state.failed ?? err;
    });
    if (state.failed) throw state.failed;
    if (stopped) throw new Error(`tar (write) on ${this.label}: its input was stopped before it was read.`);
  }

  async fsync(paths: ReadonlyArray<string>, whole?: string): Promise<void> {
    if (paths.length === 0) return;
    if (whole !== undefined && this.fastPath && paths.length > FSYNC_EACH_UP_TO) {
      const r = await this.conn.exec(syncfsCommand(shq(whole)));
      if (r.code === 0) return;
    }
    await sftpFsync(await this.sftp(), paths);
  }

  async rename(from: string, to: string): Promise<void> {
    const sftp = await this.sftp();
    await call<void>(sftp, (cb) => sftp.ext_openssh_rename(from, to, cb));
  }

  async renameMany(
    pairs: ReadonlyArray<{ readonly from: string; readonly to: string }>,
  ): Promise<ReadonlyArray<string | null | undefined> | null> {
    if (!this.fastPath || this.noPython || pairs.length === 0) return null;
    const r = await this.conn.exec('/bin/sh -s', renameManyScript(pairs));
    if (r.code === 97) {
      this.noPython = true;
      return null;
    }
    return parseRenames(r.stdout.toString('utf8'), pairs.length);
  }

  async mkdirp(path: string): Promise<void> {
    await sftpMkdirp(await this.sftp(), path);
  }

  async setAttrs(path: string, attrs: EntryAttrs): Promise<void> {
    const sftp = await this.sftp();
    const t = Math.floor(attrs.mtimeMs / 1000);
    // Owner first: a chown clears setuid and setgid bits, the mode then sets them again. SFTP
    // carries whole seconds from 1970 to 2106 only: anything finer or outside is setExactTimes' job.
    if (attrs.uid !== undefined && attrs.gid !== undefined) {
      const { uid, gid } = attrs;
      await call<void>(sftp, (cb) => sftp.setstat(path, { uid, gid }, cb));
    }
    const inRange = t >= 0 && t <= 0xffffffff;
    await call<void>(sftp, (cb) =>
      sftp.setstat(path, { mode: attrs.mode, ...(inRange ? { atime: t, mtime: t } : {}) }, cb),
    );
  }

  async canSetOwners(): Promise<boolean> {
    return this.conn.asRoot;
  }

  async setExactTimes(times: ReadonlyArray<ExactTime>): Promise<boolean> {
    const needed = times.filter((t) => !sftpCarries(t));
    if (needed.length === 0) return true;
    if (!this.fastPath) return false;
    const r = await this.conn.exec('/bin/sh -s', exactTimesScript(needed));
    const failed = r.stdout.toString('utf8').split('\n').filter(Boolean).map(Number);
    if (r.code !== 0 || failed.length > 0)
      throw new Error(
        `Setting modified times failed on ${this.label} (${needed[failed[0] ?? 0]?.path ?? '?'}): ${briefly(r.stderr) || `exit ${r.code}`}`,
      );
    return true;
  }

  async setSharedTimes(groups: ReadonlyArray<SharedTime>): Promise<string[]> {
    const chunks = groups.flatMap((g) => chunksOf(g.mtimeMs, g.paths));
    if (chunks.length === 0) return [];
    if (!this.fastPath) return chunks.flatMap((c) => c.paths);
    const r = await this.conn.exec('/bin/sh -s', sharedTimesScript(chunks));
    if (r.code !== 0) return chunks.flatMap((c) => c.paths);
    const failed = r.stdout.toString('utf8').split('\n').filter(Boolean).map(Number);
    return failed.flatMap((i) => chunks[i]?.paths ?? []);
  }

  async resolveOwners(
    users: ReadonlyArray<string>,
    groups: ReadonlyArray<string>,
  ): Promise<{ users: Map<string, number>; groups: Map<string, number> }> {
    if (!this.fastPath || (users.length === 0 && groups.length === 0))
      return { users: new Map(), groups: new Map() };
    const r = await this.conn.exec('/bin/sh -s', resolveOwnersScript(users, groups));
    return parseOwners(r.stdout.toString('utf8'));
  }

  async symlink(target: string, path: string): Promise<void> {
    const sftp = await this.sftp();
    await call<void>(sftp, (cb) => sftp.symlink(target, path, cb));
  }

  async remove(path: string): Promise<void> {
    const sftp = await this.sftp();
    const st = await sftpStat(sftp, path);
    if (!st) return;
    if (st.type === 'dir') await call<void>(sftp, (cb) => sftp.rmdir(path, cb));
    else await call<void>(sftp, (cb) => sftp.unlink(path, cb));
  }

  async removeTree(path: string): Promise<void> {
    // An emptied folder (a staging folder after its swap) goes with one request, no shell session.
    const sftp = await this.sftp();
    const gone = await call<void>(sftp, (cb) => sftp.rmdir(path, cb)).then(
      () => true,
      (err: unknown) => isNoSuchFile(err),
    );
    if (gone) return;
    // A small tree (an old backup of a small run) over SFTP too; a big one by one shell command.
    if (await sftpRemoveSmallTree(sftp, path, REMOVE_OVER_SFTP_UP_TO).catch(() => false)) return;
    if (this.fastPath) {
      const r = await this.conn.exec(`rm -rf -- ${shq(path)}`);
      if (r.code === 0) return;
    }
    await sftpRemoveTree(await this.sftp(), path);
  }

  async copyWithin(
    copies: ReadonlyArray<LocalCopy>,
    options: { readonly link: boolean },
  ): Promise<PathError[]> {
    if (copies.length === 0) return [];
    // A few hard links (a backup's usual size) over SFTP; the rest, or what that could not do, by shell.
    if (options.link && copies.length <= LINK_OVER_SFTP_UP_TO) {
      const left = await sftpLinkCopies(await this.sftp(), copies);
      return left.length === 0 ? [] : this.copyWithin(left, { link: false });
    }
    if (this.fastPath) {
      const lines = copies.map((c, i) => {
        const dir = shq(c.to.replace(/\/[^/]*$/, '') || '/');
        const body =
          c.type === 'dir'
            ? `mkdir -p ${shq(c.to)}`
            : c.type === 'symlink'
              ? `rm -f ${shq(c.to)} && cp -pP ${shq(c.from)} ${shq(c.to)}`
              : `rm -f ${shq(c.to)} && ${options.link ? `{ ln ${shq(c.from)} ${shq(c.to)} 2>/dev/null || cp -p ${shq(c.from)} ${shq(c.to)}; }` : `cp -p ${shq(c.from)} ${shq(c.to)}`}`;
        return `{ mkdir -p ${dir} && ${body}; } || echo ${i}`;
      });
      const r = await this.conn.exec('sh -s', `${lines.join('\n')}\n`);
      if (r.code === 0) {
        const failed = r.stdout.toString('utf8').split('\n').filter(Boolean).map(Number);
        return failed.map((i) => ({
          path: copies[i]?.from ?? '?',
          message: briefly(r.stderr) || 'copy failed',
        }));
      }
    }
    return this.copyWithinSftp(copies);
  }

  async copyTree(
    fromRoot: string,
    toRoot: string,
    entries: ReadonlyArray<{ readonly path: string; readonly type: EntryType }>,
  ): Promise<PathError[]> {
    if (entries.length === 0) return [];
    const paths = entries.map((e) => e.path);
    const pairs = () =>
      entries.map((e) => ({ from: `${fromRoot}/${e.path}`, to: `${toRoot}/${e.path}`, type: e.type }));
    // One command however few: the list on stdin, NUL-separated, one cp for as many files as fit its
    // arguments. cp keeps xattrs, POSIX ACLs and owners (a true snapshot), which a copy over SFTP
    // cannot; SFTP only where no shell is offered.
    if (!this.fastPath) return this.copyWithinSftp(pairs());
    const r = await this.conn.exec(
      `mkdir -p ${shq(toRoot)} && cd ${shq(fromRoot)} && xargs -0 -r cp -P --preserve=all --parents --reflink=auto -t ${shq(toRoot)} --`,
      paths.map((p) => `./${p}\0`).join(''),
    );
    if (r.code === 0) return [];
    const message = briefly(r.stderr) || `cp exited with ${r.code}`;
    return [{ path: /'\.\/([^']*)'/.exec(message)?.[1] ?? paths[0] ?? '', message }];
  }

  private async copyWithinSftp(copies: ReadonlyArray<LocalCopy>): Promise<PathError[]> {
    const sftp = await this.sftp();
    const errors: PathError[] = [];
    for (const c of copies) {
      try {
        await sftpMkdirp(sftp, c.to.replace(/\/[^/]*$/, '') || '/');
        if (c.type === 'dir') {
          await sftpMkdirp(sftp, c.to);
          continue;
        }
        await this.remove(c.to);
        const st = await sftpStat(sftp, c.from);
        if (!st) throw new Error('it is gone');
        if (c.type === 'symlink') await this.symlink(st.linkTarget ?? '', c.to);
        else {
          await sftpWriteStream(sftp, c.to, await this.readStream(c.from), st.mode);
          await this.setAttrs(c.to, st);
        }
      } catch (err) {
        errors.push({ path: c.from, message: (err as Error).message });
      }
    }
    return errors;
  }

  async readdir(path: string): Promise<string[]> {
    const sftp = await this.sftp();
    try {
      const list = await call<Array<{ filename: string }>>(sftp, (cb) => sftp.readdir(path, cb));
      return list.map((e) => e.filename).filter((n) => n !== '.' && n !== '..');
    } catch (err) {
      if (isNoSuchFile(err)) return [];
      throw err;
    }
  }

  async freeSpace(path: string): Promise<number | null> {
    const sftp = await this.sftp();
    let p = path;
    for (;;) {
      try {
        const info = await call<{ f_bavail: number; f_frsize: number }>(sftp, (cb) =>
          sftp.ext_openssh_statvfs(p, cb),
        );
        return Number(info.f_bavail) * Number(info.f_frsize);
      } catch (err) {
        if (!isNoSuchFile(err)) return null;
        const up = p.replace(/\/[^/]*$/, '');
        if (up === p || up === '') return null;
        p = up;
      }
    }
  }

  async fsInfo(path: string): Promise<FsInfo> {
    const sftp = await this.sftp();
    let p = path;
    for (;;) {
      try {
        const info = await call<{
          f_bavail: number;
          f_frsize: number;
          f_files: number;
          f_favail: number;
          f_flag: number;
        }>(sftp, (cb) => sftp.ext_openssh_statvfs(p, cb));
        return {
          bytesFree: Number(info.f_bavail) * Number(info.f_frsize),
          inodesFree: Number(info.f_files) > 0 ? Number(info.f_favail) : null,
          // SSH2_FXE_STATVFS_ST_RDONLY
          readOnly: (Number(info.f_flag) & 1) === 1,
        };
      } catch (err) {
        const up = p.replace(/\/[^/]*$/, '');
        if (!isNoSuchFile(err) || up === p || up === '')
          return { bytesFree: null, inodesFree: null, readOnly: null };
        p = up;
      }
    }
  }

  lostConnection(): Error | null {
    return this.conn.lostReason;
  }

  prepareCommand(options: { readonly small?: boolean } = {}): void {
    if (!this.fastPath || (options.small && this.conn.commandShellComing())) return;
    this.conn.prepareExec();
  }

  openCommandSession(): void {
    if (this.fastPath) this.conn.openCommandShellAhead();
  }

  keepListingSession(): void {
    if (this.fastPath) this.conn.keepListingSession();
  }

  dropPrepared(): Promise<void> {
    return this.conn.dropPrepared();
  }

  park(): void {
    this.pooled?.park();
  }

  unpark(): void {
    this.pooled?.unpark();
  }

  close(): void {
    if (this.pooled) this.pooled.release();
    else this.conn.close();
  }

  async run(command: string, cwd: string): Promise<CommandResult> {
    // A session of its own, never the command session: a user's command (validate, post-apply,
    // health) may run long, start daemons or signal its parent, as in any SSH session.
    const r = await this.conn.exec(`cd ${shq(cwd)} && ${command}`, undefined, { ownSession: true });
    return { code: r.code, stdout: r.stdout.toString('utf8'), stderr: r.stderr };
  }
}

/**
 * Settles when an exec channel closes: fine on exit 0, an error with its stderr otherwise. A channel
 * that closes with no exit status went down with its connection: that is the error then.
 */
function channelDone(channel: ClientChannel, what: string, conn: SshConnection): Promise<void> {
  let stderr = '';
  let code: number | null = null;
  channel.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  channel.on('exit', (c: number | null) => (code = c));
  const done = new Promise<void>((resolve, reject) => {
    channel.on('error', reject);
    channel.on('close', () => {
      if (code === 0) return resolve();
      // The connection's own close/error event may come a moment after its channels' closes.
      setImmediate(() => {
        const lost = code === null ? conn.closedReason : null;
        reject(lost ?? new Error(`${what} failed: ${briefly(stderr) || `exit ${code}`}`));
      });
    });
  });
  done.catch(() => undefined);
  return done;
}
