import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { snapshot } from '../integration/engine/tree.js';

export type Snap = Record<string, string>;
export { snapshot };

/** Everything a nothing-lost check compares: trees taken before the run, and where to look after it. */
export type NothingLost = {
  /** The destination root and its snapshot before the run. */
  readonly dst: string;
  readonly before: Snap;
  /** The source root, its snapshot before the run (it must not change). */
  readonly src: string;
  readonly source: Snap;
  /** The run's backup folder (`<backupDir>/files` holds the old bytes), when the run got that far. */
  readonly backupDirs?: ReadonlyArray<string | undefined>;
  /** Folders around the roots that must stay exactly as they were ("nothing written outside"). */
  readonly outside?: ReadonlyArray<{
    readonly dir: string;
    readonly before: Snap;
    readonly skip?: (p: string) => boolean;
  }>;
};

/** Snapshots `dir` leaving out the paths `skip` names (the synced roots inside it, state folders). */
export async function fence(dir: string, skip: (p: string) => boolean = () => false) {
  return { dir, before: await snapshot(dir, skip), skip };
}

/**
 * The "nothing lost": every destination path holds its old bytes or the source's new bytes;
 * whatever changed or vanished has its old bytes in a backup of the run; nothing outside the roots
 * changed; the source is unchanged. Returns the destination's snapshot after the run.
 */
export async function expectNothingLost(c: NothingLost): Promise<Snap> {
  const after = await snapshot(c.dst);
  for (const [p, v] of Object.entries(after)) {
    if (v.startsWith('dir')) continue;
    expect([c.before[p], c.source[p]], `${p} holds neither its old nor the new bytes`).toContain(v);
  }
  const backups: Snap[] = [];
  for (const b of c.backupDirs ?? [])
    if (b && existsSync(join(b, 'files'))) backups.push(await snapshot(join(b, 'files'), () => false));
  for (const [p, old] of Object.entries(c.before)) {
    if (old.startsWith('dir') || after[p] === old) continue;
    expect(
      backups.some((s) => s[p] === old),
      `${p} changed or vanished, but its old bytes are in no backup of the run`,
    ).toBe(true);
  }
  for (const o of c.outside ?? [])
    expect(await snapshot(o.dir, o.skip), `something was written in ${o.dir}`).toEqual(o.before);
  expect(await snapshot(c.src), 'the source changed').toEqual(c.source);
  return after;
}

/** Leftovers of a run on the destination: staging folders and temp names. */
export async function leftovers(dst: string): Promise<string[]> {
  const all = await snapshot(dst, () => false);
  return Object.keys(all).filter((p) => /(^|\/)\.configsync-/.test(p) || /\.tmp$/.test(p));
}
