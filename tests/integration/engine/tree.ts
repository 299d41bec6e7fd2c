import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { openSsh, type SshConnection } from '../../../src-main/transport/ssh-connection.js';
import type { SshdServer } from '../../support/sshd.js';

/** A tree spec: path → content (file), `{dir: mode}`, `{link: target}`, or `{content, mode, mtime}`. */
export type Spec = Record<
  string,
  | string
  | Buffer
  | { dir: number }
  | { link: string }
  | { content: string | Buffer; mode?: number; mtimeMs?: number }
>;

export async function makeTree(root: string, spec: Spec): Promise<void> {
  await fs.mkdir(root, { recursive: true });
  for (const [path, v] of Object.entries(spec)) {
    const full = join(root, path);
    await fs.mkdir(join(full, '..'), { recursive: true });
    if (typeof v === 'string' || Buffer.isBuffer(v)) await fs.writeFile(full, v);
    else if ('dir' in v) {
      await fs.mkdir(full, { recursive: true });
      await fs.chmod(full, v.dir);
    } else if ('link' in v) await fs.symlink(v.link, full);
    else {
      await fs.writeFile(full, v.content);
      if (v.mode !== undefined) await fs.chmod(full, v.mode);
      if (v.mtimeMs !== undefined) await fs.utimes(full, v.mtimeMs / 1000, v.mtimeMs / 1000);
    }
  }
}

/** path → "file <mode> <sha256>" / "dir <mode>" / "link <target>": what "byte for byte" means in assertions. */
export async function snapshot(
  root: string,
  skip: (p: string) => boolean = (p) => p.startsWith('.configsync-'),
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (dir: string, rel: string): Promise<void> => {
    for (const name of (await fs.readdir(dir)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      if (skip(r)) continue;
      const full = join(dir, name);
      const st = await fs.lstat(full);
      const mode = (st.mode & 0o7777).toString(8);
      if (st.isSymbolicLink()) out[r] = `link ${await fs.readlink(full)}`;
      else if (st.isDirectory()) {
        out[r] = `dir ${mode}`;
        await walk(full, r);
      } else
        out[r] = `file ${mode} ${createHash('sha256')
          .update(await fs.readFile(full))
          .digest('hex')
          .slice(0, 16)}`;
    }
  };
  await walk(root, '');
  return out;
}

export function connect(s: SshdServer, contactTimeoutMs = 5000): Promise<SshConnection> {
  return openSsh({
    host: s.host,
    port: s.port,
    username: s.user,
    auth: { kind: 'key', privateKey: s.clientKey.privateKey },
    pinnedHostKey: { algorithm: s.hostKeyAlgorithm, fingerprint: s.hostKeyFingerprint },
    contactTimeoutMs,
  });
}
