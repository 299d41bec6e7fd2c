import { describe, expect, it } from 'vitest';
import { plan } from '../../../src-main/engine/plan.js';
import { retimeCandidates, SourceHashes } from '../../../src-main/engine/same-content.js';
import { sharedTimesScript, chunksOf, TOUCH_CHUNK } from '../../../src-main/transport/attr-script.js';
import type { Endpoint } from '../../../src-main/transport/endpoint.js';
import type { FileEntry, FileIndex, PlanOptions } from '../../../src-shared/model/sync.js';

const OLD = 1_600_000_000_000;
const NEW = 1_700_000_000_000;
const f = (path: string, mtimeMs: number, extra: Partial<FileEntry> = {}): FileEntry => ({
  path,
  type: 'file',
  size: 10,
  mtimeMs,
  mode: 0o644,
  user: 'root',
  group: 'root',
  uid: 0,
  gid: 0,
  ...extra,
});
const idx = (root: string, entries: FileEntry[]): FileIndex => ({
  root,
  exists: true,
  entries,
  canSetOwners: true,
});
const mirror: PlanOptions = { mode: 'mirror', compare: 'time-size', toleranceMs: 0 };

describe('time-only candidates', () => {
  it('are the updates of a file whose time alone differs, to a whole second; any other difference writes the file', () => {
    const src = idx('/s', [
      f('touched', NEW),
      f('nanoseconds', NEW + 0, { nsec: 5 }),
      f('sub-second', NEW + 250),
      f('bigger', NEW, { size: 11 }),
      f('mode', NEW, { mode: 0o600 }),
      f('owner', NEW, { user: 'www-data', uid: 33 }),
      f('linked', NEW, { linkId: '1' }),
      f('same', OLD),
    ]);
    const dst = idx('/d', [
      f('touched', OLD),
      f('nanoseconds', OLD),
      f('sub-second', OLD),
      f('bigger', OLD),
      f('mode', OLD),
      f('owner', OLD),
      f('linked', OLD, { linkId: '1' }),
      f('same', OLD),
    ]);
    const p = plan(src, dst, mirror);
    expect(retimeCandidates(p, true).map((e) => e.path)).toEqual(['touched']);
    // Where owners cannot be set they are not compared, as the plan does not.
    expect(retimeCandidates(p, false).map((e) => e.path)).toEqual(['owner', 'touched']);
    // Compared by checksum, the plan knows the content already (equal content is kept as it is).
    expect(retimeCandidates({ ...p, options: { ...mirror, compare: 'checksum' } }, true)).toEqual([]);
  });

  it('the source side hashes each file once for all destinations', async () => {
    const asked: string[][] = [];
    const source = {
      hash: async (_root: string, paths: ReadonlyArray<string>) => {
        asked.push([...paths]);
        return new Map(paths.map((p) => [p, `h-${p}`]));
      },
    } as unknown as Endpoint;
    const hashes = new SourceHashes(source, '/s');
    const [a, b] = await Promise.all([hashes.of(['x', 'y']), hashes.of(['y', 'z'])]);
    expect([...a]).toEqual([
      ['x', 'h-x'],
      ['y', 'h-y'],
    ]);
    expect([...b]).toEqual([
      ['y', 'h-y'],
      ['z', 'h-z'],
    ]);
    expect(asked).toEqual([['x', 'y'], ['z']]);
  });

  it('files sharing a time are set by one touch per chunk, every name quoted', () => {
    const paths = Array.from({ length: TOUCH_CHUNK + 1 }, (_, i) => `/r/f ${i}`);
    const chunks = chunksOf(NEW, [...paths, "/r/it's"]);
    expect(chunks.map((c) => c.paths.length)).toEqual([TOUCH_CHUNK, 2]);
    const script = sharedTimesScript(chunks);
    expect(script.split('\n').filter((l) => l.startsWith('touch '))).toHaveLength(2);
    expect(script).toContain(`touch -h -m -d @1700000000.000000000 -- '/r/f 0' '/r/f 1'`);
    expect(script).toContain(`'/r/it'\\''s' 2>/dev/null || echo 1`);
  });
});
