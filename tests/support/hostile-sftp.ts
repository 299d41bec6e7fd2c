import ssh2 from 'ssh2';
import type { Attributes, Connection } from 'ssh2';
import { createServer } from 'node:net';
import { fingerprintOfKey } from '../../src-main/transport/ssh-connection.js';

const { Server, utils } = ssh2;
const { STATUS_CODE } = utils.sftp;

/** One entry a hostile listing returns: any name at all, as no real filesystem would allow. */
export type HostileEntry = {
  readonly filename: string;
  readonly type: 'file' | 'dir' | 'symlink';
  readonly size?: number;
  readonly linkTarget?: string;
};

/** An SFTP-only server (ssh2's Server API) whose listing of `root` says whatever the test sets. */
export type HostileSftp = {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** The folder the listing answers for (every other path is "no such file"). */
  readonly root: string;
  readonly hostKey: { readonly algorithm: string; readonly fingerprint: string };
  /** Every request that would change something (open for writing, mkdir, rename, remove, setstat, symlink). */
  readonly writes: string[];
  setListing(entries: ReadonlyArray<HostileEntry>): void;
  stop(): Promise<void>;
};

const TYPE_BITS = { file: 0o100000, dir: 0o040000, symlink: 0o120000 } as const;

function attrsOf(e: { type: HostileEntry['type']; size?: number }): Attributes {
  const mtime = 1_700_000_000;
  return {
    mode: TYPE_BITS[e.type] | (e.type === 'dir' ? 0o755 : 0o644),
    uid: 0,
    gid: 0,
    size: e.size ?? 0,
    atime: mtime,
    mtime,
  };
}

/** Starts the server on a free 127.0.0.1 port; it accepts any login (the client's key is not the point). */
export async function startHostileSftp(root = '/hostile'): Promise<HostileSftp> {
  const keys = utils.generateKeyPairSync('ed25519');
  const blob = Buffer.from(keys.public.split(' ')[1] ?? '', 'base64');
  let listing: ReadonlyArray<HostileEntry> = [];
  const writes: string[] = [];
  const clients = new Set<Connection>();
  const server = new Server({ hostKeys: [keys.private] }, (client) => {
    clients.add(client);
    client.on('close', () => clients.delete(client));
    client.on('error', () => undefined);
    client.on('authentication', (ctx) => ctx.accept());
    client.on('ready', () => {
      client.on('session', (acceptSession) => {
        const session = acceptSession();
        session.on('exec', (_accept, reject) => reject());
        session.on('sftp', (acceptSftp) => {
          const sftp = acceptSftp();
          const openDirs = new Map<string, boolean>();
          let nextHandle = 0;
          const find = (path: string) => {
            if (path === root) return { type: 'dir' as const };
            const rel = path.startsWith(`${root}/`) ? path.slice(root.length + 1) : null;
            return rel === null ? undefined : listing.find((e) => e.filename === rel);
          };
          const stat = (reqid: number, path: string) => {
            const e = find(path);
            if (e) sftp.attrs(reqid, attrsOf(e));
            else sftp.status(reqid, STATUS_CODE.NO_SUCH_FILE);
          };
          const refuse = (what: string) => (reqid: number, path?: unknown) => {
            writes.push(`${what} ${String(path)}`);
            sftp.status(reqid, STATUS_CODE.PERMISSION_DENIED);
          };
          sftp.on('REALPATH', (reqid, path) =>
            sftp.name(reqid, [
              { filename: path === '.' ? root : path, longname: '', attrs: attrsOf({ type: 'dir' }) },
            ]),
          );
          sftp.on('LSTAT', stat);
          sftp.on('STAT', stat);
          sftp.on('READLINK', (reqid, path) => {
            const e = find(path);
            if (e?.type === 'symlink')
              sftp.name(reqid, [{ filename: e.linkTarget ?? '', longname: '', attrs: {} as Attributes }]);
            else sftp.status(reqid, STATUS_CODE.NO_SUCH_FILE);
          });
          sftp.on('OPENDIR', (reqid, path) => {
            if (path !== root) return sftp.status(reqid, STATUS_CODE.NO_SUCH_FILE);
            const h = String(nextHandle++);
            openDirs.set(h, false);
            sftp.handle(reqid, Buffer.from(h));
          });
          sftp.on('READDIR', (reqid, handle) => {
            const h = handle.toString();
            if (openDirs.get(h) !== false) return sftp.status(reqid, STATUS_CODE.EOF);
            openDirs.set(h, true);
            sftp.name(
              reqid,
              listing.map((e) => ({ filename: e.filename, longname: e.filename, attrs: attrsOf(e) })),
            );
          });
          sftp.on('CLOSE', (reqid) => sftp.status(reqid, STATUS_CODE.OK));
          sftp.on('OPEN', (reqid, path, flags) => {
            writes.push(`open ${path} flags=${flags}`);
            sftp.status(reqid, STATUS_CODE.PERMISSION_DENIED);
          });
          sftp.on('MKDIR', refuse('mkdir'));
          sftp.on('RMDIR', refuse('rmdir'));
          sftp.on('REMOVE', refuse('remove'));
          sftp.on('RENAME', refuse('rename'));
          sftp.on('SETSTAT', refuse('setstat'));
          sftp.on('SYMLINK', refuse('symlink'));
          sftp.on('EXTENDED', (reqid, name) => {
            if (name !== 'statvfs@openssh.com') writes.push(`extended ${name}`);
            sftp.status(reqid, STATUS_CODE.OP_UNSUPPORTED);
          });
        });
      });
    });
  });
  const port = await new Promise<number>((resolve, reject) => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1', () => {
      const p = (probe.address() as { port: number }).port;
      probe.close(() => resolve(p));
    });
    probe.on('error', reject);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  return {
    host: '127.0.0.1',
    port,
    root,
    hostKey: fingerprintOfKey(blob),
    writes,
    setListing(entries) {
      listing = entries;
    },
    async stop() {
      for (const c of clients) c.end();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
