import { posix } from 'node:path';
import type { CommandResult, Endpoint } from '../transport/endpoint.js';
import { shq } from '../transport/shell-quote.js';
import { AppError } from '../errors/app-error.js';
import { byLevel, IN_FLIGHT, mapBounded } from './bounded.js';
import type { Journal } from './journal.js';
import { joinRoot, parentOf } from './rel-path.js';

/** How the shadow's unchanged entries were made: block-sharing copies, hard links, or plain copies. */
export type ShadowKind = 'reflink' | 'links' | 'copy';

export type Shadow = { readonly dir: string; readonly kind: ShadowKind };

/**
 * Where a run's shadow tree may go, in order: beside the root (`<parent>/.configsync-shadow-<name>-<run>`,
 * the same filesystem as the live tree in nearly every case, so links and reflinks work), else in the
 * root's state folder. Never inside the live folder: a service reading its folder never sees it.
 */
export function shadowCandidates(root: string, stateDir: string, runId: string): string[] {
  const parent = posix.dirname(root);
  const base = posix.basename(root);
  const beside = base !== '' && root !== '/' ? [joinRoot(parent, `.configsync-shadow-${base}-${runId}`)] : [];
  return [...beside, joinRoot(stateDir, `shadow-${runId}`)];
}

/** Is `dir` a shadow folder of run `runId` (recover removes only what looks like one)? */
export function isShadowOf(dir: string, runId: string): boolean {
  const name = posix.basename(dir);
  return name === `shadow-${runId}` || (name.startsWith('.configsync-shadow-') && name.endsWith(`-${runId}`));
}

/**
 * One command on the destination: the first candidate folder that can be made (mode 0700), filled with
 * the live tree but for the engine's own folders, as block-sharing copies where the filesystem has
 * reflinks, else as a hard-link farm, else as plain copies. Prints the folder and how it was made.
 */
function buildScript(root: string, candidates: ReadonlyArray<string>): string {
  return [
    `r=${shq(root)}; s=`,
    `for c in ${candidates.map(shq).join(' ')}; do if mkdir -m 0700 -- "$c" 2>/dev/null; then s=$c; break; fi; done`,
    '[ -n "$s" ] || { echo "no folder for the shadow tree could be made beside $r or in its state folder" >&2; exit 3; }',
    'fill() { find "$r" -mindepth 1 -maxdepth 1 ! -name ".configsync-staging-*" ! -name ".configsync-tmp-*" -exec cp "$@" -t "$s" -- {} +; }',
    'empty() { find "$s" -mindepth 1 -maxdepth 1 -exec rm -rf -- {} +; }',
    'if fill -a --reflink=always 2>/dev/null; then k=reflink',
    'elif empty && fill -al 2>/dev/null; then k=links',
    'elif empty && fill -a; then k=copy',
    'else exit 4; fi',
    'chmod --reference="$r" "$s" 2>/dev/null',
    'printf "%s\\n%s\\n" "$k" "$s"',
  ].join('\n');
}

/**
 * Builds the tree as it will be after the run, outside the live folder: the live tree reproduced
 * (reflinks, or a hard-link farm, or copies), then the run's deletions made in it, its folders made,
 * and its staged files and links renamed in. A staged file is a new inode that replaces a name in the
 * shadow: nothing is ever written through a link, so no live file can change. The staged files go
 * back to staging with `returnStaged` before the swap.
 */
export async function buildShadow(
  destination: Endpoint,
  journal: Pick<Journal, 'root' | 'stagingDir' | 'writes' | 'dirs' | 'deletes'>,
  candidates: ReadonlyArray<string>,
): Promise<Shadow> {
  const r = await destination.run(buildScript(journal.root, candidates), '/');
  const [kind, ...rest] = r.stdout.replace(/\n$/, '').split('\n');
  const dir = rest.join('\n');
  if (
    r.code !== 0 ||
    (kind !== 'reflink' && kind !== 'links' && kind !== 'copy') ||
    !candidates.includes(dir)
  )
    throw new AppError(
      'VALIDATION_FAILED',
      `The shadow tree for the validate command could not be built on ${destination.label} (it needs a shell there): ${briefly(r) || `exit ${r.code}`}`,
    );
  const at = (p: string) => joinRoot(dir, p);
  // Deletions first (only the topmost: a folder takes what is below it), then folders, then the files.
  const gone = new Set(journal.deletes.map((d) => d.path));
  const tops = journal.deletes.filter((d) => {
    for (let q = parentOf(d.path); q !== ''; q = parentOf(q)) if (gone.has(q)) return false;
    return true;
  });
  await mapBounded(tops, IN_FLIGHT, (d) =>
    d.type === 'dir' ? destination.removeTree(at(d.path)) : destination.remove(at(d.path)),
  );
  for (const level of byLevel(journal.dirs, (d) => d.path.split('/').length, false))
    await mapBounded(level, IN_FLIGHT, async (d) => {
      if (d.replaces !== null && d.replaces !== 'dir') await destination.remove(at(d.path));
      await destination.mkdirp(at(d.path));
    });
  const parents = [...new Set(journal.writes.map((w) => parentOf(w.path)))].filter((p) => p !== '');
  for (const level of byLevel(parents, (p) => p.split('/').length, false))
    await mapBounded(level, IN_FLIGHT, (p) => destination.mkdirp(at(p)));
  await mapBounded(journal.writes, IN_FLIGHT, async (w) => {
    const there = await destination.stat(at(w.path));
    if (there?.type === 'dir') await destination.removeTree(at(w.path));
    else if (there && there.type !== w.type) await destination.remove(at(w.path));
    await destination.rename(joinRoot(journal.stagingDir, w.path), at(w.path));
  });
  return { dir, kind };
}

/** Moves the staged files and links back from the shadow to staging, where the swap takes them from. */
export async function returnStaged(
  destination: Endpoint,
  journal: Pick<Journal, 'stagingDir' | 'writes'>,
  shadow: Shadow,
): Promise<void> {
  await mapBounded(journal.writes, IN_FLIGHT, (w) =>
    destination.rename(joinRoot(shadow.dir, w.path), joinRoot(journal.stagingDir, w.path)),
  );
}

/** What `timeout` exits with when the command ran out of time. */
export const TIMED_OUT = 124;

/**
 * A set's command with `%s` replaced by the quoted folder it is about (`nginx -t -p %s/`), run by
 * `/bin/sh -c`; with a time limit, under `timeout` where the server has it (exit 124 when it ran out).
 */
export function commandFor(command: string, folder: string, timeoutSec?: number): string {
  const body = command.replace(/%s/g, shq(folder));
  if (!timeoutSec) return body;
  const inner = `/bin/sh -c ${shq(body)}`;
  return `if command -v timeout >/dev/null 2>&1; then exec timeout -k 5 ${Math.ceil(timeoutSec)} ${inner}; else exec ${inner}; fi`;
}

/** The first line a command said on stderr (else stdout), for a report. */
export function briefly(r: CommandResult): string {
  return (r.stderr.trim() || r.stdout.trim()).split('\n')[0]?.slice(0, 500) ?? '';
}
