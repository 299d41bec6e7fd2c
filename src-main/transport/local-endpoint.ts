import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { constants as fsConstants, createReadStream, createWriteStream, type Stats } from 'node:fs';
import * as fs from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FSYNC_EACH_UP_TO, localFsync, localSyncfs } from './fsync-ops.js';
import type { PathError } from '../../src-shared/model/sync.js';
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
import { briefly, collectChild, hashCommandFor, hashLines } from './process-util.js';
import {
  exactTimesScript,
  parseOwners,
  resolveOwnersScript,
  tarCreateOptions,
  tarExtractOptions,
} from './attr-script.js';
import { FindOutputParser, findListingScript } from './find-listing.js';
import { ListingCache, type FindListing } from './listing-cache.js';

/** This process's listings of local folders, for incremental ones (see ListingCache). */
export const localListings = new ListingCache();

/** The local filesystem as an endpoint; `rootResolver` maps an endpoint path to a real local path. */
export class LocalEndpoint implements Endpoint {
  readonly label = 'local';
  readonly fastPath = true;
  readonly exactStat = true;

  constructor(
    private readonly rootResolver: (path: string) => string = (p) => p,
    private readonly homeDir: string = homedir(),
  ) {}

  private r(path: string): string {
    return this.rootResolver(path);
  }

  async home(): Promise<string> {
    return this.homeDir;
  }

  async list(root: string, options: ListOptions = {}): Promise<RawEntry[] | null> {
    const base = this.r(root);
    const top = await lstatOrNull(base);
    if (!top) {
      localListings.forget(base);
      return null;
    }
    const out: RawEntry[] = [];
    const walk = async (dir: string, rel: string): Promise<void> => {
      const names = await fs.readdir(dir);
      await Promise.all(
        names.map(async (name) => {
          const full = `${dir}/${name}`;
          const relPath = rel ? `${rel}/${name}` : name;
          const st = await fs.lstat(full);
          const entry: RawEntry = { path: relPath, ...(await toStat(st, full)) };
          out.push(entry);
          if (entry.type === 'dir') await walk(full, relPath);
        }),
      );
    };
    const rootStat = top.isSymbolicLink() ? await fs.stat(base) : top;
    if (!rootStat.isDirectory()) throw new Error(`${root} is not a folder.`);
    // GNU find lists the tree in its own process, off this event loop (which meanwhile runs the
    // SSH handshakes and the destinations' listings); anything it cannot do, the walk below does.
    const found = await localListings.list(base, options.incremental === true, (since) =>
      findListing(base, since),
    );
    if (found === 'missing') return null;
    if (found) return found;
    out.push({ path: '', ...(await toStat(rootStat, base)) });
    await walk(base, '');
    return out;
  }

  async stat(path: string): Promise<StatResult | null> {
    const full = this.r(path);
    const st = await lstatOrNull(full);
    return st ? toStat(st, full) : null;
  }

