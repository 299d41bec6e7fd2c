import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, isAbsolute } from 'node:path';
import type { Handlers } from '../../rpc/router.js';
import type { FileFilter } from '../../../src-shared/contract/methods/files.js';
import { AppError } from '../../errors/app-error.js';
import { writeFileAtomically } from '../../store/atomic-file.js';

/**
 * The shell's seam for file choices: where the user chose to save, or which file they chose to open,
 * or null when they cancelled. The desktop shell backs it with its native save and open dialogs; the
 * browser shell has none (the page offers a download or a file input itself).
 */
export type FileDialogs = {
  chooseSavePath(options: {
    readonly suggestedName: string;
    readonly filters: ReadonlyArray<FileFilter>;
    readonly title?: string;
  }): Promise<string | null>;
  chooseOpenPath(options: {
    readonly filters: ReadonlyArray<FileFilter>;
    readonly title?: string;
  }): Promise<string | null>;
};

const errno = (err: unknown) => (err as NodeJS.ErrnoException).code ?? (err as Error).message;

/**
 * The path a save dialog gave, checked before anything is written: absolute, into a folder that exists,
 * not over a folder; without one of the filters' extensions it gets the first one (a Linux save dialog
 * adds none).
 */
export async function checkedSavePath(path: string, filters: ReadonlyArray<FileFilter>): Promise<string> {
  if (path.includes('\0') || !isAbsolute(path))
    throw new AppError('PATH_INVALID', `"${path}" is not an absolute path; nothing was saved.`);
  const extensions = filters.flatMap((f) => f.extensions.map((e) => e.toLowerCase()));
  const ext = extname(path).slice(1).toLowerCase();
  const first = extensions.find((e) => e !== '*');
  const target = extensions.includes('*') || extensions.includes(ext) || !first ? path : `${path}.${first}`;
  const folder = await stat(dirname(target)).catch(() => null);
  if (!folder?.isDirectory())
    throw new AppError('PATH_INVALID', `The folder ${dirname(target)} does not exist; nothing was saved.`);
  const there = await stat(target).catch(() => null);
  if (there && !there.isFile())
    throw new AppError('PATH_INVALID', `${target} is a folder or not a regular file; nothing was saved.`);
  return target;
}

/**
 * `files.save` and `files.open`. With dialogs (the desktop shell) the file is written here, by temp
 * file, fsync and rename, or read here with a size limit; without (the browser shell) the answer is
 * `renderer` and the page does it.
 */
export function fileHandlers(dialogs: FileDialogs | null): Pick<Handlers, 'files.save' | 'files.open'> {
  return {
    'files.save': async ({ suggestedName, content, filters, title }) => {
      if (!dialogs) return { outcome: 'renderer' };
      const chosen = await dialogs.chooseSavePath({ suggestedName, filters, ...(title ? { title } : {}) });
      if (chosen === null) return { outcome: 'cancelled' };
      const path = await checkedSavePath(chosen, filters);
      try {
        await writeFileAtomically(path, content);
      } catch (err) {
        throw new AppError(
          'FILE_SAVE_FAILED',
          `${path} could not be written (${errno(err)}); nothing was saved.`,
        );
      }
      return { outcome: 'saved', path, bytes: Buffer.byteLength(content) };
    },
    'files.open': async ({ filters, title, want, maxBytes }) => {
      if (!dialogs) return { outcome: 'renderer' };
      const path = await dialogs.chooseOpenPath({ filters, ...(title ? { title } : {}) });
      if (path === null) return { outcome: 'cancelled' };
      if (path.includes('\0') || !isAbsolute(path))
        throw new AppError('PATH_INVALID', `"${path}" is not an absolute path.`);
      const st = await stat(path).catch((err: unknown) => {
        throw new AppError('READ_FAILED', `${path} cannot be read (${errno(err)}).`);
      });
      if (!st.isFile()) throw new AppError('PATH_INVALID', `${path} is not a regular file.`);
      if (want === 'path') return { outcome: 'chosen', path, name: basename(path) };
      if (st.size > maxBytes)
        throw new AppError(
          'FILE_TOO_LARGE',
          `${path} holds ${st.size.toLocaleString('en-US')} bytes; at most ${maxBytes.toLocaleString('en-US')} are read here.`,
        );
      const content = await readFile(path, 'utf8').catch((err: unknown) => {
        throw new AppError('READ_FAILED', `${path} cannot be read (${errno(err)}).`);
      });
      return { outcome: 'chosen', path, name: basename(path), content };
    },
  };
}
