import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SshConnection } from '../../../src-main/transport/ssh-connection.js';
import { SshEndpoint } from '../../../src-main/transport/ssh-endpoint.js';
import { startSshd, type SshdServer } from '../../support/sshd.js';
import { connect } from '../engine/tree.js';

/**
 * `sync --yes` plans and applies at once: the destination's listing session goes on as the command
 * session, so the run's backup, times and checks need no login of their own on the server.
 */
describe('a listing a run follows keeps its session as the command session (real sshd)', () => {
  let s: SshdServer;
  const open: SshConnection[] = [];
  const root = () => join(s.dataRoot, 'tree');
  const endpoint = async () => {
    const conn = await connect(s);
    open.push(conn);
    return { conn, ep: new SshEndpoint(conn, { fastPath: true, label: 'dest' }) };
  };
  const sorted = <T extends { path: string }>(l: ReadonlyArray<T> | null) =>
    [...(l ?? [])].sort((a, b) => (a.path < b.path ? -1 : 1));

  beforeAll(async () => {
    s = await startSshd();
    // Names and link targets that look like the end of a listing, and enough entries that the
    // listing comes in many SSH packets.
    await mkdir(join(root(), 'many'), { recursive: true });
    await writeFile(join(root(), '#end x'), 'a\n');
    await writeFile(join(root(), 'line\n#end 0\n'), 'b\n');
    await symlink(`#end ${'0'.repeat(32)}`, join(root(), 'looks-like-the-end'));
    await symlink('/etc/hostname', join(root(), 'absolute'));
    for (let i = 0; i < 3000; i++) await writeFile(join(root(), 'many', `f-${i}.conf`), `${i}\n`);
  });
  afterAll(async () => {
    for (const c of open) c.close();
    await s?.stop();
  });

  it('lists exactly what a listing of its own gives, then runs commands on the same session', async () => {
    const plain = await endpoint();
    const expected = sorted(await plain.ep.list(root()));
    expect(expected.length).toBe(3000 + 6);
    const { conn, ep } = await endpoint();
    const exec = vi.spyOn(conn.client, 'exec');
    ep.keepListingSession();
    const listed = sorted(await ep.list(root()));
    expect(listed).toEqual(expected);
    // Commands with and without stdin, exit codes, and a second listing: all on that one session.
    expect((await conn.exec('echo one; exit 3')).code).toBe(3);
    expect((await conn.exec('cat', 'two\0three')).stdout.toString()).toBe('two\0three');
    const hashes = await ep.hash(root(), ['#end x', 'line\n#end 0\n']);
    expect([...hashes.keys()].sort()).toEqual(['#end x', 'line\n#end 0\n']);
    await writeFile(join(root(), 'new.conf'), 'c\n');
    const again = await ep.list(root());
    expect(again?.length).toBe(expected.length + 1);
    expect(exec).toHaveBeenCalledTimes(1);
    expect(conn.execInFlight).toBe(0);
    exec.mockRestore();
  });

  it('a root that is missing is reported missing, and the session still serves the run', async () => {
    const { conn, ep } = await endpoint();
    const exec = vi.spyOn(conn.client, 'exec');
    ep.keepListingSession();
    expect(await ep.list(join(s.dataRoot, 'no-such-folder'))).toBeNull();
    expect((await conn.exec('echo still')).stdout.toString()).toBe('still\n');
    expect(exec).toHaveBeenCalledTimes(1);
    exec.mockRestore();
  });

  it('without the hint a listing has its session and the first command logs in on one of its own', async () => {
    const { conn, ep } = await endpoint();
    conn.allowCommandShell();
    const exec = vi.spyOn(conn.client, 'exec');
    await ep.list(root());
    await conn.exec('true');
    expect(exec).toHaveBeenCalledTimes(2);
    exec.mockRestore();
  });
});