  async inodes(root: string, paths: ReadonlyArray<string>): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const p of paths) {
      const st = await lstatOrNull(this.r(`${root}/${p}`));
      if (st) out.set(p, `${st.dev}:${st.ino}`);
    }
    return out;
  }

  async hash(root: string, paths: ReadonlyArray<string>): Promise<Map<string, string>> {
    if (paths.length === 0) return new Map();
    // Hashed in its own process, on another core, while the destination hashes its side.
    const summed = await hashAll(this.r(root), paths);
    if (summed) return summed;
    const map = new Map<string, string>();
    for (const p of paths) {
      const h = createHash('sha256');
      await pipeline(createReadStream(`${this.r(root)}/${p}`), h);
      map.set(p, h.digest('hex'));
    }
    return map;
  }

  async readStream(path: string): Promise<Readable> {
    const stream = createReadStream(this.r(path));
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', reject);
    });
    return stream;
  }

  async writeFile(path: string, data: Readable | Buffer, mode: number): Promise<number> {
    const full = this.r(path);
    const src = Buffer.isBuffer(data) ? Readable.from([data]) : data;
    let bytes = 0;
    src.on('data', (d: Buffer) => (bytes += d.length));
    await pipeline(src, createWriteStream(full, { mode }));
    await fs.chmod(full, mode);
    return bytes;
  }

  readFile(path: string): Promise<Buffer> {
    return fs.readFile(this.r(path));
  }

  async tarCreate(
    root: string,
    paths: ReadonlyArray<string>,
    options?: TarOptions,
  ): Promise<{ stream: Readable; done: Promise<void> }> {
    // 64 KiB records (-b 128) instead of tar's 10 KiB: a sixth of the reads, channel writes and
    // packets for the same bytes, which for many small files is most of the CPU this side spends.
    const args = [
      '-C',
      this.r(root),
      '-b',
      '128',
      ...tarCreateOptions(options),
      '-cf',
      '-',
      '--null',
      '-T',
      '-',
    ];
    const child = spawn('tar', args, {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const done = new Promise<void>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code) =>
        code === 0 ? resolve() : reject(new Error(`tar (read) failed: ${briefly(stderr) || code}`)),
      );
    });
    done.catch(() => undefined);
    child.stdin.on('error', () => undefined);
    child.stdin.end(paths.map((p) => `./${p}\0`).join(''));
    // Node discards unread stdout when the child exits; a PassThrough keeps it (with backpressure).
    const out = new PassThrough();
    child.stdout.pipe(out);
    return { stream: out, done };
  }

  async tarExtract(dir: string, stream: Readable, options?: TarOptions): Promise<void> {
    const child = spawn('tar', ['-C', this.r(dir), ...tarExtractOptions(options), '-xpf', '-'], {
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', resolve);
    });
    try {
      await pipeline(stream, child.stdin);
    } catch (err) {
      child.kill('SIGKILL');
      await exited.catch(() => undefined);
      throw err;
    }
    const code = await exited;
    if (code !== 0) throw new Error(`tar (write) failed: ${briefly(stderr) || code}`);
  }

  rename(from: string, to: string): Promise<void> {
    return fs.rename(this.r(from), this.r(to));
  }

  async mkdirp(path: string): Promise<void> {
    await fs.mkdir(this.r(path), { recursive: true });
  }

  async setAttrs(path: string, attrs: EntryAttrs): Promise<void> {
    const full = this.r(path);
    // Owner first: a chown clears setuid and setgid bits, the mode then sets them again.
    if (attrs.uid !== undefined && attrs.gid !== undefined) await fs.lchown(full, attrs.uid, attrs.gid);
    await fs.chmod(full, attrs.mode);
    const t = attrs.mtimeMs / 1000;
    await fs.utimes(full, t, t);
  }

  async fsync(paths: ReadonlyArray<string>, whole?: string): Promise<void> {
    if (paths.length === 0) return;
    if (whole !== undefined && paths.length > FSYNC_EACH_UP_TO && (await localSyncfs(this.r(whole)))) return;
    await localFsync(paths.map((p) => this.r(p)));
  }

  async canSetOwners(): Promise<boolean> {
    return process.getuid?.() === 0;
  }

  async setExactTimes(times: ReadonlyArray<ExactTime>): Promise<boolean> {
    // utimes takes a double of seconds (not exact to the ns): touch sets the timespec itself.
    if (times.length === 0 || process.platform === 'win32') return true;
    const child = spawn('/bin/sh', ['-s'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const done = collectChild(child);
    child.stdin.end(exactTimesScript(times.map((t) => ({ ...t, path: this.r(t.path) }))));
    const r = await done;
    if (r.code !== 0 || r.stdout.length > 0)
      throw new Error(`Setting modified times failed: ${briefly(r.stderr) || `exit ${r.code}`}`);
    return true;
  }

  async resolveOwners(
    users: ReadonlyArray<string>,
    groups: ReadonlyArray<string>,
  ): Promise<{ users: Map<string, number>; groups: Map<string, number> }> {
    if (process.platform === 'win32') return { users: new Map(), groups: new Map() };
    const child = spawn('/bin/sh', ['-s'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const done = collectChild(child);
    child.stdin.end(resolveOwnersScript(users, groups));
    return parseOwners((await done).stdout.toString('utf8'));
  }

  symlink(target: string, path: string): Promise<void> {
    return fs.symlink(target, this.r(path));
  }

  async remove(path: string): Promise<void> {
    const full = this.r(path);
    const st = await lstatOrNull(full);
    if (!st) return;
    if (st.isDirectory()) await fs.rmdir(full);
    else await fs.unlink(full);
  }

  removeTree(path: string): Promise<void> {
    return fs.rm(this.r(path), { recursive: true, force: true });
  }

  async copyWithin(
    copies: ReadonlyArray<LocalCopy>,
    options: { readonly link: boolean },
  ): Promise<PathError[]> {
    const errors: PathError[] = [];
    for (const c of copies) {
      const from = this.r(c.from);
      const to = this.r(c.to);
      try {
        await fs.mkdir(dirname(to), { recursive: true });
        await fs.rm(to, { force: true });
        if (c.type === 'symlink') await fs.symlink(await fs.readlink(from), to);
        else if (c.type === 'dir') await fs.mkdir(to, { recursive: true });
        else {
          try {
            if (!options.link) throw new Error('copy');
            await fs.link(from, to);
          } catch {
            // A reflink where the filesystem can (btrfs, XFS): a true copy that shares blocks until written.
            await fs.copyFile(from, to, fsConstants.COPYFILE_FICLONE);
            const st = await fs.stat(from);
            await fs.chmod(to, st.mode & 0o7777);
            await fs.utimes(to, st.atime, st.mtime);
          }
        }
      } catch (err) {
        errors.push({ path: c.from, message: (err as Error).message });
      }
    }
    return errors;
  }

  async readdir(path: string): Promise<string[]> {
    try {
      return await fs.readdir(this.r(path));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }

  async freeSpace(path: string): Promise<number | null> {
    let p = this.r(path);
    for (;;) {
      try {
        const st = await fs.statfs(p);
        return st.bavail * st.bsize;
      } catch {
        const up = dirname(p);
        if (up === p) return null;
        p = up;
      }
    }
  }

  async fsInfo(path: string): Promise<FsInfo> {
    let p = this.r(path);
    for (;;) {
      try {
        const st = await fs.statfs(p);
        // statfs has no flags here: a write-access check reports EROFS on a read-only mount.
        const readOnly = await fs.access(p, fs.constants.W_OK).then(
          () => false,
          (err: NodeJS.ErrnoException) => (err.code === 'EROFS' ? true : null),
        );
        return { bytesFree: st.bavail * st.bsize, inodesFree: st.files > 0 ? st.ffree : null, readOnly };
      } catch {
        const up = dirname(p);
        if (up === p) return { bytesFree: null, inodesFree: null, readOnly: null };
        p = up;
      }
    }
  }

  lostConnection(): Error | null {
    return null;
  }

  close(): void {}

  async run(command: string, cwd: string): Promise<CommandResult> {
    const child = spawn(command, { cwd: this.r(cwd), shell: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const r = await collectChild(child);
    return { code: r.code, stdout: r.stdout.toString('utf8'), stderr: r.stderr };
  }
}

/** `find -printf` of a folder (see find-listing.ts); null when find is missing or failed anywhere. */
async function findListing(dir: string, since?: string): Promise<FindListing> {
  if (process.platform === 'win32') return null;
  const child = spawn('/bin/sh', ['-c', findListingScript(dir, since)], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  // Parsed as it arrives, while find is still walking the tree.
  const parser = new FindOutputParser();
  child.stdout.on('data', (d: Buffer) => parser.feed(d));
  const code = await new Promise<number | null>((resolve) => {
    child.once('error', () => resolve(null));
    child.once('close', resolve);
  });
  await parser.settled();
  if (code !== 0 || parser.broken) return null;
  try {
    return { entries: parser.end(), parser };
  } catch {
    return null;
  }
}

/** SHA-256 of paths under root by openssl or sha256sum; null when neither works or one failed on any file. */
async function hashAll(root: string, paths: ReadonlyArray<string>): Promise<Map<string, string> | null> {
  if (process.platform === 'win32') return null;
  const child = spawn('sh', ['-c', hashCommandFor(paths)], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
  const done = collectChild(child).catch(() => null);
  child.stdin.end(paths.map((p) => `./${p}\0`).join(''));
  const r = await done;
  if (!r || r.code !== 0) return null;
  const map = hashLines(r.stdout);
  return paths.every((p) => map.has(p)) ? map : null;
}

async function lstatOrNull(path: string): Promise<Stats | null> {
  try {
    return await fs.lstat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

async function toStat(st: Stats, full: string): Promise<StatResult> {
  const type = st.isFile() ? 'file' : st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : 'other';
  return {
    type,
    size: type === 'file' ? st.size : 0,
    mtimeMs: st.mtimeMs,
    mode: st.mode & 0o7777,
    uid: st.uid,
    gid: st.gid,
    ...(type === 'file' || type === 'symlink' ? { ino: `${st.dev}:${st.ino}` } : {}),
    ...(type === 'symlink' ? { linkTarget: await fs.readlink(full) } : {}),
  };
}
