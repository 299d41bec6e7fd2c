import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A mount a test made; `unmount` is safe to call twice. */
export type TestMount = { readonly dir: string; unmount(): Promise<void> };

async function umount(dir: string): Promise<void> {
  await run('umount', [dir]).catch(async () => {
    // Busy (a process still has a file open there): detach it, the kernel frees it when closed.
    await run('umount', ['-l', dir]).catch(() => undefined);
  });
}

function mountHandle(dir: string): TestMount {
  let mounted = true;
  return {
    dir,
    async unmount() {
      if (!mounted) return;
      mounted = false;
      await umount(dir);
    },
  };
}

/**
 * Mounts a small tmpfs on `dir` (a real filesystem that fills up: `size` bytes, `inodes` files and
 * folders). Needs root; `mountUnavailable()` tells a test to skip when mounting is not permitted.
 */
export async function mountTmpfs(
  dir: string,
  options: { size: string; inodes?: number },
): Promise<TestMount> {
  await mkdir(dir, { recursive: true });
  const opts = [
    `size=${options.size}`,
    ...(options.inodes ? [`nr_inodes=${options.inodes}`] : []),
    'mode=0755',
  ];
  await run('mount', ['-t', 'tmpfs', '-o', opts.join(','), 'tmpfs', dir]);
  return mountHandle(dir);
}

/** Makes `dir` a read-only view of itself (a read-only bind mount): writes fail with EROFS, even for root. */
export async function bindReadOnly(dir: string): Promise<TestMount> {
  await run('mount', ['--bind', dir, dir]);
  try {
    await run('mount', ['-o', 'remount,bind,ro', dir]);
  } catch (err) {
    await umount(dir);
    throw err;
  }
  return mountHandle(dir);
}

/** Sets or clears the immutable attribute (root only; ext4 and most disk filesystems, not tmpfs). */
export async function setImmutable(path: string, on: boolean): Promise<void> {
  await run('chattr', [on ? '+i' : '-i', path]);
}

/** Why mounting cannot be tested here, or null when it can (tried once with a 1 MiB tmpfs). */
export async function mountUnavailable(probeDir: string): Promise<string | null> {
  try {
    const m = await mountTmpfs(probeDir, { size: '1m' });
    await m.unmount();
    return null;
  } catch (err) {
    return `mounting a tmpfs is not permitted here: ${(err as Error).message.split('\n')[0]}`;
  }
}
