import { describe, expect, it } from 'vitest';
import { callsIn, scanSource, valueImports } from './source-scan.js';

// The Electron runtime cannot run here: what can be checked is that the shell hands compose its native
// dialogs, and that they only choose a path (reading and writing are services/files, tested on real files).
describe('native save and open dialogs (static): wired into compose, choosing only a path', () => {
  const main = scanSource('src-main/electron/main.ts');
  const dialogs = scanSource('src-main/electron/file-dialogs.ts');
  const calls = callsIn(dialogs.file);

  it('main.ts passes electronFileDialogs, modal to the main window, to compose', () => {
    const composeCall = callsIn(main.file).find((c) => c.callee === 'compose');
    expect(composeCall?.args[0]).toMatch(/fileDialogs: electronFileDialogs\(\(\) => mainWindow\)/);
  });

  it('shows dialog.showSaveDialog and dialog.showOpenDialog with the window, and nothing else of fs', () => {
    const save = calls.filter((c) => c.callee === 'dialog.showSaveDialog');
    const open = calls.filter((c) => c.callee === 'dialog.showOpenDialog');
    expect(save.map((c) => c.args)).toContainEqual(['win', 'options']);
    expect(open.map((c) => c.args)).toContainEqual(['win', 'options']);
    expect(valueImports(dialogs).filter((m) => m.startsWith('node:'))).toEqual([]);
    expect(dialogs.text).toMatch(/r\.canceled \|\| !r\.filePath \? null : r\.filePath/);
    expect(dialogs.text).toMatch(/r\.canceled \? null : \(r\.filePaths\[0\] \?\? null\)/);
    expect(dialogs.text).toContain("'showOverwriteConfirmation'");
  });
});
