import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { apply } from '../../../src-main/engine/apply.js';
import { plan } from '../../../src-main/engine/plan.js';
import { scan } from '../../../src-main/engine/scan.js';
import { LocalEndpoint } from '../../../src-main/transport/local-endpoint.js';
import type { SshConnection } from '../../../src-main/transport/ssh-connection.js';
import { SshEndpoint } from '../../../src-main/transport/ssh-endpoint.js';
import { startSshd, type SshdServer } from '../../support/sshd.js';
import { makeTempDir } from '../../support/temp.js';
import { connect, makeTree, snapshot } from '../engine/tree.js';

describe('a destination folder replaced by a relative symlink to a sibling', () => {
  let server: SshdServer;
  let conn: SshConnection;
  let tmp: { dir: string; cleanup: () => Promise<void> };
  beforeAll(async () => {
    server = await startSshd();
    conn = await connect(server);
    tmp = await makeTempDir();
  });
  afterAll(async () => {
    conn?.close();
    await server?.stop();
    await tmp?.cleanup();
  });

  for (const bulk of [true, false])
    it(`is put back as the folder, the sibling left alone (${bulk ? 'tar' : 'SFTP'})`, async () => {
      const source = join(tmp.dir, `src-${bulk}`);
      const dest = join(server.dataRoot, `dst-${bulk}`);
      const tree = { 'conf.d/a.conf': 'a\n', 'conf.d/b.conf': 'b\n', 'available/a.conf': 'a\n' };
      await makeTree(source, tree);
      await makeTree(dest, { 'available/a.conf': 'a\n', 'available/extra.conf': 'x\n' });
      await fs.symlink('available', join(dest, 'conf.d'));
      const local = new LocalEndpoint();
      const ssh = new SshEndpoint(conn, { fastPath: true });
      const run = async () => {
        const p = plan(await scan(local, source), await scan(ssh, dest), {
          mode: 'mirror',
          compare: 'time-size',
          toleranceMs: 0,
        });
        return apply(p, local, ssh, { setName: 'link', bulk, stateDir: join(tmp.dir, `state-${bulk}`) });
      };
      const first = await run();
      expect(first.message).toBeUndefined();
      expect(first.status).toBe('completed');
      expect((await fs.lstat(join(dest, 'conf.d'))).isDirectory()).toBe(true);
      const want = await snapshot(source);
      expect(await snapshot(dest)).toEqual(want);
      // Nothing was written through the link: the sibling holds what it held, less the mirror's extra.
      expect(await fs.readFile(join(dest, 'available/a.conf'), 'utf8')).toBe('a\n');
      expect((await run()).status).toBe('completed');
    });
});
