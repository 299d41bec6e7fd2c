import { dialog, type BrowserWindow } from 'electron';
import type { FileDialogs } from '../services/files/file-handlers.js';

/**
 * The native save and open dialogs behind `files.save` and `files.open`, attached to the window (modal
 * to it) when there is one. Only the chosen path comes back; reading and writing happen in
 * services/files, tested under Node.
 */
export function electronFileDialogs(window: () => BrowserWindow | undefined): FileDialogs {
  return {
    async chooseSavePath({ suggestedName, filters, title }) {
      const options: Electron.SaveDialogOptions = {
        defaultPath: suggestedName,
        filters: filters.map((f) => ({ name: f.name, extensions: [...f.extensions] })),
        properties: ['createDirectory', 'showOverwriteConfirmation'],
        ...(title ? { title } : {}),
      };
      const win = window();
      const r =
        win && !win.isDestroyed()
          ? await dialog.showSaveDialog(win, options)
          : await dialog.showSaveDialog(options);
      return r.canceled || !r.filePath ? null : r.filePath;
    },
    async chooseOpenPath({ filters, title }) {
      const options: Electron.OpenDialogOptions = {
        filters: filters.map((f) => ({ name: f.name, extensions: [...f.extensions] })),
        properties: ['openFile', 'showHiddenFiles'],
        ...(title ? { title } : {}),
      };
      const win = window();
      const r =
        win && !win.isDestroyed()
          ? await dialog.showOpenDialog(win, options)
          : await dialog.showOpenDialog(options);
      return r.canceled ? null : (r.filePaths[0] ?? null);
    },
  };
}
