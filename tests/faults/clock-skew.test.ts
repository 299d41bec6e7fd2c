import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { LocalEndpoint } from '../../src-main/transport/local-endpoint.js';
import type { SshConnection } from '../../src-main/transport/ssh-connection.js';
import { SshEndpoint } from '../../src-main/transport/ssh-endpoint.js';
import type { PlanOptions } from '../../src-shared/model/sync.js';
import { connect, makeTree } from '../integration/engine/tree.js';
import { startSshd, type SshdServer } from '../support/sshd.js';
import { makeTempDir } from '../support/temp.js';
import { planAndApply, planBetween } from './engine-run.js';
import { snapshot } from './nothing-lost.js';

const T = 1_700_000_000_000;
const SKEWS = [3_000, -3_000, 3_600_000, -3_600_000];

/**
 * A destination whose clock is off stamps the files it writes itself with skewed times; the files
 * ConfigSync writes carry the source's times. No faketime here: the skew is applied to the
 * destination files' mtimes, which is all the planner ever sees of a clock.
 */
describe('destination clocks skewed by ±3 s and ±1 h', () => {
  let s: SshdServer;
  let conn: SshConnection;
  let tmp: { dir: string; cleanup: () => Promise<void> };
  beforeAll(async () => {
    s = await startSshd();
    conn = await connect(s);
    tmp = await makeTempDir();
  });
  afterAll(async () => {
    conn?.close();
    await s?.stop();
    await tmp?.cleanup();
  });

  for (const fastPath of [true, false])
    it(`decisions follow the tolerance, never the clocks (${fastPath ? 'find listing' : 'SFTP listing, whole seconds'})`, async () => {
      const src = join(tmp.dir, `src-${fastPath}`);
      await makeTree(src, {
        'a.conf': { content: 'same bytes', mtimeMs: T + 250 },
        'b.conf': { content: 'other', mtimeMs: T },
      });
      const ssh = new SshEndpoint(conn, { fastPath });
      for (const skew of SKEWS) {
        const dst = join(s.dataRoot, `skew-${fastPath}-${skew}`);
        // In sync first: the written files carry the source's times, whatever the destination's clock says.
        const first = await planAndApply(new LocalEndpoint(), src, ssh, dst, {
          stateDir: join(s.baseDir, `st-${fastPath}-${skew}`),
        });
        expect(first.status).toBe('completed');
        expect(Math.floor((await fs.stat(join(dst, 'b.conf'))).mtimeMs / 1000)).toBe(T / 1000);
        // Then the destination's skewed clock touches both files (same bytes).
        for (const f of ['a.conf', 'b.conf']) {
          const m = (await fs.stat(join(dst, f))).mtimeMs + skew;
          await fs.utimes(join(dst, f), m / 1000, m / 1000);
        }
        const decide = async (o: PlanOptions) =>
          (await planBetween(new LocalEndpoint(), src, ssh, dst, o)).entries.map(
            (e) => `${e.path}:${e.action}`,
          );
        const abs = Math.abs(skew);
        // Within the tolerance: nothing to do, in both modes.
        for (const mode of ['mirror', 'update'] as const)
          expect(
            await decide({ mode, compare: 'time-size', toleranceMs: abs + 1000 }),
            `${mode} ${skew}`,
          ).toEqual(['a.conf:keep', 'b.conf:keep']);
        // Beyond it: mirror re-copies (same bytes, times put back); update never overwrites a newer-looking
        // destination and copies over an older-looking one.
        expect(await decide({ mode: 'mirror', compare: 'time-size', toleranceMs: 2000 })).toEqual([
          'a.conf:update',
          'b.conf:update',
        ]);
        const upd = skew > 0 ? 'skip-newer-on-destination' : 'update';
        expect(await decide({ mode: 'update', compare: 'time-size', toleranceMs: 2000 })).toEqual([
          `a.conf:${upd}`,
          `b.conf:${upd}`,
        ]);
        // By checksum the skew does not matter at all.
        expect(await decide({ mode: 'mirror', compare: 'checksum', toleranceMs: 2000 })).toEqual([
          'a.conf:keep',
          'b.conf:keep',
        ]);
        const again = await planAndApply(new LocalEndpoint(), src, ssh, dst, {
          stateDir: join(s.baseDir, `st-${fastPath}-${skew}`),
        });
        expect(again.status).toBe('completed');
        expect(await snapshot(dst)).toEqual(await snapshot(src));
      }
    });
});
