import type { FileFilter } from '../../src-shared/contract/methods/files.js';
import { downloadFile } from '../components/download.js';
import { call } from './client.js';

export type Saved =
  | { readonly kind: 'saved'; readonly path: string }
  | { readonly kind: 'downloaded'; readonly name: string }
  | { readonly kind: 'cancelled' };

export type Opened =
  | { readonly kind: 'chosen'; readonly name: string; readonly content: string; readonly path?: string }
  | { readonly kind: 'cancelled' };

/**
 * Saves text to a file the user chooses, through `files.save`: the desktop shell shows its save dialog
 * and writes the file in main; the browser shell answers `renderer`, and the page offers a download.
 */
export async function saveFile(
  suggestedName: string,
  mime: string,
  content: string,
  filters: ReadonlyArray<FileFilter>,
): Promise<Saved> {
  const r = await call('files.save', { suggestedName, content, filters: [...filters] });
  switch (r.outcome) {
    case 'saved':
      return { kind: 'saved', path: r.path };
    case 'cancelled':
      return { kind: 'cancelled' };
    case 'renderer':
      downloadFile(suggestedName, mime, content);
      return { kind: 'downloaded', name: suggestedName };
  }
}

/**
 * Opens a text file the user chooses, through `files.open`: the desktop shell shows its open dialog and
 * reads the file in main; the browser shell answers `renderer`, and the page opens a file input.
 */
export async function openFile(
  filters: ReadonlyArray<FileFilter>,
  maxBytes = 16 * 1024 * 1024,
): Promise<Opened> {
  const r = await call('files.open', { filters: [...filters], want: 'content', maxBytes });
  switch (r.outcome) {
    case 'chosen':
      return { kind: 'chosen', name: r.name, content: r.content ?? '', path: r.path };
    case 'cancelled':
      return { kind: 'cancelled' };
    case 'renderer':
      return pickWithInput(filters, maxBytes);
  }
}

/**
 * Where a file is, for a setting that keeps a path (a key file): only the desktop shell can say (a
 * browser never hands a page a file's path), so null means "type the path instead".
 */
export async function choosePath(filters: ReadonlyArray<FileFilter>): Promise<string | null> {
  const r = await call('files.open', { filters: [...filters], want: 'path' });
  return r.outcome === 'chosen' ? r.path : null;
}

/** A file input, clicked while the user's click still counts, read as text. */
function pickWithInput(filters: ReadonlyArray<FileFilter>, maxBytes: number): Promise<Opened> {
  return new Promise((resolve, reject) => {
    const input = document.createElement('input');
    input.type = 'file';
    const accept = filters.flatMap((f) => f.extensions);
    if (!accept.includes('*')) input.accept = accept.map((e) => `.${e}`).join(',');
    input.style.display = 'none';
    input.dataset.testid = 'file-choice-input';
    const done = () => input.remove();
    input.addEventListener('cancel', () => {
      done();
      resolve({ kind: 'cancelled' });
    });
    input.addEventListener('change', () => {
      const file = input.files?.[0];
      done();
      if (!file) return resolve({ kind: 'cancelled' });
      if (file.size > maxBytes)
        return reject(
          new Error(
            `${file.name} holds ${file.size.toLocaleString('en-US')} bytes; at most ${maxBytes.toLocaleString('en-US')} are read here.`,
          ),
        );
      file.text().then(
        (content) => resolve({ kind: 'chosen', name: file.name, content }),
        (err: unknown) => reject(err instanceof Error ? err : new Error(String(err))),
      );
    });
    document.body.append(input);
    input.click();
  });
}
